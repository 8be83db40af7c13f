"""End to end through the public API against the fake xAI server, sync and async."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tarash.tarash_gateway import (
    _mock_media,
    generate_image,
    generate_video,
    generate_video_async,
)
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    MalformedResponseError,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import config_for, generate
from tests.plugins.xai.fake_xai import FakeXAIServer

KEY = "xai-e2e-key"
PNG = _mock_media.png(12, 12)
IMAGES = r"/v1/images/generations"
EDITS = r"/v1/images/edits"
CREATE = r"/v1/videos/generations"
STATUS = r"/v1/videos/[0-9a-f-]{36}"


@pytest.fixture
def server() -> Iterator[FakeXAIServer]:
    with FakeXAIServer(polls=3) as fake:
        yield fake


def image_config(server: FakeXAIServer, **kwargs: Any) -> ImageGenerationConfig:
    return config_for(server, "xai", "image", base_path="/v1", **{"api_key": KEY, **kwargs})


def video_config(server: FakeXAIServer, **kwargs: Any) -> VideoGenerationConfig:
    values = {"model": "grok-imagine-video", "api_key": KEY, **kwargs}
    return config_for(server, "xai", "video", base_path="/v1", **values)


# ---------------------------------------------------------------- images
def test_images_with_cost(server: FakeXAIServer, driver: str, tmp_path: Any) -> None:
    request = ImageGenerationRequest(prompt="a red fox", n=2, aspect_ratio="16:9")
    response = generate(driver, "image", image_config(server), request)
    sent = server.last("POST", IMAGES)
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.json() == {
        "model": "grok-imagine-image",
        "prompt": "a red fox",
        "n": 2,
        "aspect_ratio": "16:9",
    }
    assert len(response.images) == 2 and response.images[0].startswith(f"{server.url}/files/")
    assert response.content_type == "image/png"
    assert response.revised_prompt == "A detailed picture of a red fox"
    assert response.usage is not None
    assert response.usage.cost == Decimal("0.04") and response.usage.currency == "USD"
    assert response.usage.units == {"cost_in_usd_ticks": 400_000_000}
    assert response.usage.raw == {"cost_in_usd_ticks": 400_000_000}
    assert response.save(tmp_path / "fox", index=1).read_bytes().startswith(b"\x89PNG")
    assert response.model_dump(mode="json")["usage"]["cost"] == "0.04"


def test_base64_images(server: FakeXAIServer) -> None:
    response = generate_image(
        image_config(server, model="grok-imagine-image-quality"),
        ImageGenerationRequest(prompt="p", response_format="b64_json"),
    )
    assert base64.b64decode(response.images[0]).startswith(b"\x89PNG")
    assert response.raw_response["data"][0]["b64_json"].startswith("<base64")
    assert response.usage.cost == Decimal("0.07")


def test_edits_send_images_as_data_uris(server: FakeXAIServer, driver: str) -> None:
    url = server.serve_media("in.png", PNG, "image/png")
    request = ImageGenerationRequest(
        prompt="night",
        aspect_ratio="1:1",
        image_list=[{"image": url, "type": "reference"}, {"image": PNG, "type": "reference"}],
    )
    response = generate(driver, "image", image_config(server), request)
    body = server.last("POST", EDITS).json()
    assert body["images"][0] == {"url": url, "type": "image_url"}
    assert body["images"][1]["url"].startswith("data:image/png;base64,")
    assert len(response.images) == 1 and server.count("POST", IMAGES) == 0


def test_blocked_outputs_are_left_out_and_all_blocked_is_moderation(server: FakeXAIServer) -> None:
    response = generate_image(
        image_config(server), ImageGenerationRequest(prompt="block-some", n=3)
    )
    assert len(response.images) == 2 and response.raw_response["blocked"] == 1
    with pytest.raises(ContentModerationError, match="all 2 images") as caught:
        generate_image(image_config(server), ImageGenerationRequest(prompt="block-all", n=2))
    assert not is_retryable_error(caught.value)


def test_refused_prompt_is_moderation(server: FakeXAIServer) -> None:
    with pytest.raises(ContentModerationError, match="content moderation"):
        generate_image(image_config(server), ImageGenerationRequest(prompt="moderation-block"))


def test_400_is_a_validation_error_with_xai_text(server: FakeXAIServer) -> None:
    server.inject(
        "POST",
        IMAGES,
        status=400,
        json_body={
            "code": "Client specified an invalid argument",
            "error": "Argument not supported: n",
        },
    )
    with pytest.raises(ValidationError, match="Argument not supported: n"):
        generate_image(image_config(server), ImageGenerationRequest(prompt="p"))


def test_out_of_credits_moves_the_chain_on(server: FakeXAIServer) -> None:
    server.inject(
        "POST",
        IMAGES,
        status=403,
        json_body={"code": "Forbidden", "error": "Your team has run out of credits."},
    )
    cfg = image_config(server, fallback_configs=[ImageGenerationConfig(provider="mock")])
    response = generate_image(cfg, ImageGenerationRequest(prompt="p"))
    assert response.provider == "mock" and server.count("POST", IMAGES) == 1


def test_image_submit_faults(server: FakeXAIServer, driver: str) -> None:
    server.inject("POST", IMAGES, status=503, json_body={"code": "Unavailable", "error": "busy"})
    with pytest.raises(HTTPError) as caught:
        generate(driver, "image", image_config(server), ImageGenerationRequest(prompt="p"))
    assert is_retryable_error(caught.value) and server.count("POST", IMAGES) == 1
    server.inject("POST", IMAGES, drop=True)
    with pytest.raises(HTTPConnectionError):
        generate(driver, "image", image_config(server), ImageGenerationRequest(prompt="p"))
    assert server.count("POST", IMAGES) == 2


def test_malformed_image_answers(server: FakeXAIServer) -> None:
    server.inject("POST", IMAGES, status=200, json_body={"data": "nope"})
    with pytest.raises(MalformedResponseError, match="'data' list"):
        generate_image(image_config(server), ImageGenerationRequest(prompt="p"))
    server.inject("POST", IMAGES, status=200, json_body={"data": [{"url": None}]})
    with pytest.raises(MalformedResponseError, match="url or b64_json"):
        generate_image(image_config(server), ImageGenerationRequest(prompt="p"))


# ---------------------------------------------------------------- video
def test_text_to_video_is_polled_and_costed(server: FakeXAIServer, driver: str) -> None:
    updates: list[Any] = []
    request = VideoGenerationRequest(
        prompt="a candle", duration_seconds=6, aspect_ratio="16:9", resolution="720p"
    )
    if driver == "sync":
        response = generate_video(video_config(server), request, on_progress=updates.append)
    else:

        async def record(update: Any) -> None:
            updates.append(update)

        response = asyncio.run(
            generate_video_async(video_config(server), request, on_progress=record)
        )
    assert server.last("POST", CREATE).json() == {
        "model": "grok-imagine-video",
        "prompt": "a candle",
        "duration": 6,
        "aspect_ratio": "16:9",
        "resolution": "720p",
    }
    assert server.count("GET", STATUS) == 3
    assert response.video.startswith(f"{server.url}/files/") and response.duration == 6.0
    assert response.request_id in server.videos
    assert response.usage is not None and response.usage.cost == Decimal("0.3")
    assert [u.progress_percent for u in updates if u.status == "processing"] == [10, 60]
    assert updates[-1].status == "completed"


def test_video_edit_and_extension_endpoints(server: FakeXAIServer, driver: str) -> None:
    clip = server.serve_media("clip.mp4", _mock_media.sample("sample.mp4"), "video/mp4")
    edited = generate(
        driver, "video", video_config(server), VideoGenerationRequest(prompt="snow", video=clip)
    )
    assert server.last("POST", r"/v1/videos/edits").json() == {
        "model": "grok-imagine-video",
        "prompt": "snow",
        "video": {"url": clip},
    }
    extended = generate(
        driver,
        "video",
        video_config(server),
        VideoGenerationRequest(prompt="rain", video=clip, duration_seconds=4),
    )
    assert server.last("POST", r"/v1/videos/extensions").json()["duration"] == 4
    assert edited.video and extended.duration == 4.0


def test_image_to_video_on_1_5(server: FakeXAIServer) -> None:
    request = VideoGenerationRequest(
        prompt="animate", resolution="1080p", image_list=[{"image": PNG, "type": "first_frame"}]
    )
    generate_video(video_config(server, model="grok-imagine-video-1.5"), request)
    body = server.last("POST", CREATE).json()
    assert body["image"]["url"].startswith("data:image/png;base64,")
    assert body["resolution"] == "1080p"


@pytest.mark.parametrize(
    ("prompt", "error", "needle"),
    [
        ("fail-job", GenerationFailedError, "Video generation failed"),
        ("expire-job", GenerationFailedError, "expired"),
        ("moderation-output", ContentModerationError, "respect_moderation"),
    ],
)
def test_video_outcomes(server: FakeXAIServer, prompt: str, error: type, needle: str) -> None:
    with pytest.raises(error, match=needle) as caught:
        generate_video(video_config(server), VideoGenerationRequest(prompt=prompt))
    assert caught.value.request_id in server.videos
    assert server.count("POST", CREATE) == 1


def test_poll_faults_are_retried_without_resubmitting(server: FakeXAIServer) -> None:
    server.inject("GET", STATUS, status=500, json_body={"code": "Internal", "error": "oops"})
    server.inject("GET", STATUS, drop=True)
    server.inject("GET", STATUS, status=200, body=b"<html>")
    response = generate_video(video_config(server), VideoGenerationRequest(prompt="p"))
    assert response.video and server.count("POST", CREATE) == 1


def test_video_timeout(server: FakeXAIServer, driver: str) -> None:
    server.polls = 10_000
    with pytest.raises(TimeoutError):
        generate(
            driver, "video", video_config(server, timeout=0.5), VideoGenerationRequest(prompt="p")
        )
    assert server.count("POST", CREATE) == 1


def test_429_at_video_submit_is_waited_out(server: FakeXAIServer) -> None:
    server.inject(
        "POST",
        CREATE,
        status=429,
        json_body={"code": "Too many requests", "error": "slow down"},
        headers={"Retry-After": "0"},
    )
    response = generate_video(video_config(server), VideoGenerationRequest(prompt="p"))
    assert response.video and server.count("POST", CREATE) == 2


def test_a_403_that_names_no_moderation_is_an_http_error(server: FakeXAIServer) -> None:
    server.inject(
        "POST",
        IMAGES,
        status=403,
        json_body={"code": "Forbidden", "error": "Your team is blocked from using this model."},
    )
    with pytest.raises(HTTPError) as caught:
        generate_image(image_config(server), ImageGenerationRequest(prompt="p"))
    assert not isinstance(caught.value, ContentModerationError)
    assert caught.value.status_code == 403 and not is_retryable_error(caught.value)
