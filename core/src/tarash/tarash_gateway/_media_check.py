"""A request's media checked before anything is sent: type from the bytes, files, sizes.

:func:`check_request_media` runs for every call (and every provider, the mock
included) before the payload is built. For each input it reads only the first
bytes, tells the type from them (never from a file name), and refuses with a
:class:`ValidationError` naming the field, what was found and what is accepted:

- bytes that are not media of the field's kind (a text file given as an image);
- a declared ``content_type`` (MediaContent, data URI) that the bytes contradict;
- a ``pathlib.Path`` that does not exist, a file opened in text mode;
- a string that is neither a URL, a data URI nor base64 (with the hint to pass
  ``pathlib.Path(...)`` when it looks like a local path);
- media over ``max_bytes`` (a provider's documented limit), via :func:`check_media`;
  a model's own limits (``Accepts.max_bytes`` inline, ``max_upload_bytes`` when the
  plugin uploads) are checked by :func:`check_accepted_media` as the request is mapped.

URLs are not fetched here: the provider (or the plugin's download) checks them.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from tarash.tarash_gateway._media import (
    HEAD_BYTES,
    MEDIA_TYPES,
    describe_bytes,
    is_file_object,
    is_url,
    read_file,
    sniff_content_type,
)
from tarash.tarash_gateway._request_fields import request_field
from tarash.tarash_gateway.exceptions import ValidationError

__all__ = [
    "check_accepted_media",
    "check_media",
    "check_request_media",
    "media_size",
    "request_media",
]

# Declared types that name the same format as the sniffed one.
_ALIASES = {
    "audio/mp3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-flac": "audio/flac",
    "audio/opus": "audio/ogg",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "audio/x-aac": "audio/aac",
    "audio/aacp": "audio/aac",
    "audio/webm": "video/webm",
    "video/x-matroska": "video/webm",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/heif": "image/heic",
}
_GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_SHOWN_CHARS = 60
_MIN_BASE64_CHARS = 64  # no image, audio or video file is under 48 bytes
_OTHER_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_LOOKS_LIKE_PATH = re.compile(r"^(~|\.{1,2}[/\\]|[/\\]|[A-Za-z]:[/\\])|[/\\]|\.[A-Za-z0-9]{2,5}$")


def request_media(request: Any) -> Iterator[tuple[str, str, Any]]:
    """``(field, kind, value)`` of every media input of a request (URLs included)."""
    for index, item in enumerate(request_field(request, "image_list") or []):
        image = item.get("image") if isinstance(item, dict) else None
        yield f"image_list[{index}].image", "image", image
    for field, kind in (("mask_image", "image"), ("video", "video"), ("audio", "audio")):
        value = request_field(request, field)
        if value is not None:
            yield field, kind, value


def check_request_media(request: Any, strict: bool = False) -> None:
    """Refuse media inputs of ``request`` that are not what their field takes.

    Raises:
        ValidationError: See the module docstring.
    """
    for field, kind, value in request_media(request):
        check_media(value, field, kind, strict=strict)


def check_accepted_media(
    accepts: Any,
    field: str,
    value: Any,
    upload_threshold: int | None = None,
    model: str | None = None,
) -> None:
    """Refuse media of one mapped field over the size limit of the path it takes.

    Media given inline (bytes, base64, a data URI, a file or ``pathlib.Path``)
    reaches the provider inline unless the plugin uploads it: when the provider
    has an ``upload_threshold`` and the media is larger, the plugin uploads it
    and ``accepts.max_upload_bytes`` applies; otherwise ``accepts.max_bytes``.
    URLs are not downloaded to check them. ``image_list`` is checked image by
    image (only the roles ``accepts.roles`` takes). Does nothing when
    ``accepts`` has no ``media`` (the media's type is checked for every request
    by :func:`check_request_media`).

    Raises:
        ValidationError: naming the field, the size, the limit and the path.
    """
    if getattr(accepts, "media", None) is None or value is None:
        return
    inline = getattr(accepts, "max_bytes", None)
    uploaded = getattr(accepts, "max_upload_bytes", None)
    if inline is None and uploaded is None:
        return
    if field != "image_list":
        _check_size(value, field, inline, uploaded, upload_threshold, model)
        return
    roles = getattr(accepts, "roles", None)
    for index, item in enumerate(value or []):
        if isinstance(item, dict) and (roles is None or item.get("type") in roles):
            image = item.get("image")
            _check_size(
                image, f"image_list[{index}].image", inline, uploaded, upload_threshold, model
            )


def _check_size(
    value: Any,
    field: str,
    inline: int | None,
    uploaded: int | None,
    threshold: int | None,
    model: str | None,
) -> None:
    size = media_size(value)
    if size is None:
        return
    upload = threshold is not None and size > threshold
    limit = uploaded if upload else inline
    if limit is None or size <= limit:
        return
    whose = f"{model}'s" if model else "this model's"
    if upload:
        raise ValidationError(
            f"{field}: {_amount(size)} is over {whose} limit of {_amount(limit)} for uploaded media; "
            "pass a smaller file"
        )
    hint = (
        f" (or an upload_threshold_bytes below {size} in provider_config, so it is uploaded)"
        if threshold is not None and uploaded is not None and size <= uploaded
        else ""
    )
    raise ValidationError(
        f"{field}: {_amount(size)} is over {whose} limit of {_amount(limit)} for media sent inline; "
        f"pass a URL or a smaller file{hint}"
    )


def media_size(value: Any) -> int | None:
    """The size in bytes of media given inline, read without decoding it; None for a URL.

    bytes and MediaContent: their length; a ``pathlib.Path`` or a file: its size
    on disk (from the current position); base64 and data URIs: their decoded size,
    from the text's length. None for URLs, provider ids and other URIs.
    """
    if value is None or is_url(value):
        return None
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, dict):
        content = value.get("content")
        return len(content) if isinstance(content, bytes | bytearray) else None
    if isinstance(value, os.PathLike):
        try:
            return Path(value).expanduser().stat().st_size
        except OSError:
            return None  # check_request_media names the missing file
    if isinstance(value, str):
        if value.startswith("data:"):
            header, _, payload = value.partition(",")
            return len(payload) * 3 // 4 if ";base64" in header else len(unquote_to_bytes(payload))
        compact = value.strip()
        if _OTHER_URI.match(compact) or len(compact) < _MIN_BASE64_CHARS:
            return None
        return len(compact) * 3 // 4
    if is_file_object(value):
        return _file_size(value)
    return None


def check_media(
    value: Any,
    field: str,
    kind: str,
    accepted: tuple[str, ...] | None = None,
    max_bytes: int | None = None,
    strict: bool = False,
) -> str | None:
    """Check one media input; return the type its bytes show (None for a URL).

    Args:
        value: The media as the user gave it.
        field: The request field, for messages (``image_list[0].image``).
        kind: ``image``, ``audio`` or ``video``.
        accepted: MIME types the model takes; default: every type of ``kind``.
        max_bytes: Refuse larger media (a provider's documented limit).
        strict: Refuse every string that is not a URL, data URI or base64 media
            (by default short ids and other URI schemes are left to the provider).

    Raises:
        ValidationError: The media is missing, undecodable, of another type than
            declared or accepted, or too large.
    """
    if value is None or is_url(value):
        return None
    accepted = accepted or MEDIA_TYPES[kind]
    try:
        inspected = _inspect(value, strict)
    except ValueError as exc:
        raise ValidationError(f"{field}: {exc}") from exc
    if inspected is None:
        return None
    head, size, declared = inspected
    found = sniff_content_type(head, "")
    wanted = f"accepted: {kind} ({', '.join(accepted)})"
    if not found:
        hint = _path_hint(value) if isinstance(value, str) else ""
        raise ValidationError(f"{field}: found {describe_bytes(head)}, not {kind}; {wanted}{hint}")
    base = _base(declared)
    if base not in _GENERIC and _ALIASES.get(base, base) != found:
        raise ValidationError(
            f"{field}: content_type is declared {base!r} but the data is {found}; "
            "correct content_type (or leave it out: tarash reads the type from the data)"
        )
    if found not in accepted:
        raise ValidationError(f"{field}: found {found}; {wanted}")
    if max_bytes is not None and size is not None and size > max_bytes:
        raise ValidationError(
            f"{field}: {_mb(size)} is over this model's limit of {_mb(max_bytes)}; "
            "pass a smaller file or a URL"
        )
    return found


# ---------------------------------------------------------------- reading
def _inspect(value: Any, strict: bool) -> tuple[bytes, int | None, str | None] | None:
    """``(first bytes, size, declared type)``, reading as little as possible.

    None for a string that is no media tarash can read (an id, a ``gs://`` URI):
    the provider gets it as given, unless ``strict``.
    """
    if isinstance(value, os.PathLike):
        return _inspect_path(Path(value))
    if isinstance(value, dict):
        content = value.get("content")
        if not isinstance(content, bytes | bytearray):
            raise ValueError("MediaContent needs 'content' as bytes")
        return bytes(content[:HEAD_BYTES]), len(content), value.get("content_type")
    if isinstance(value, bytes | bytearray):
        return bytes(value[:HEAD_BYTES]), len(value), None
    if isinstance(value, str):
        return _inspect_text(value, strict)
    if is_file_object(value):
        return read_file(value, HEAD_BYTES), _file_size(value), None
    raise ValueError(
        f"unsupported media value of type {type(value).__name__}; give a URL, a data URI, "
        "base64, bytes, MediaContent, a pathlib.Path or a file opened with 'rb'"
    )


def _inspect_path(path: Path) -> tuple[bytes, int, None]:
    target = path.expanduser()
    if not target.exists():
        raise ValueError(f"no such file: '{path}'")
    if not target.is_file():
        raise ValueError(f"'{path}' is not a file")
    try:
        with target.open("rb") as file:
            return file.read(HEAD_BYTES), target.stat().st_size, None
    except OSError as exc:
        raise ValueError(f"cannot read '{path}': {exc.strerror or exc}") from exc


def _inspect_text(value: str, strict: bool) -> tuple[bytes, int, str | None] | None:
    """A data URI or base64 media; None for a string left to the provider (an id, a URI)."""
    if value.startswith("data:"):
        header, comma, payload = value.partition(",")
        if not comma:
            raise ValueError(f"{_shown(value)} is a data URI without ',' before its data")
        declared = header[5:].split(";")[0] or None
        if ";base64" not in header:
            data = unquote_to_bytes(payload)
            return data[:HEAD_BYTES], len(data), declared
        head = _b64(payload[: HEAD_BYTES * 2], "the data URI's base64 is invalid")
        return head, len(payload) * 3 // 4, declared
    compact = value.strip()
    if _OTHER_URI.match(compact) and not strict:
        return None  # gs://, s3://...: the provider reads it
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        if strict or _path_hint(value):
            raise ValueError(_not_media_string(value)) from None
        return None  # an id the provider knows (an earlier video's id, a file id...)
    if len(compact) < _MIN_BASE64_CHARS and not strict and not _path_hint(value):
        return None  # too short to be media: an id that happens to be valid base64
    head = _b64(compact[: HEAD_BYTES * 2], _not_media_string(value))
    return head, len(compact) * 3 // 4, None


def _b64(text: str, problem: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(problem) from None


def _not_media_string(value: str) -> str:
    return f"{_shown(value)} is not a URL (http/https), a data URI or base64{_path_hint(value)}"


def _path_hint(value: str) -> str:
    if "\n" in value or not _LOOKS_LIKE_PATH.search(value.strip()):
        return ""
    return f"; local paths: pass pathlib.Path({value.strip()[:_SHOWN_CHARS]!r})"


def _shown(value: str) -> str:
    text = value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "..."
    return repr(text)


def _file_size(file: Any) -> int | None:
    try:
        return int(os.fstat(file.fileno()).st_size) - int(file.tell())
    except (AttributeError, OSError, ValueError):
        pass
    getbuffer = getattr(file, "getbuffer", None)  # BytesIO
    if callable(getbuffer):
        return int(len(getbuffer())) - int(file.tell())
    return None


def _base(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _amount(size: int) -> str:
    return _mb(size) if size >= 100_000 else f"{size} bytes"
