"""Replacing large inline media in a payload by provider uploads (a flow helper).

Providers take media as URLs or data URIs, but cap the size of a data URI; above
it their own SDKs upload the file first (fal storage, Runway's ephemeral uploads,
Replicate's files API) and send the returned URL instead. :func:`upload_large_media`
is that walk, written once: the plugin supplies only the upload flow.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Generator
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import ValidationError

UploadFlow = Callable[
    [bytes, str], Generator[Any, "httpx.Response | None", str]
]  # (data, content_type) -> flow returning the URL to send instead


def data_uri_size(data_uri: str) -> int:
    """The decoded size in bytes of a base64 data URI (estimated from its length)."""
    payload = data_uri.partition(",")[2]
    return len(payload) * 3 // 4


def decode_data_uri(data_uri: str) -> tuple[bytes, str]:
    """The bytes and MIME type of a base64 ``data:`` URI.

    Raises:
        ValidationError: The payload is not valid base64.
    """
    header, _, encoded = data_uri.partition(",")
    content_type = header[5:].split(";")[0] or "application/octet-stream"
    try:
        return base64.b64decode(encoded, validate=True), content_type
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"inline media is not valid base64: {exc}") from exc


def upload_large_media(
    value: Any, threshold: int, upload: UploadFlow
) -> Generator[Any, httpx.Response | None, Any]:
    """``value`` with every data URI larger than ``threshold`` bytes replaced by an upload.

    Walks dicts and lists; other values are returned unchanged. Use as
    ``payload = yield from upload_large_media(payload, limit, my_upload)``
    where ``my_upload(data, content_type)`` is a flow returning the URL (or
    provider URI) to send in place of the data URI.
    """
    if isinstance(value, str):
        if value.startswith("data:") and data_uri_size(value) > threshold:
            data, content_type = decode_data_uri(value)
            return (yield from upload(data, content_type))
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out[key] = yield from upload_large_media(item, threshold, upload)
        return out
    if isinstance(value, list):
        items = []
        for item in value:
            items.append((yield from upload_large_media(item, threshold, upload)))
        return items
    return value
