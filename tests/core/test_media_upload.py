"""upload_large_media: large data URIs in a payload become provider uploads, nothing else."""

from __future__ import annotations

import base64
from collections.abc import Generator
from typing import Any

import httpx
import pytest

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.plugin import upload_large_media
from tarash.tarash_gateway.testing import run_flow


def uri(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def test_only_data_uris_above_the_threshold_are_uploaded_wherever_they_are() -> None:
    uploaded: list[tuple[bytes, str]] = []

    def upload(data: bytes, content_type: str) -> Generator[Any, Any, str]:
        response = yield httpx.Request("POST", "https://up.example/files", content=data)
        uploaded.append((data, content_type))
        return f"https://files.example/{response.json()['id']}"

    big, small = b"x" * 200, b"y" * 10
    payload = {
        "prompt": "data:not really media but short",
        "image": uri(big),
        "frames": [{"uri": uri(small)}, {"uri": uri(big, "video/mp4")}],
        "count": 2,
    }
    ids = iter(["f1", "f2"])
    result = run_flow(
        upload_large_media(payload, 100, upload),
        lambda request: httpx.Response(201, json={"id": next(ids)}),
    )
    assert result == {
        "prompt": "data:not really media but short",
        "image": "https://files.example/f1",
        "frames": [{"uri": uri(small)}, {"uri": "https://files.example/f2"}],
        "count": 2,
    }
    assert uploaded == [(big, "image/png"), (big, "video/mp4")]


def test_invalid_base64_is_a_validation_error() -> None:
    def upload(data: bytes, content_type: str) -> Generator[Any, Any, str]:
        raise AssertionError("never called")
        yield  # pragma: no cover

    with pytest.raises(ValidationError, match="not valid base64"):
        run_flow(upload_large_media("data:image/png;base64," + "!" * 400, 10, upload), None)  # type: ignore[arg-type]
