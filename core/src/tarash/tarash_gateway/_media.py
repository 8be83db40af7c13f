"""Media in every form a user may give or receive it: URL, data URI, base64, bytes.

Plugins call :func:`to_data_uri` where a provider takes URLs and :func:`to_bytes`
where it takes uploads; responses call :func:`save_media` to write themselves.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from pathlib import Path
from typing import Any

_EXTENSIONS = {
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/pcm": ".pcm",
    "audio/opus": ".opus",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
    "audio/aac": ".aac",
    "audio/basic": ".ulaw",
}

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF8", 0, "image/gif"),
    (b"ftyp", 4, "video/mp4"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"OggS", 0, "audio/ogg"),
)


def is_url(value: object) -> bool:
    """Tell whether ``value`` is an http(s) URL string."""
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def sniff_content_type(data: bytes, default: str = "application/octet-stream") -> str:
    """Guess a MIME type from the first bytes of ``data``."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, offset, content_type in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return content_type
    return default


def extension_for(content_type: str | None) -> str:
    """Return a file extension (with dot) for a MIME type; ``.bin`` when unknown."""
    if not content_type:
        return ".bin"
    base = content_type.split(";")[0].strip().lower()
    return _EXTENSIONS.get(base) or mimetypes.guess_extension(base) or ".bin"


def _decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not a URL, data URI or valid base64 string") from exc


def to_bytes(media: Any, default_type: str = "application/octet-stream") -> tuple[bytes, str]:
    """Return ``(bytes, content_type)`` of inline media (not URLs).

    Accepts MediaContent dicts, raw bytes, data URIs and bare base64 strings.

    Raises:
        ValueError: ``media`` is a URL or cannot be decoded.
    """
    if isinstance(media, dict):
        return bytes(media["content"]), str(media.get("content_type") or default_type)
    if isinstance(media, bytes | bytearray):
        data = bytes(media)
        return data, sniff_content_type(data, default_type)
    if not isinstance(media, str):
        raise ValueError(f"unsupported media value of type {type(media).__name__}")
    if is_url(media):
        raise ValueError("URL media must be downloaded, not decoded")
    if media.startswith("data:"):
        header, _, payload = media.partition(",")
        content_type = header[5:].split(";")[0] or default_type
        if ";base64" in header:
            return _decode_base64(payload), content_type
        from urllib.parse import unquote_to_bytes

        return unquote_to_bytes(payload), content_type
    data = _decode_base64(media)
    return data, sniff_content_type(data, default_type)


def to_data_uri(media: Any, default_type: str = "application/octet-stream") -> str:
    """Return a URL unchanged, anything inline as a ``data:`` URI."""
    if is_url(media) or (isinstance(media, str) and media.startswith("data:")):
        return str(media)
    data, content_type = to_bytes(media, default_type)
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def to_base64(media: Any) -> str:
    """Return inline media as a bare base64 string."""
    data, _ = to_bytes(media)
    return base64.b64encode(data).decode("ascii")


def _target(path: str | Path, content_type: str | None) -> Path:
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(extension_for(content_type))
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def save_media(media: Any, path: str | Path, content_type: str | None = None) -> Path:
    """Write media to ``path``; a URL is downloaded with the shared sync client."""
    if is_url(media):
        from tarash.tarash_gateway._transport import sync_client

        response = sync_client().get(str(media), follow_redirects=True)
        response.raise_for_status()
        data = response.content
        content_type = content_type or response.headers.get("content-type")
    else:
        data, inline_type = to_bytes(media, content_type or "application/octet-stream")
        content_type = content_type or inline_type
    target = _target(path, content_type or sniff_content_type(data))
    target.write_bytes(data)
    return target


async def save_media_async(media: Any, path: str | Path, content_type: str | None = None) -> Path:
    """Async twin of :func:`save_media` (downloads on the loop's shared client)."""
    if not is_url(media):
        return save_media(media, path, content_type)
    from tarash.tarash_gateway._transport import async_client

    response = await async_client().get(str(media), follow_redirects=True)
    response.raise_for_status()
    data = response.content
    content_type = content_type or response.headers.get("content-type")
    target = _target(path, content_type or sniff_content_type(data))
    target.write_bytes(data)
    return target
