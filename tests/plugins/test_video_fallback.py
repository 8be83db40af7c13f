"""A video fallback chain across three job-queue providers: fal → runway → replicate."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import generate_video, generate_video_async
from tarash.tarash_gateway.exceptions import ContentModerationError, ValidationError
from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest
from tests.plugins.fal.fake_fal import FakeFalServer
from tests.plugins.replicate.fake_replicate import FakeReplicateServer
from tests.plugins.runway.fake_runway import FakeRunwayServer

FAL_MODEL = "fal-ai/veo3.1/fast"
REQUEST = VideoGenerationRequest(
    prompt="a red fox in the snow", duration_seconds=8, aspect_ratio="16:9"
)


@pytest.fixture
def fakes() -> Iterator[tuple[FakeFalServer, FakeRunwayServer, FakeReplicateServer]]:
    with (
        FakeFalServer(polls=2) as fal,
        FakeRunwayServer(polls=2) as runway,
        FakeReplicateServer(polls=2) as replicate,
    ):
        yield fal, runway, replicate


def chain(fal: Any, runway: Any, replicate: Any) -> VideoGenerationConfig:
    common = {"poll_interval": 0.01, "timeout": 20}
    return VideoGenerationConfig(
        provider="fal",
        model=FAL_MODEL,
        api_key="fal-id:secret",
        base_url=fal.url,
        fallback_configs=[
            VideoGenerationConfig(
                provider="runway",
                model="veo3.1_fast",
                api_key="rw-key",
                base_url=runway.url,
                **common,
            ),
            VideoGenerationConfig(
                provider="replicate",
                model="google/veo-3.1-fast",
                api_key="r8-key",
                base_url=replicate.url,
                **common,
            ),
        ],
        **common,
    )


def test_fal_fails_runway_fails_replicate_delivers(fakes: Any, driver: str) -> None:
    fal, runway, replicate = fakes
    fal.failing_models.add(FAL_MODEL)
    runway.failing_models.add("veo3.1_fast")
    config = chain(fal, runway, replicate)
    if driver == "sync":
        response = generate_video(config, REQUEST)
    else:
        response = asyncio.run(generate_video_async(config, REQUEST))

    assert response.provider == "replicate" and response.model == "google/veo-3.1-fast"
    assert response.video.startswith(replicate.url)
    attempts = response.execution_metadata.attempts
    assert [(a.provider, a.status, a.error_type) for a in attempts] == [
        ("fal", "failed", "GenerationFailedError"),
        ("runway", "failed", "GenerationFailedError"),
        ("replicate", "success", None),
    ]
    assert attempts[1].request_id in runway.tasks
    # one paid job per provider, each in its own wire format
    assert fal.submits == 1 and runway.created == 1 and replicate.created == 1
    assert fal.payload() == {
        "prompt": "a red fox in the snow",
        "duration": "8s",
        "aspect_ratio": "16:9",
    }
    assert runway.last("POST", r"/v1/text_to_video").json() == {
        "model": "veo3.1_fast",
        "promptText": "a red fox in the snow",
        "ratio": "1280:720",
        "duration": 8,
    }
    assert replicate.prediction().body == {
        "input": {"prompt": "a red fox in the snow", "aspect_ratio": "16:9", "duration": 8}
    }


def test_runway_delivers_and_replicate_is_never_called(fakes: Any) -> None:
    fal, runway, replicate = fakes
    fal.inject("POST", r"/fal-ai/veo3\.1/fast", status=503, json_body={"detail": "overloaded"})
    response = generate_video(chain(fal, runway, replicate), REQUEST)
    assert response.provider == "runway"
    assert [a.provider for a in response.execution_metadata.attempts] == ["fal", "runway"]
    assert replicate.requests == []


def test_moderation_stops_the_chain(fakes: Any) -> None:
    fal, runway, replicate = fakes
    fal.failing_models.add(FAL_MODEL)
    request = VideoGenerationRequest(prompt="something forbidden", duration_seconds=8)
    with pytest.raises(ContentModerationError) as caught:
        generate_video(chain(fal, runway, replicate), request)
    attempts = caught.value.execution_metadata.attempts
    assert [a.provider for a in attempts] == ["fal", "runway"]
    assert replicate.requests == [], "a moderation refusal is not retried elsewhere"


def test_bad_input_for_any_link_fails_before_any_request(fakes: Any) -> None:
    fal, runway, replicate = fakes
    request = VideoGenerationRequest(prompt="p", duration_seconds=5)  # Veo takes 4, 6 or 8
    with pytest.raises(ValidationError, match="duration_seconds=5"):
        generate_video(chain(fal, runway, replicate), request)
    assert fal.requests == [] and runway.requests == [] and replicate.requests == []
