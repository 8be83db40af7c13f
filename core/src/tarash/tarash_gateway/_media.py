"""Media in every form a user may give or receive it: URL, data URI, base64, bytes, files.

Plugins call :func:`to_data_uri` where a provider takes URLs and :func:`to_bytes`
where it takes uploads; responses call :func:`save_media` to write themselves.
Local files (``pathlib.Path`` or an open binary file) are read only when the
media is needed. :func:`sniff_content_type` tells the type from the bytes
themselves; :mod:`._media_check` uses it to refuse wrong inputs up front.
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import os
import struct
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import httpx

_EXTENSIONS = {
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "image/heic": ".heic",
    "image/avif": ".avif",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/pcm": ".pcm",
    "audio/opus": ".opus",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
    "audio/aac": ".aac",
    "audio/mp4": ".m4a",
    "audio/basic": ".ulaw",
}

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"ID3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"OggS", 0, "audio/ogg"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),  # EBML: WebM / Matroska
)
# Brands of an ISO base media file (the ``ftyp`` box), by what the file holds.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "})
_QUICKTIME = b"qt  "

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/heic", "image/avif")
AUDIO_TYPES = ("audio/wav", "audio/mpeg", "audio/flac", "audio/ogg", "audio/mp4", "audio/aac")
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "image": IMAGE_TYPES,
    "audio": AUDIO_TYPES,
    "video": VIDEO_TYPES,
}
"""The types :func:`sniff_content_type` recognises, by kind of media."""

HEAD_BYTES = 64
"""How many leading bytes :func:`sniff_content_type` needs."""


def is_url(value: object) -> bool:
    """Tell whether ``value`` is an http(s) URL string."""
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _sniff_iso(data: bytes) -> str:
    """MP4, MOV, M4A, HEIC or AVIF, from the brands of the ``ftyp`` box."""
    major = data[8:12]
    size = int.from_bytes(data[:4], "big")
    end = min(len(data), max(size, 16))
    brands = {major} | {data[i : i + 4] for i in range(16, end - 3, 4)}
    if brands & _AVIF_BRANDS:
        return "image/avif"
    if major in _HEIF_BRANDS:
        return "image/heic"
    if major in _AUDIO_BRANDS:
        return "audio/mp4"
    if major == _QUICKTIME:
        return "video/quicktime"
    return "video/mp4"


def sniff_content_type(data: bytes, default: str = "application/octet-stream") -> str:
    """The MIME type of media from its first bytes (:data:`HEAD_BYTES` are enough).

    Recognises PNG, JPEG, WebP, GIF, HEIC, AVIF; WAV, MP3, FLAC, Ogg (Opus,
    Vorbis), M4A, AAC (ADTS); MP4, MOV and WebM. Anything else is ``default``.
    """
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return _sniff_iso(data)
    for magic, offset, content_type in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return content_type
    if len(data) >= 2 and data[0] == 0xFF:
        if data[1] & 0xF6 == 0xF0:  # ADTS sync word, layer 00: AAC
            return "audio/aac"
        if data[1] & 0xE0 == 0xE0 and data[1] & 0x06:  # MPEG audio frame, layer I-III
            return "audio/mpeg"
    if data[4:8] in (b"moov", b"mdat", b"wide"):
        return "video/quicktime"  # older QuickTime files have no ftyp box
    return default


def describe_bytes(data: bytes) -> str:
    """What ``data`` is, for messages: its MIME type, text, or unrecognised bytes."""
    sniffed = sniff_content_type(data, "")
    if sniffed:
        return sniffed
    if not data:
        return "no data (empty)"
    head = data[:HEAD_BYTES]
    try:
        text = head.decode("utf-8").strip()
    except UnicodeDecodeError:
        text = ""
    if text and all(c.isprintable() or c in "\r\n\t" for c in text):
        shown = text.splitlines()[0][:24]
        return f"text ({shown!r}{'...' if len(text) > len(shown) else ''})"
    return f"unrecognised data (starts {head[:8].hex(' ')})"


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


def is_file_object(media: object) -> bool:
    """Tell whether ``media`` is an open file (anything with ``read``)."""
    return isinstance(media, io.IOBase) or (
        callable(getattr(media, "read", None)) and not isinstance(media, str | bytes | dict)
    )


def read_path(path: os.PathLike[str] | str) -> bytes:
    """The bytes of a local file; a missing or unreadable file is a ValueError naming it."""
    target = Path(path).expanduser()
    if not target.exists():
        raise ValueError(f"no such file: '{target}'")
    if not target.is_file():
        raise ValueError(f"'{target}' is not a file")
    try:
        return target.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read '{target}': {exc.strerror or exc}") from exc


def read_file(file: Any, limit: int | None = None) -> bytes:
    """Read an open binary file from where it stands, then put it back when it can seek.

    ``limit`` reads only that many bytes (a peek for sniffing).
    """
    if isinstance(file, io.TextIOBase):
        name = getattr(file, "name", "the file")
        raise ValueError(f"{name!r} is open in text mode; open it with open(path, 'rb')")
    if limit is not None and callable(getattr(file, "peek", None)):
        data = file.peek(limit)[:limit]
        if isinstance(data, bytes):
            return data
    start = file.tell() if _seekable(file) else None
    data = file.read() if limit is None else file.read(limit)
    if start is not None:
        file.seek(start)
    if isinstance(data, str):
        raise ValueError("the file gave text; open it with open(path, 'rb')")
    return bytes(data or b"")


def _seekable(file: Any) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _specific(content_type: str | None) -> str | None:
    base = (content_type or "").split(";")[0].strip().lower()
    return content_type if base and base not in _GENERIC_TYPES else None


def to_bytes(media: Any, default_type: str = "application/octet-stream") -> tuple[bytes, str]:
    """Return ``(bytes, content_type)`` of inline or local media (not URLs).

    Accepts MediaContent dicts, raw bytes, data URIs, bare base64 strings,
    ``pathlib.Path`` objects and open binary files (read now, not before).
    The type is the declared one (MediaContent, data URI) when specific, else
    the one the bytes show, else ``default_type``.

    Raises:
        ValueError: ``media`` is a URL, cannot be decoded, or names a missing file.
    """
    if isinstance(media, os.PathLike):
        data = read_path(media)
        return data, sniff_content_type(data, default_type)
    if is_file_object(media):
        data = read_file(media)
        return data, sniff_content_type(data, default_type)
    if isinstance(media, dict):
        data = bytes(media["content"])
        return data, _specific(media.get("content_type")) or sniff_content_type(data, default_type)
    if isinstance(media, bytes | bytearray):
        data = bytes(media)
        return data, sniff_content_type(data, default_type)
    if not isinstance(media, str):
        raise ValueError(f"unsupported media value of type {type(media).__name__}")
    if is_url(media):
        raise ValueError("URL media must be downloaded, not decoded")
    if media.startswith("data:"):
        header, _, payload = media.partition(",")
        data = _decode_base64(payload) if ";base64" in header else unquote_to_bytes(payload)
        declared = header[5:].split(";")[0]
        return data, _specific(declared) or sniff_content_type(data, default_type)
    data = _decode_base64(media)
    return data, sniff_content_type(data, default_type)


def to_data_uri(media: Any, default_type: str = "application/octet-stream") -> str:
    """Return a URL unchanged, anything inline or local as a ``data:`` URI."""
    if is_url(media) or (isinstance(media, str) and media.startswith("data:")):
        return str(media)
    data, content_type = to_bytes(media, default_type)
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def to_base64(media: Any) -> str:
    """Return inline or local media as a bare base64 string."""
    data, _ = to_bytes(media)
    return base64.b64encode(data).decode("ascii")


_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream", "text/plain"})


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


def numbered_paths(path: str | Path, count: int) -> list[Path]:
    """``count`` paths that never collide: ``name.png``, ``name-2.png``, ``name-3.png``..."""
    first = Path(path)
    return [first] + [
        first.with_name(f"{first.stem}-{i}{first.suffix}") for i in range(2, count + 1)
    ]


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
        self.size = 0

    def write(self, data: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.file.write(data)
        self.size += len(data)

    def restart(self) -> None:
        """Drop what was written (the server cannot resume: it sends everything again)."""
        self.file.seek(0)
        self.file.truncate()
        self.head, self.size = b"", 0

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


DOWNLOAD_ATTEMPTS = 4
"""A broken download is resumed (HTTP Range) or restarted at most this many times in all."""


class _Download:
    """What the sync and async downloads share: the part file, resuming, limits, errors.

    The body goes to a part file chunk by chunk (memory stays bounded whatever the
    size); a connection that breaks mid-way is resumed with ``Range`` from the
    bytes already written (or restarted when the server ignores ranges).
    """

    def __init__(
        self, url: str, path: str | Path, content_type: str | None, max_bytes: int | None
    ) -> None:
        self.url, self.path, self.content_type = url, path, content_type
        self.max_bytes = max_bytes
        self.part: _PartFile | None = None
        self.served_type: str | None = None
        self.attempts = 0

    def headers(self) -> dict[str, str]:
        """Headers of the next attempt: a Range once some bytes are written."""
        self.attempts += 1
        if self.part is not None and self.part.size:
            return {"Range": f"bytes={self.part.size}-"}
        return {}

    def start(self, response: httpx.Response) -> _PartFile:
        """Check an answer before its body is read; open (or rewind) the part file."""
        response.raise_for_status()
        if self.part is None:
            self.served_type = response.headers.get("content-type")
            self.part = _PartFile(self.path)
        elif response.status_code != 206:
            self.part.restart()  # the server sent the whole body again
        self._check_size(response)
        return self.part

    def write(self, chunk: bytes) -> None:
        """Append a chunk, refusing to grow past ``max_bytes``."""
        assert self.part is not None
        self.part.write(chunk)
        if self.max_bytes is not None and self.part.size > self.max_bytes:
            raise _too_large(self.url, f"more than {self.max_bytes} bytes arrived", self.max_bytes)

    def may_retry(self, exc: BaseException) -> bool:
        """Whether a transport error mid-body is worth resuming."""
        return (
            isinstance(exc, httpx.TransportError)
            and self.part is not None
            and self.attempts < DOWNLOAD_ATTEMPTS
        )

    def _check_size(self, response: httpx.Response) -> None:
        if self.max_bytes is None:
            return
        declared = response.headers.get("content-length")
        if declared and declared.isdigit():
            total = int(declared) + (self.part.size if self.part else 0)
            if total > self.max_bytes:
                raise _too_large(self.url, f"the server declares {total} bytes", self.max_bytes)

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


def _too_large(url: str, what: str, limit: int) -> Exception:
    from tarash.tarash_gateway.exceptions import ValidationError

    parts = urlsplit(url)
    return ValidationError(
        f"download of the result from {parts.scheme}://{parts.netloc}{parts.path} refused: "
        f"{what}, over max_bytes={limit}"
    )


def save_media(
    media: Any, path: str | Path, content_type: str | None = None, max_bytes: int | None = None
) -> Path:
    """Write media to ``path`` and return the path written.

    A URL is streamed to disk in chunks with the shared sync client (memory stays
    bounded); a download that breaks mid-way is resumed with HTTP ``Range`` (or
    restarted) up to a few times. A data URI or base64 string is decoded; bytes
    and MediaContent are written as they are. When ``path`` has no suffix, one is
    chosen from ``content_type``, the server's Content-Type, the bytes themselves,
    or the URL, in that order. The file appears under its final name only once
    complete: a failed download never replaces an existing file.

    Args:
        media: URL, data URI, base64, bytes or MediaContent.
        path: Where to write.
        content_type: The media's type, when known.
        max_bytes: Refuse a larger result (a declared Content-Length is checked
            before anything is read).

    Raises:
        HTTPError: The URL answered with an error status.
        HTTPConnectionError: The URL could not be downloaded.
        ValidationError: The result is larger than ``max_bytes``.
        ValueError: Inline media could not be decoded.
    """
    if not is_url(media):
        return _write_inline(media, path, content_type)
    from tarash.tarash_gateway._transport import sync_client

    with _Download(str(media), path, content_type, max_bytes) as download:
        while True:
            headers = download.headers()
            try:
                with sync_client().stream(
                    "GET", download.url, headers=headers, follow_redirects=True
                ) as response:
                    download.start(response)
                    for chunk in response.iter_bytes():
                        download.write(chunk)
                break
            except httpx.TransportError as exc:
                if not download.may_retry(exc):
                    raise
        return download.commit()


async def save_media_async(
    media: Any, path: str | Path, content_type: str | None = None, max_bytes: int | None = None
) -> Path:
    """Async twin of :func:`save_media` (downloads on the loop's shared client)."""
    if not is_url(media):
        return _write_inline(media, path, content_type)
    from tarash.tarash_gateway._transport import async_client

    with _Download(str(media), path, content_type, max_bytes) as download:
        while True:
            headers = download.headers()
            try:
                async with async_client().stream(
                    "GET", download.url, headers=headers, follow_redirects=True
                ) as response:
                    download.start(response)
                    async for chunk in response.aiter_bytes():
                        download.write(chunk)
                break
            except httpx.TransportError as exc:
                if not download.may_retry(exc):
                    raise
        return download.commit()
