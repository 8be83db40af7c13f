"""A fallback chain across three providers' fakes: stability → xai → fal, for one image."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tarash.tarash_gateway import generate_image, generate_image_async
from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest
from tests.plugins.fal.fake_fal import FakeFalServer
from tests.plugins.stability.fake_stability import FakeStabilityServer
from tests.plugins.xai.fake_xai import FakeXAIServer

STABILITY = r"/v2beta/stable-image/generate/core"
XAI = r"/v1/images/generations"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeStabilityServer, FakeXAIServer, FakeFalServer]]:
    with FakeStabilityServer() as stability, FakeXAIServer() as xai, FakeFalServer() as fal:
        yield stability, xai, fal


def chain(
    stability: FakeStabilityServer, xai: FakeXAIServer, fal: FakeFalServer
) -> ImageGenerationConfig:
    return ImageGenerationConfig(
        provider="stability",
        model="stable-image-core",
        api_key="sk-stability",
        base_url=stability.url,
        fallback_configs=[
            ImageGenerationConfig(
                provider="xai",
                model="grok-imagine-image",
                api_key="xai-key",
                base_url=f"{xai.url}/v1",
                fallback_configs=[
                    ImageGenerationConfig(
                        provider="fal",
                        model="fal-ai/flux/dev",
                        api_key="fal-key",
                        base_url=fal.url,
                        poll_interval=0.01,
                    )
                ],
            )
        ],
    )


def test_stability_then_xai_then_fal(fakes, driver: str) -> None:
    stability, xai, fal = fakes
    stability.inject(
        "POST",
        STABILITY,
        status=503,
        json_body={"id": "e", "name": "unavailable", "errors": ["busy"]},
    )
    xai.inject("POST", XAI, status=500, json_body={"code": "Internal", "error": "oops"})
    request = ImageGenerationRequest(prompt="a lighthouse", aspect_ratio="16:9")
    if driver == "sync":
        response = generate_image(chain(stability, xai, fal), request)
    else:
        response = asyncio.run(generate_image_async(chain(stability, xai, fal), request))
    assert response.provider == "fal" and response.images
    attempts = response.execution_metadata.attempts
    assert [(a.provider, a.status) for a in attempts] == [
        ("stability", "failed"),
        ("xai", "failed"),
        ("fal", "success"),
    ]
    assert stability.count("POST", STABILITY) == 1 and xai.count("POST", XAI) == 1
    assert response.usage is None  # fal reports no cost; xAI's would have been kept


def test_a_moderation_refusal_stops_the_chain(fakes) -> None:
    stability, xai, fal = fakes
    request = ImageGenerationRequest(prompt="moderation-block")
    with pytest.raises(Exception) as caught:
        generate_image(chain(stability, xai, fal), request)
    assert type(caught.value).__name__ == "ContentModerationError"
    assert xai.requests == [] and fal.requests == []


def test_the_second_link_answers_with_its_cost(fakes) -> None:
    stability, xai, fal = fakes
    stability.inject(
        "POST",
        STABILITY,
        status=429,
        json_body={"id": "e", "name": "rate_limit", "errors": ["slow"]},
    )
    response = generate_image(chain(stability, xai, fal), ImageGenerationRequest(prompt="p"))
    assert response.provider == "xai" and str(response.usage.cost) == "0.02"
    assert fal.requests == []
