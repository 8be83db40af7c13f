"""Money: a paid result over the media cap is refused clearly, never lost, never re-bought.

Media a flow reads into memory (here a Veo video the Google plugin downloads in
its poll flow) is capped by ``max_media_bytes``. Beyond it the call raises
ResultTooLargeError naming the result's URL and the job; the job is not
cancelled, no fallback runs, and the same job is waited for again with a larger cap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import configure_http, generate_video
from tarash.tarash_gateway.exceptions import ResultTooLargeError, is_retryable_error
from tarash.tarash_gateway.jobs import (
    submit_video,
    submit_video_async,
    wait_for_job,
    wait_for_job_async,
)
from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest
from tarash.tarash_gateway.testing import config_for
from tests.plugins.google.fake_google import MP4, FakeGoogleServer

KEY = "AIza-media-cap-key"
FAST = "veo-3.1-fast-generate-001"
START = rf"/v1beta/models/{FAST}:predictLongRunning"
DOWNLOAD = r"/v1beta/files/[^/]+:download"
REQUEST = VideoGenerationRequest(prompt="a fox")


@pytest.fixture
def server() -> Iterator[FakeGoogleServer]:
    with FakeGoogleServer(polls=2) as fake:
        yield fake


def config(server: FakeGoogleServer, **kwargs: Any) -> VideoGenerationConfig:
    return config_for(server, "google", "video", **{"model": FAST, "api_key": KEY, **kwargs})


def test_a_video_over_the_media_cap_names_its_url_and_falls_back_to_nothing(
    server: FakeGoogleServer,
) -> None:
    configure_http(max_media_bytes=len(MP4) - 1)
    cfg = config(server, fallback_configs=[VideoGenerationConfig(provider="mock")])
    with pytest.raises(ResultTooLargeError) as caught:
        generate_video(cfg, REQUEST)
    error = caught.value
    assert error.url is not None and ":download" in error.url and error.url in error.message
    assert "max_media_bytes" in error.message and str(len(MP4) - 1) in error.message
    assert error.request_id is not None
    assert error.request_id.startswith(f"models/{FAST}/operations/")
    assert not is_retryable_error(error)
    assert error.execution_metadata is not None
    assert [a.provider for a in error.execution_metadata.attempts] == ["google"]
    assert server.count("GET", DOWNLOAD) == 1, "a result over the cap is not fetched again"
    assert server.count("POST", START) == 1
    assert KEY not in str(error)


def test_media_under_the_cap_is_read_whole(server: FakeGoogleServer) -> None:
    configure_http(max_media_bytes=len(MP4))
    response = generate_video(config(server), REQUEST)
    assert isinstance(response.video, dict) and response.video["content"] == MP4


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_the_job_over_the_cap_is_waited_for_again_with_a_larger_cap(
    server: FakeGoogleServer, driver: str
) -> None:
    cfg = config(server)
    configure_http(max_media_bytes=64)
    if driver == "sync":
        handle = submit_video(cfg, REQUEST)
        with pytest.raises(ResultTooLargeError):
            wait_for_job(handle, cfg)
    else:
        handle = asyncio.run(submit_video_async(cfg, REQUEST))
        with pytest.raises(ResultTooLargeError):
            asyncio.run(wait_for_job_async(handle, cfg))
    assert handle.status != "cancelled" and handle.error is not None
    configure_http(max_media_bytes=1 << 30)
    response = wait_for_job(handle, cfg)
    assert isinstance(response.video, dict) and response.video["content"] == MP4
    assert server.count("POST", START) == 1 and server.count("GET", DOWNLOAD) == 2
