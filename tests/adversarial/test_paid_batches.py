"""Money: a partly failed n-image batch returns what was paid for; no fallback buys it again.

Stability and Google make ``n`` images with ``n`` calls (``send_all``). When some
succeed and some fail, the images made are returned with the shortfall recorded
(``settle_batch``); the chain's next provider is never asked, so nothing paid is
bought twice and nothing paid is thrown away. Both send the batch with ``send_batch``:
a call refused with a 429 or 5xx (nothing made, nothing billed) while others made
their image is sent again, once; a refusal that would repeat (4xx) and a call that may
have been billed (a connection lost after sending) are not.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import generate_image, generate_image_async
from tarash.tarash_gateway.jobs import submit_image, wait_for_job
from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, config_for
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
    values = {"model": "gemini-3.1-flash-image", "api_key": "google-key", **kwargs}
    return config_for(server, "google", "image", **values)


def stability_config(server: FakeStabilityServer, **kwargs: Any) -> ImageGenerationConfig:
    values = {"model": "stable-image-core", "api_key": "sk-stability-key", **kwargs}
    return config_for(server, "stability", "image", **values)


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_google_shortfall_does_not_fall_back_to_stability(
    servers: tuple[FakeGoogleServer, FakeStabilityServer], driver: str
) -> None:
    google, stability = servers
    google.inject("POST", GOOGLE, drop=True)  # may have been generated and billed
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
    google.inject("POST", GOOGLE, drop=True)
    config = google_config(google, fallback_configs=[stability_config(stability)])
    handle = submit_image(config, REQUEST)
    assert handle.status == "completed" and handle.provider == "google"
    assert [(a.asked, a.sent) for a in handle.attempts[-1].adjustments] == [(3, 2)]
    revived = type(handle).model_validate_json(handle.model_dump_json())
    response = wait_for_job(revived, config)
    assert len(response.images) == 2 and stability.count("POST", r".*") == 0
    adjustments = response.execution_metadata.attempts[-1].adjustments
    assert [(a.asked, a.sent) for a in adjustments] == [(3, 2)]


# ---------------------------------------------------------------- one policy, both providers
REFUSALS = {
    "google": (
        {"error": {"code": 503, "status": "UNAVAILABLE", "message": "busy"}},
        {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "bad prompt"}},
    ),
    "stability": (
        {"id": "e1", "name": "internal_error", "errors": ["busy"]},
        {"id": "e2", "name": "bad_request", "errors": ["bad prompt"]},
    ),
}


def _batch(
    servers: tuple[FakeGoogleServer, FakeStabilityServer], provider: str
) -> tuple[FakeServer, str, ImageGenerationConfig]:
    google, stability = servers
    if provider == "google":
        return google, GOOGLE, google_config(google)
    return stability, STABILITY, stability_config(stability)


def answer_calls(server: FakeServer, path: str, answers: dict[int, FakeResponse]) -> None:
    """Answer the k-th POST to ``path`` (1-based, in arrival order) with ``answers[k]``."""
    dispatch, seen = server.dispatch, []

    def counted(request: FakeRequest) -> FakeResponse:
        answer = dispatch(request)  # recorded, and answered by the route
        if request.method == "POST" and re.fullmatch(path, request.path):
            seen.append(request)
            return answers.get(len(seen), answer)
        return answer

    server.dispatch = counted  # type: ignore[method-assign]


@pytest.mark.parametrize("provider", ["google", "stability"])
def test_a_refused_call_of_a_partly_made_batch_is_sent_again_once(
    servers: tuple[FakeGoogleServer, FakeStabilityServer], provider: str
) -> None:
    server, path, config = _batch(servers, provider)
    busy = FakeResponse.json(REFUSALS[provider][0], 503, {"Retry-After": "0"})
    answer_calls(server, path, {2: busy})
    response = generate_image(config, REQUEST)
    assert len(response.images) == 3 and server.count("POST", path) == 4
    assert response.execution_metadata.attempts[0].adjustments == []


def _answer(provider: str, kind: str) -> FakeResponse:
    busy, bad = REFUSALS[provider]
    if kind == "busy":  # refused: nothing made, nothing billed
        return FakeResponse.json(busy, 503, {"Retry-After": "0"})
    if kind == "bad":  # a refusal that would repeat
        return FakeResponse.json(bad, 400)
    dropped = FakeResponse(500)  # the request arrived, the answer never came: maybe billed
    dropped.drop = True
    return dropped


@pytest.mark.parametrize("provider", ["google", "stability"])
@pytest.mark.parametrize(
    ("answers", "calls", "failure"),
    [
        ({2: "busy", 4: "busy"}, 4, "HTTPError"),  # the call, and its one resend
        ({2: "bad"}, 3, "ValidationError"),
        ({2: "dropped"}, 3, "HTTPConnectionError"),
    ],
    ids=["refused-twice", "would-repeat", "maybe-billed"],
)
def test_what_is_not_sent_again_is_a_recorded_shortfall(
    servers: tuple[FakeGoogleServer, FakeStabilityServer],
    provider: str,
    answers: dict[int, str],
    calls: int,
    failure: str,
) -> None:
    server, path, config = _batch(servers, provider)
    answer_calls(server, path, {k: _answer(provider, kind) for k, kind in answers.items()})
    response = asyncio.run(generate_image_async(config, REQUEST))
    assert len(response.images) == 2 and server.count("POST", path) == calls
    (shortfall,) = response.execution_metadata.attempts[0].adjustments
    assert (shortfall.asked, shortfall.sent) == (3, 2) and failure in shortfall.why
