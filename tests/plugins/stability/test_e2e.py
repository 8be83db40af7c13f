"""End to end through the public API against the fake Stability server, sync and async."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, generate_image, generate_image_async
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    HTTPConnectionError,
    HTTPError,
    MalformedResponseError,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest
from tarash.tarash_gateway.testing import config_for, generate
from tests.plugins.stability.fake_stability import JPEG, FakeStabilityServer

KEY = "sk-stability-e2e"
PNG = _mock_media.png(24, 24)
CORE = r"/v2beta/stable-image/generate/core"
ULTRA = r"/v2beta/stable-image/generate/ultra"
SD3 = r"/v2beta/stable-image/generate/sd3"
CREATIVE = r"/v2beta/stable-image/upscale/creative"
RESULTS = r"/v2beta/results/[0-9a-f]+"


@pytest.fixture
def server() -> Iterator[FakeStabilityServer]:
    with FakeStabilityServer(polls=3) as fake:
        yield fake


def config(server: FakeStabilityServer, **kwargs: Any) -> ImageGenerationConfig:
    values = {"model": "stable-image-core", "api_key": KEY, **kwargs}
    return config_for(server, "stability", "image", **values)


def decoded(response: Any) -> list[bytes]:
    return [base64.b64decode(image) for image in response.images]


# ---------------------------------------------------------------- generation
def test_core_text_to_image(server: FakeStabilityServer, driver: str) -> None:
    request = ImageGenerationRequest(
        prompt="a red fox", aspect_ratio="16:9", seed=7, style="anime", negative_prompt="snow"
    )
    response = generate(driver, "image", config(server), request)
    sent = server.last("POST", CORE)
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["accept"] == "image/*"
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert sent.form() == {
        "prompt": "a red fox",
        "negative_prompt": "snow",
        "aspect_ratio": "16:9",
        "seed": "7",
        "style_preset": "anime",
    }
    assert decoded(response)[0].startswith(b"\x89PNG") and len(response.images) == 1
    assert response.content_type == "image/png"
    assert response.raw_response["results"][0]["seed"] == 7
    assert response.raw_response["results"][0]["finish_reason"] == "SUCCESS"
    assert response.provider == "stability" and response.model == "stable-image-core"
    assert response.usage is None  # Stability reports no cost in its answers


def test_sd35_image_to_image_uploads_a_url_image(server: FakeStabilityServer, driver: str) -> None:
    url = server.serve_media("photo.png", PNG, "image/png")
    request = ImageGenerationRequest(
        prompt="in winter",
        image_list=[{"image": url, "type": "reference"}],
        strength=0.6,
        output_format="jpeg",
    )
    response = generate(driver, "image", config(server, model="sd3.5-large-turbo"), request)
    sent = server.last("POST", SD3)
    fields, files = sent.multipart()
    assert {k: v[-1] for k, v in fields.items()} == {
        "model": "sd3.5-large-turbo",
        "prompt": "in winter",
        "strength": "0.6",
        "output_format": "jpeg",
        "mode": "image-to-image",
    }
    assert files["image"][0].content == PNG and files["image"][0].content_type == "image/png"
    assert "authorization" not in server.last("GET", r"/media/photo.png").headers
    assert decoded(response) == [JPEG] and response.content_type == "image/jpeg"


def test_inpaint_uploads_image_and_mask(server: FakeStabilityServer, tmp_path: Any) -> None:
    mask = _mock_media.png(24, 24, seed=9)
    request = ImageGenerationRequest(
        prompt="a red door",
        image_list=[{"image": PNG, "type": "reference"}],
        mask_image={"content": mask, "content_type": "image/png"},
        output_format="webp",
    )
    response = generate_image(config(server, model="stable-image-inpaint"), request)
    sent = server.last("POST", r"/v2beta/stable-image/edit/inpaint")
    _, files = sent.multipart()
    assert files["image"][0].content == PNG and files["mask"][0].content == mask
    assert response.content_type == "image/webp"
    assert response.save(tmp_path / "door").suffix == ".webp"


def test_n_images_are_n_concurrent_calls(server: FakeStabilityServer, driver: str) -> None:
    server.delay = 0.4
    started = time.perf_counter()
    response = generate(
        driver, "image", config(server), ImageGenerationRequest(prompt="a fox", n=3)
    )
    elapsed = time.perf_counter() - started
    assert server.count("POST", CORE) == 3
    assert len(response.images) == 3 and len(set(response.images)) == 3
    seeds = [r["seed"] for r in response.raw_response["results"]]
    assert len(set(seeds)) == 3
    assert elapsed < 2 * 0.4 + 0.6, f"3 calls of 0.4 s took {elapsed:.2f} s"


def test_creative_upscale_is_polled_at_results(server: FakeStabilityServer, driver: str) -> None:
    updates: list[str] = []
    request = ImageGenerationRequest(
        prompt="crisp", image_list=[{"image": PNG, "type": "reference"}], creativity=0.3
    )
    cfg = config(server, model="stable-image-upscale-creative")
    if driver == "sync":
        response = generate_image(cfg, request, on_progress=lambda u: updates.append(u.status))
    else:

        async def record(update: Any) -> None:
            updates.append(update.status)

        response = asyncio.run(generate_image_async(cfg, request, on_progress=record))
    assert server.count("POST", CREATIVE) == 1
    assert server.count("GET", RESULTS) == 3
    assert server.last("GET", RESULTS).headers["accept"] == "image/*"
    assert response.request_id in server.jobs
    assert decoded(response)[0].startswith(b"\x89PNG")
    assert updates[0] == "queued" and updates[-1] == "completed"


# ---------------------------------------------------------------- moderation and errors
def test_content_filtered_is_moderation_never_an_image(
    server: FakeStabilityServer, driver: str
) -> None:
    with pytest.raises(ContentModerationError) as caught:
        generate(driver, "image", config(server), ImageGenerationRequest(prompt="content-filtered"))
    assert "CONTENT_FILTERED" in str(caught.value)
    assert not is_retryable_error(caught.value)


def test_filtered_outputs_of_a_batch_are_left_out(server: FakeStabilityServer) -> None:
    response = generate_image(config(server), ImageGenerationRequest(prompt="filter-second", n=3))
    assert len(response.images) == 2
    assert response.raw_response["filtered"] == 1
    reasons = sorted(r["finish_reason"] for r in response.raw_response["results"])
    assert reasons == ["CONTENT_FILTERED", "SUCCESS", "SUCCESS"]


def test_moderation_403_is_content_moderation(server: FakeStabilityServer) -> None:
    with pytest.raises(ContentModerationError, match="content_moderation"):
        generate_image(config(server), ImageGenerationRequest(prompt="moderation-block"))


def test_400_is_a_validation_error_with_stability_text(server: FakeStabilityServer) -> None:
    server.inject(
        "POST",
        CORE,
        status=400,
        json_body={"id": "e1", "name": "bad_request", "errors": ["prompt: cannot be empty"]},
    )
    with pytest.raises(ValidationError, match="bad_request: prompt: cannot be empty"):
        generate_image(config(server), ImageGenerationRequest(prompt="p"))


def test_413_is_a_validation_error(server: FakeStabilityServer) -> None:
    server.inject(
        "POST",
        ULTRA,
        status=413,
        json_body={"id": "e2", "name": "payload_too_large", "errors": ["body: too large"]},
    )
    with pytest.raises(ValidationError, match="10 MiB"):
        generate_image(
            config(server, model="stable-image-ultra"), ImageGenerationRequest(prompt="p")
        )


def test_402_moves_the_chain_on(server: FakeStabilityServer) -> None:
    server.inject(
        "POST",
        CORE,
        status=402,
        json_body={"id": "e3", "name": "payment_required", "errors": ["insufficient credits"]},
    )
    cfg = config(server, fallback_configs=[ImageGenerationConfig(provider="mock")])
    response = generate_image(cfg, ImageGenerationRequest(prompt="p"))
    assert response.provider == "mock"
    assert server.count("POST", CORE) == 1


def test_429_with_retry_after_is_waited_out(server: FakeStabilityServer, driver: str) -> None:
    server.inject(
        "POST",
        CORE,
        status=429,
        json_body={"id": "e4", "name": "rate_limit_exceeded", "errors": ["slow down"]},
        headers={"Retry-After": "0"},
    )
    response = generate(driver, "image", config(server), ImageGenerationRequest(prompt="p"))
    assert len(response.images) == 1 and server.count("POST", CORE) == 2


def test_a_refused_call_of_a_paid_batch_is_resent_alone(server: FakeStabilityServer) -> None:
    server.inject(
        "POST",
        CORE,
        status=503,
        json_body={"id": "e5", "name": "internal_error", "errors": ["busy"]},
        headers={"Retry-After": "0"},
    )
    response = generate_image(config(server), ImageGenerationRequest(prompt="p", n=3))
    assert len(response.images) == 3
    assert server.count("POST", CORE) == 4  # three, then the refused one again


def test_a_batch_that_loses_a_call_returns_the_paid_images(
    server: FakeStabilityServer, driver: str
) -> None:
    """A dropped call may have been charged: the 2 images made are returned, nothing re-bought."""
    server.inject("POST", CORE, drop=True)  # may have generated: never re-sent
    cfg = config(server, fallback_configs=[ImageGenerationConfig(provider="mock")])
    response = generate(driver, "image", cfg, ImageGenerationRequest(prompt="p", n=3))
    assert response.provider == "stability" and len(response.images) == 2
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in response.images)
    assert server.count("POST", CORE) == 3
    metadata = response.execution_metadata
    assert (metadata.total_attempts, metadata.fallback_triggered) == (1, False)
    (shortfall,) = metadata.attempts[0].adjustments
    assert (shortfall.field, shortfall.asked, shortfall.sent) == ("n", 3, 2)
    assert "HTTPConnectionError" in shortfall.why
    assert len(response.raw_response["errors"]) == 1


def test_an_unreadable_answer_of_a_batch_is_a_recorded_shortfall(
    server: FakeStabilityServer,
) -> None:
    """A 200 that breaks the protocol may have been charged: never re-sent, the rest kept."""
    server.inject("POST", CORE, status=200, body=PNG, headers={"Content-Type": "image/png"})
    cfg = config(server, fallback_configs=[ImageGenerationConfig(provider="mock")])
    response = generate_image(cfg, ImageGenerationRequest(prompt="p", n=3))
    assert response.provider == "stability" and len(response.images) == 2
    assert server.count("POST", CORE) == 3
    (shortfall,) = response.execution_metadata.attempts[0].adjustments
    assert (shortfall.asked, shortfall.sent) == (3, 2)
    assert "MalformedResponseError" in shortfall.why and "finish-reason" in shortfall.why


def test_filtered_images_of_a_batch_are_a_recorded_shortfall(server: FakeStabilityServer) -> None:
    server.inject(
        "POST",
        CORE,
        status=200,
        body=PNG,
        headers={"Content-Type": "image/png", "finish-reason": "CONTENT_FILTERED"},
    )
    response = generate_image(config(server), ImageGenerationRequest(prompt="p", n=2))
    assert len(response.images) == 1 and response.raw_response["filtered"] == 1
    (shortfall,) = response.execution_metadata.attempts[0].adjustments
    assert (shortfall.asked, shortfall.sent) == (2, 1)
    assert "ContentModerationError" in shortfall.why


def test_5xx_at_submit_is_retryable_and_not_resubmitted(
    server: FakeStabilityServer, driver: str
) -> None:
    server.inject("POST", CORE, status=500, json_body={"id": "e", "name": "internal_error"})
    with pytest.raises(HTTPError) as caught:
        generate(driver, "image", config(server), ImageGenerationRequest(prompt="p"))
    assert caught.value.status_code == 500 and is_retryable_error(caught.value)
    assert server.count("POST", CORE) == 1


def test_dropped_submit_is_not_resubmitted(server: FakeStabilityServer) -> None:
    server.inject("POST", CORE, drop=True)
    with pytest.raises(HTTPConnectionError):
        generate_image(config(server), ImageGenerationRequest(prompt="p"))
    assert server.count("POST", CORE) == 1


@pytest.mark.parametrize(
    ("body", "headers", "needle"),
    [
        (b'{"image": "aGk=", "finish_reason": "SUCCESS"}', {"Content-Type": "application/json"}, "instead of an image"),
        (PNG, {"Content-Type": "image/png"}, "finish-reason"),
        (b"", {"Content-Type": "image/png", "finish-reason": "SUCCESS"}, "instead of an image"),
    ],
)  # fmt: skip
def test_malformed_answers(
    server: FakeStabilityServer, body: bytes, headers: dict[str, str], needle: str
) -> None:
    server.inject("POST", CORE, status=200, body=body, headers=headers)
    with pytest.raises(MalformedResponseError, match=needle):
        generate_image(config(server), ImageGenerationRequest(prompt="p"))


def test_poll_faults_are_retried_without_resubmitting(server: FakeStabilityServer) -> None:
    server.inject("GET", RESULTS, status=503, json_body={"id": "x", "name": "internal_error"})
    server.inject("GET", RESULTS, drop=True)
    request = ImageGenerationRequest(
        prompt="crisp", image_list=[{"image": PNG, "type": "reference"}]
    )
    response = generate_image(config(server, model="stable-image-upscale-creative"), request)
    assert len(response.images) == 1
    assert server.count("POST", CREATIVE) == 1


def test_expired_result_is_an_error(server: FakeStabilityServer) -> None:
    server.inject(
        "GET", RESULTS, status=404, json_body={"id": "x", "name": "not_found", "errors": ["gone"]}
    )
    request = ImageGenerationRequest(prompt="p", image_list=[{"image": PNG, "type": "reference"}])
    with pytest.raises(HTTPError, match="not_found: gone") as caught:
        generate_image(config(server, model="stable-image-upscale-creative"), request)
    assert caught.value.status_code == 404 and caught.value.request_id in server.jobs


def test_timeout_while_polling(server: FakeStabilityServer, driver: str) -> None:
    server.polls = 10_000
    request = ImageGenerationRequest(prompt="p", image_list=[{"image": PNG, "type": "reference"}])
    cfg = config(server, model="stable-image-upscale-creative", timeout=0.5, poll_interval=0.05)
    with pytest.raises(TimeoutError):
        generate(driver, "image", cfg, request)
    assert server.count("POST", CREATIVE) == 1


def test_key_from_environment(server: FakeStabilityServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STABILITY_API_KEY", "sk-from-env")
    generate_image(config(server, api_key=None), ImageGenerationRequest(prompt="p"))
    assert server.last("POST", CORE).headers["authorization"] == "Bearer sk-from-env"
