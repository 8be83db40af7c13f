"""Media in every form a user may give or receive it: URL, data URI, base64, bytes.

Plugins call :func:`to_data_uri` where a provider takes URLs and :func:`to_bytes`
where it takes uploads; responses call :func:`save_media` to write themselves.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
import struct
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

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


_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream", "text/plain"})
_HEAD_BYTES = 64


def audio_duration(
    audio: bytes, codec: str, sample_rate: int | None = None, sample_bytes: int = 2
) -> float | None:
    """Seconds of uncompressed speech, or None when it cannot be told without decoding.

    ``codec`` ``wav``: read from the RIFF header (any sample format, e.g. float32);
    ``pcm``: mono raw samples of ``sample_bytes`` bytes at ``sample_rate``;
    ``ulaw`` / ``alaw``: one byte per sample. Compressed codecs (mp3, opus, ...) give None.
    """
    if codec == "wav":
        return _wav_duration(audio)
    if not sample_rate:
        return None
    if codec == "pcm":
        return round(len(audio) / (sample_bytes * sample_rate), 3)
    if codec in ("ulaw", "alaw"):
        return round(len(audio) / sample_rate, 3)
    return None


def _wav_duration(audio: bytes) -> float | None:
    if audio[:4] != b"RIFF" or audio[8:12] != b"WAVE":
        return None
    offset, frame, rate = 12, 0, 0
    while offset + 8 <= len(audio):
        chunk = audio[offset : offset + 4]
        size: int = struct.unpack("<I", audio[offset + 4 : offset + 8])[0]
        body = offset + 8
        if chunk == b"fmt " and size >= 16:
            channels, rate, _, _, bits = struct.unpack("<HIIHH", audio[body + 2 : body + 16])
            frame = int(channels) * int(bits) // 8
        elif chunk == b"data":
            if not frame or not rate:
                return None
            size = min(size, len(audio) - body)  # streamed WAVs may declare 0xFFFFFFFF
            return round(size / (frame * int(rate)), 3)
        offset = body + size + (size & 1)
    return None


_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _base_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _choose_content_type(
    declared: str | None, header: str | None, head: bytes, url: str | None = None
) -> str | None:
    """The content type that names the file: declared, else served, else sniffed, else URL.

    Images carry unambiguous signatures, so sniffed image bytes win over a
    declared image type (a JPEG declared as the ``image/png`` default stays a .jpg).
    """
    sniffed = sniff_content_type(head, "")
    for candidate in (declared, header):
        base = _base_type(candidate)
        if base and base not in _GENERIC_TYPES:
            if base.startswith("image/") and sniffed.startswith("image/"):
                return sniffed
            return candidate
    if sniffed:
        return sniffed
    if url:
        guessed, _ = mimetypes.guess_type(urlsplit(url).path)
        if guessed:
            return guessed
    return declared or header


def _target(path: str | Path, content_type: str | None) -> Path:
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(extension_for(content_type))
    return target


class _PartFile:
    """Write beside the destination, then rename: no half-written file under the final name."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        parent = Path(path).parent
        parent.mkdir(parents=True, exist_ok=True)
        # os.open with 0o666 honours the umask (mkstemp would make the file 0600).
        self.tmp = parent / f".{Path(path).name}.{uuid.uuid4().hex[:12]}.part"
        fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        self.file = os.fdopen(fd, "wb")
        self.head = b""

    def write(self, data: bytes) -> None:
        if len(self.head) < _HEAD_BYTES:
            self.head += data[: _HEAD_BYTES - len(self.head)]
        self.file.write(data)

    def commit(self, content_type: str | None) -> Path:
        self.file.close()
        target = _target(self.path, content_type)
        os.replace(self.tmp, target)
        return target

    def discard(self) -> None:
        self.file.close()
        self.tmp.unlink(missing_ok=True)


def _download_error(url: str, exc: Exception) -> Exception:
    from tarash.tarash_gateway.exceptions import HTTPConnectionError, HTTPError

    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.netloc}{parts.path}"  # query strings may carry signatures
    if isinstance(exc, httpx.HTTPStatusError):
        return HTTPError(
            f"download of the result from {where} failed with HTTP {exc.response.status_code}",
            status_code=exc.response.status_code,
        )
    return HTTPConnectionError(
        f"download of the result from {where} failed: {type(exc).__name__}: {exc}"
    )


def _write_inline(media: Any, path: str | Path, content_type: str | None) -> Path:
    data, inline_type = to_bytes(media, content_type or "application/octet-stream")
    part = _PartFile(path)
    try:
        part.write(data)
        return part.commit(_choose_content_type(content_type, inline_type, part.head))
    except BaseException:
        part.discard()
        raise


class _Download:
    """What the sync and async downloads share: the part file, the type, the errors."""

    def __init__(self, url: str, path: str | Path, content_type: str | None) -> None:
        self.url, self.path, self.content_type = url, path, content_type
        self.part: _PartFile | None = None
        self.served_type: str | None = None

    def start(self, response: httpx.Response) -> _PartFile:
        response.raise_for_status()
        self.served_type = response.headers.get("content-type")
        self.part = _PartFile(self.path)
        return self.part

    def commit(self) -> Path:
        assert self.part is not None
        chosen = _choose_content_type(self.content_type, self.served_type, self.part.head, self.url)
        return self.part.commit(chosen)

    def __enter__(self) -> _Download:
        return self

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            return
        if self.part is not None:
            self.part.discard()
        if isinstance(exc, httpx.HTTPError):
            raise _download_error(self.url, exc) from exc


def save_media(media: Any, path: str | Path, content_type: str | None = None) -> Path:
    """Write media to ``path`` and return the path written.

    A URL is streamed with the shared sync client; a data URI or base64 string
    is decoded; bytes and MediaContent are written as they are. When ``path``
    has no suffix, one is chosen from ``content_type``, the server's
    Content-Type, the bytes themselves, or the URL, in that order. The file
    appears under its final name only once complete.

    Raises:
        HTTPError: The URL answered with an error status.
        HTTPConnectionError: The URL could not be downloaded.
        ValueError: Inline media could not be decoded.
    """
    if not is_url(media):
        return _write_inline(media, path, content_type)
    from tarash.tarash_gateway._transport import sync_client

    with _Download(str(media), path, content_type) as download:
        with sync_client().stream("GET", download.url, follow_redirects=True) as response:
            part = download.start(response)
            for chunk in response.iter_bytes():
                part.write(chunk)
        return download.commit()


async def save_media_async(media: Any, path: str | Path, content_type: str | None = None) -> Path:
    """Async twin of :func:`save_media` (downloads on the loop's shared client)."""
    if not is_url(media):
        return _write_inline(media, path, content_type)
    from tarash.tarash_gateway._transport import async_client

    with _Download(str(media), path, content_type) as download:
        async with async_client().stream("GET", download.url, follow_redirects=True) as response:
            part = download.start(response)
            async for chunk in response.aiter_bytes():
                part.write(chunk)
        return download.commit()
