"""The Stability flows driven directly with recorded answers (no server)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.exceptions import ContentModerationError, HTTPError
from tarash.tarash_gateway.models import ImageGenerationRequest
from tarash.tarash_gateway.plugin import Concurrently, Sleep
from tarash.tarash_gateway.testing.flows import make_context, run_flow
from tarash_stability import plugin

PNG = _mock_media.png(8, 8)
POSTED = httpx.Request("POST", "http://fake.invalid/v2beta/stable-image/generate/core")


def ctx(model: str = "stable-image-core", **request: Any) -> Any:
    return make_context("stability", model, "image", ImageGenerationRequest(prompt="p", **request))


def image_answer(reason: str = "SUCCESS", seed: str = "5") -> httpx.Response:
    return httpx.Response(
        200,
        content=PNG,
        headers={"content-type": "image/png", "finish-reason": reason, "seed": seed},
    )


def stability_error(status: int, name: str, *errors: str, **headers: str) -> httpx.Response:
    body = {"id": "e", "name": name, "errors": list(errors)}
    return httpx.Response(status, json=body, headers=headers, request=POSTED)


def test_the_form_goes_as_multipart_parts_with_image_accept() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return image_answer()

    job = run_flow(plugin.submit({"prompt": "p", "seed": 3}, ctx()), answer)
    (request,) = sent
    assert request.url == "http://fake.invalid/v2beta/stable-image/generate/core"
    assert request.headers["accept"] == "image/*"
    assert request.headers["authorization"] == "Bearer test-key"
    body = request.read().decode()
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert 'name="prompt"\r\n\r\np\r\n' in body and 'name="seed"\r\n\r\n3\r\n' in body
    assert job.is_complete and job.status is not None
    assert job.status.output == {
        "images": [base64.b64encode(PNG).decode()],
        "content_type": "image/png",
    }
    assert job.status.raw["results"][0]["seed"] == 5


def test_n_calls_are_yielded_together() -> None:
    flow = plugin.submit({"prompt": "p"}, ctx(n=3))
    first = next(flow)
    assert isinstance(first, Concurrently) and len(first.requests) == 3
    with pytest.raises(StopIteration) as stop:
        flow.send([image_answer(seed=str(i)) for i in range(3)])
    job = stop.value.value
    assert len(job.status.output["images"]) == 3


def test_refused_calls_of_a_paid_batch_wait_retry_after_then_go_again() -> None:
    flow = plugin.submit({"prompt": "p"}, ctx(n=2))
    next(flow)
    wait = flow.send(
        [image_answer(), stability_error(429, "rate_limit", "slow", **{"Retry-After": "3"})]
    )
    assert isinstance(wait, Sleep) and wait.seconds == 3
    again = flow.send(None)
    assert isinstance(again, Concurrently) and len(again.requests) == 1
    with pytest.raises(StopIteration) as stop:
        flow.send([image_answer()])
    assert len(stop.value.value.status.output["images"]) == 2


def test_a_fully_refused_batch_raises_the_first_error_for_the_core_to_handle() -> None:
    flow = plugin.submit({"prompt": "p"}, ctx(n=2))
    next(flow)
    with pytest.raises(HTTPError) as caught:
        flow.send(
            [
                stability_error(429, "rate_limit", "slow", **{"Retry-After": "1"}),
                stability_error(429, "rate_limit", "slow"),
            ]
        )
    assert caught.value.status_code == 429 and caught.value.retry_after == 1


def test_every_output_filtered_is_moderation() -> None:
    with pytest.raises(ContentModerationError, match="all 2 images"):
        run_flow(
            plugin.submit({"prompt": "p"}, ctx(n=2)), lambda r: image_answer("CONTENT_FILTERED")
        )


def test_creative_upscale_poll_states() -> None:
    context = ctx("stable-image-upscale-creative", image_list=[{"image": PNG, "type": "reference"}])
    job = run_flow(
        plugin.submit({"prompt": "p", "image": PNG}, context),
        lambda r: httpx.Response(200, json={"id": "abc123"}),
    )
    assert job.id == "abc123" and not job.is_complete
    pending = run_flow(
        plugin.poll(job, context),
        lambda r: httpx.Response(202, json={"id": "abc123", "status": "in-progress"}),
    )
    assert pending.state == "processing" and pending.raw == {
        "id": "abc123",
        "status": "in-progress",
    }
    urls: list[str] = []

    def done(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return image_answer()

    status = run_flow(plugin.poll(job, context), done)
    assert urls == ["http://fake.invalid/v2beta/results/abc123"]
    assert status.state == "completed" and status.output is not None
    assert json.dumps(status.raw)  # serialisable raw_response
