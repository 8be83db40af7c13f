"""Money: a partly failed n-image batch returns what was paid for; no fallback buys it again.

Stability and Google make ``n`` images with ``n`` calls (``send_all``). When some
succeed and some fail, the images made are returned with the shortfall recorded
(``settle_batch``); the chain's next provider is never asked, so nothing paid is
bought twice and nothing paid is thrown away.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import generate_image, generate_image_async
from tarash.tarash_gateway.jobs import submit_image, wait_for_job
from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest
from tests.plugins.google.fake_google import FakeGoogleServer
from tests.plugins.stability.fake_stability import FakeStabilityServer

GOOGLE = r"/v1beta/models/gemini-3.1-flash-image:generateContent"
STABILITY = r"/v2beta/stable-image/generate/core"
REQUEST = ImageGenerationRequest(prompt="a red fox", n=3)


@pytest.fixture
def servers() -> Iterator[tuple[FakeGoogleServer, FakeStabilityServer]]:
    with FakeGoogleServer() as google, FakeStabilityServer() as stability:
        yield google, stability


def google_config(server: FakeGoogleServer, **kwargs: Any) -> ImageGenerationConfig:
    return ImageGenerationConfig(
        provider="google",
        model="gemini-3.1-flash-image",
        api_key="google-key",
        base_url=server.url,
        timeout=10,
        **kwargs,
    )


def stability_config(server: FakeStabilityServer, **kwargs: Any) -> ImageGenerationConfig:
    return ImageGenerationConfig(
        provider="stability",
        model="stable-image-core",
        api_key="sk-stability-key",
        base_url=server.url,
        timeout=10,
        **kwargs,
    )


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_google_shortfall_does_not_fall_back_to_stability(
    servers: tuple[FakeGoogleServer, FakeStabilityServer], driver: str
) -> None:
    google, stability = servers
    google.inject("POST", GOOGLE, status=500, json_body={"error": {"code": 500}})
    config = google_config(google, fallback_configs=[stability_config(stability)])
    if driver == "sync":
        response = generate_image(config, REQUEST)
    else:
        response = asyncio.run(generate_image_async(config, REQUEST))
    assert response.provider == "google" and len(response.images) == 2
    assert google.count("POST", GOOGLE) == 3
    assert stability.count("POST", r".*") == 0, "the fallback bought images already paid for"
    (attempt,) = response.execution_metadata.attempts
    assert attempt.status == "success"
    assert [(a.field, a.asked, a.sent) for a in attempt.adjustments] == [("n", 3, 2)]


def test_stability_shortfall_does_not_fall_back_to_google(
    servers: tuple[FakeGoogleServer, FakeStabilityServer],
) -> None:
    google, stability = servers
    stability.inject("POST", STABILITY, drop=True)  # may have been generated and charged
    config = stability_config(stability, fallback_configs=[google_config(google)])
    response = generate_image(config, REQUEST)
    assert response.provider == "stability" and len(response.images) == 2
    assert stability.count("POST", STABILITY) == 3
    assert google.count("POST", r".*") == 0
    (attempt,) = response.execution_metadata.attempts
    assert [(a.field, a.asked, a.sent) for a in attempt.adjustments] == [("n", 3, 2)]


def test_nothing_made_still_falls_back(
    servers: tuple[FakeGoogleServer, FakeStabilityServer],
) -> None:
    """No image made, nothing paid: the chain moves on as before."""
    google, stability = servers
    google.inject("POST", GOOGLE, status=503, json_body={"error": {"code": 503}}, times=3)
    config = google_config(google, fallback_configs=[stability_config(stability)])
    response = generate_image(config, REQUEST)
    assert response.provider == "stability" and len(response.images) == 3
    assert [a.status for a in response.execution_metadata.attempts] == ["failed", "success"]


def test_the_job_api_keeps_the_shortfall_on_the_handle(
    servers: tuple[FakeGoogleServer, FakeStabilityServer],
) -> None:
    google, stability = servers
    google.inject("POST", GOOGLE, status=500, json_body={"error": {"code": 500}})
    config = google_config(google, fallback_configs=[stability_config(stability)])
    handle = submit_image(config, REQUEST)
    assert handle.status == "completed" and handle.provider == "google"
    assert [(a.asked, a.sent) for a in handle.attempts[-1].adjustments] == [(3, 2)]
    revived = type(handle).model_validate_json(handle.model_dump_json())
    response = wait_for_job(revived, config)
    assert len(response.images) == 2 and stability.count("POST", r".*") == 0
    adjustments = response.execution_metadata.attempts[-1].adjustments
    assert [(a.asked, a.sent) for a in adjustments] == [(3, 2)]
