"""Runway's flows driven directly with recorded answers (edge cases of the protocol)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
)
from tarash.tarash_gateway.plugin import Job
from tarash.tarash_gateway.testing import make_context, run_flow
from tarash_runway import _flows

TASK_URL = "https://api.dev.runwayml.com/v1/tasks/t1"


def job(modality: str = "video") -> Job:
    return Job(
        provider="runway", model="gen4.5", modality=modality, id="t1", data={"task_url": TASK_URL}
    )


def answer(*responses: httpx.Response) -> Any:
    queue = list(responses)

    def send(request: httpx.Request) -> httpx.Response:
        send.sent.append(request)  # type: ignore[attr-defined]
        return queue.pop(0)

    send.sent = []  # type: ignore[attr-defined]
    return send


def task(**fields: Any) -> httpx.Response:
    return httpx.Response(200, json={"id": "t1", "createdAt": "2026-11-28T01:00:00Z", **fields})


@pytest.mark.parametrize(
    ("progress", "percent"),
    [(0, 0), (0.004, 0), (0.425, 42), (1, 100), (1.0, 100), (57, 57), (None, None), ("x", None)],
)
def test_progress_fraction_becomes_percent(progress: Any, percent: int | None) -> None:
    assert _flows.percent(progress) == percent


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("SAFETY.INPUT.TEXT", ContentModerationError),
        ("SAFETY.INPUT.IMAGE", ContentModerationError),
        ("SAFETY.OUTPUT.VIDEO", ContentModerationError),
        ("INPUT_PREPROCESSING.SAFETY.TEXT", ContentModerationError),
        ("INTERNAL.BAD_OUTPUT.CODE01", GenerationFailedError),
        ("INPUT_PREPROCESSING.INTERNAL", GenerationFailedError),
        ("ASSET.INVALID", GenerationFailedError),
        (None, GenerationFailedError),
    ],
)
def test_failure_codes(code: str | None, error: type[Exception]) -> None:
    ctx = make_context("runway", "gen4.5", "video")
    body = {"status": "FAILED", "failure": "nope", "failureCode": code}
    with pytest.raises(error) as caught:
        run_flow(_flows.poll(job(), ctx), answer(task(**body)))
    assert type(caught.value) is error
    assert caught.value.request_id == "t1" and caught.value.raw_response["failure"] == "nope"


@pytest.mark.parametrize("state", ["PENDING", "THROTTLED"])
def test_pending_and_throttled_are_queued(state: str) -> None:
    ctx = make_context("runway", "gen4.5", "video")
    status = run_flow(_flows.poll(job(), ctx), answer(task(status=state)))
    assert status.state == "queued" and status.raw["status"] == state


def test_unknown_status_keeps_polling() -> None:
    ctx = make_context("runway", "gen4.5", "video")
    status = run_flow(_flows.poll(job(), ctx), answer(task(status="WARMING_UP")))
    assert status.state == "processing" and status.progress_percent is None


def test_succeeded_without_output_is_a_failure() -> None:
    ctx = make_context("runway", "gen4.5", "video")
    with pytest.raises(GenerationFailedError, match="without output URLs"):
        run_flow(_flows.poll(job(), ctx), answer(task(status="SUCCEEDED", output=[])))


def test_image_output_keeps_every_url_and_guesses_the_type() -> None:
    ctx = make_context("runway", "gen4_image", "image")
    urls = ["https://cdn.runway/a.jpg?sig=1", "https://cdn.runway/b.jpg?sig=2"]
    status = run_flow(_flows.poll(job("image"), ctx), answer(task(status="SUCCEEDED", output=urls)))
    assert status.output == {"images": urls, "content_type": "image/jpeg"}


def test_cancel_sends_delete_and_accepts_404() -> None:
    ctx = make_context("runway", "gen4.5", "video")
    send = answer(httpx.Response(404, json={"error": "Task not found"}))
    assert run_flow(_flows.cancel(job(), ctx), send) is None
    (request,) = send.sent
    assert request.method == "DELETE" and str(request.url) == TASK_URL
    assert request.headers["x-runway-version"] == "2024-11-06"


def test_cancel_reports_other_errors() -> None:
    ctx = make_context("runway", "gen4.5", "video")
    with pytest.raises(HTTPError):
        run_flow(_flows.cancel(job(), ctx), answer(httpx.Response(500, json={"error": "x"})))


def test_headers_never_put_the_key_in_the_url() -> None:
    ctx = make_context("runway", "gen4.5", "video", api_key="secret-key")
    send = answer(task(status="PENDING"))
    run_flow(_flows.poll(job(), ctx), send)
    (request,) = send.sent
    assert "secret-key" not in str(request.url)
    assert request.headers["authorization"] == "Bearer secret-key"
