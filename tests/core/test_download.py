"""Saving results: streamed to disk with bounded memory, resumed with Range, size-guarded."""

from __future__ import annotations

import asyncio
import tracemalloc

import pytest

from tarash.tarash_gateway.exceptions import HTTPConnectionError, ValidationError
from tarash.tarash_gateway.models import VideoGenerationResponse
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer

MIB = 1024 * 1024
BLOCK = bytes(range(256)) * 4096  # 1 MiB


def video(url: str) -> VideoGenerationResponse:
    return VideoGenerationResponse(request_id="r", video=url, content_type="video/mp4")


def test_a_large_result_streams_to_disk_with_bounded_memory(tmp_path):
    server = FakeServer()
    server.add_route("GET", "/big.mp4", lambda r: FakeResponse.stream([BLOCK] * 128, "video/mp4"))
    with server:
        tracemalloc.start()
        try:
            path = video(f"{server.url}/big.mp4").save(tmp_path / "big.mp4")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert path.stat().st_size == 128 * MIB
    assert peak < 32 * MIB, f"peak Python allocations {peak / MIB:.1f} MiB for a 128 MiB result"


def _resumable(body: bytes, drop_after: int, honour_range: bool):
    def route(request: FakeRequest) -> FakeResponse:
        wanted = request.headers.get("range")
        if wanted is None or not honour_range:
            chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
            first = not server.requests[:-1]
            return FakeResponse.stream(
                chunks, "video/mp4", drop_after=drop_after if first else None
            )
        start = int(wanted.removeprefix("bytes=").rstrip("-"))
        return FakeResponse(206, body[start:], {"Content-Type": "video/mp4"})

    server = FakeServer()
    server.add_route("GET", "/v.mp4", route)
    return server


def test_a_broken_download_resumes_with_range(tmp_path, driver):
    body = bytes(range(256)) * 40  # 10240 bytes, sent in 1000-byte chunks
    with _resumable(body, drop_after=3, honour_range=True) as server:
        response = video(f"{server.url}/v.mp4")
        target = tmp_path / "v.mp4"
        path = response.save(target) if driver == "sync" else asyncio.run(response.asave(target))
        ranges = [r.headers.get("range") for r in server.requests]
    assert path.read_bytes() == body
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert int(ranges[1].removeprefix("bytes=").rstrip("-")) >= 3000


def test_a_server_without_ranges_is_downloaded_again(tmp_path):
    body = bytes(range(256)) * 40
    with _resumable(body, drop_after=3, honour_range=False) as server:
        path = video(f"{server.url}/v.mp4").save(tmp_path / "v.mp4")
    assert path.read_bytes() == body and len(server.requests) == 2


def test_a_download_that_keeps_breaking_fails_and_keeps_the_old_file(tmp_path):
    server = FakeServer()
    server.add_route(
        "GET", "/v.mp4", lambda r: FakeResponse.stream([b"x" * 1000] * 5, "video/mp4", drop_after=1)
    )
    target = tmp_path / "v.mp4"
    target.write_bytes(b"the previous result")
    with server, pytest.raises(HTTPConnectionError):
        video(f"{server.url}/v.mp4").save(target)
    assert target.read_bytes() == b"the previous result"
    assert not list(tmp_path.glob(".*.part"))


def test_max_bytes_refuses_before_reading_and_while_reading(tmp_path):
    server = FakeServer()
    server.add_route("GET", "/declared", lambda r: FakeResponse(200, BLOCK * 2, {}))
    server.add_route("GET", "/chunked", lambda r: FakeResponse.stream([BLOCK] * 4, "video/mp4"))
    with server:
        with pytest.raises(ValidationError, match="declares 2097152 bytes, over max_bytes"):
            video(f"{server.url}/declared").save(tmp_path / "a.mp4", max_bytes=MIB)
        with pytest.raises(ValidationError, match="more than 1048576 bytes arrived"):
            video(f"{server.url}/chunked").save(tmp_path / "b.mp4", max_bytes=MIB)
    assert list(tmp_path.iterdir()) == []
