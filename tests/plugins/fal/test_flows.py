"""fal's flows driven directly with recorded answers (edge cases of the protocol)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tarash.tarash_gateway.exceptions import (
    GenerationFailedError,
    HTTPError,
    MalformedResponseError,
    ValidationError,
)
from tarash.tarash_gateway.plugin import Job
from tarash.tarash_gateway.testing import make_context, run_flow
from tarash_fal import _flows

BASE = "https://queue.fal.run"


def job(model: str = "fal-ai/veo3", modality: str = "video") -> Job:
    base = f"{BASE}/fal-ai/veo3/requests/r1"
    return Job(
        provider="fal",
        model=model,
        modality=modality,
        id="r1",
        data={
            "status_url": f"{base}/status",
            "response_url": base,
            "cancel_url": f"{base}/cancel",
            "logs_seen": 0,
        },
    )


def answers(*responses: httpx.Response) -> Any:
    queue = list(responses)
    sent: list[httpx.Request] = []

    def send(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return queue.pop(0)

    send.sent = sent  # type: ignore[attr-defined]
    return send


def status(body: dict[str, Any], code: int = 202) -> httpx.Response:
    return httpx.Response(code, json=body)


@pytest.mark.parametrize(
    ("model", "app"),
    [
        ("fal-ai/veo3.1/fast/image-to-video", "fal-ai/veo3.1"),
        ("wan/v2.6/text-to-video", "wan/v2.6"),
        ("workflows/acme/my-flow/run", "workflows/acme/my-flow"),
        ("12345-myapp", "12345/myapp"),
    ],
)
def test_app_id(model: str, app: str) -> None:
    assert _flows.app_id(model) == app


def test_single_segment_model_is_refused() -> None:
    with pytest.raises(ValidationError, match="owner/app"):
        _flows.app_id("veo3")


def test_logs_are_reported_once_and_restart_after_a_platform_retry() -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    handle = job()
    line = {"message": "a", "level": "INFO"}
    first = run_flow(
        _flows.poll(handle, ctx),
        answers(status({"status": "IN_PROGRESS", "logs": [line, {**line, "message": "b"}]})),
    )
    again = run_flow(
        _flows.poll(handle, ctx),
        answers(
            status(
                {
                    "status": "IN_PROGRESS",
                    "logs": [line, {**line, "message": "b"}, {**line, "message": "c"}],
                }
            )
        ),
    )
    restarted = run_flow(
        _flows.poll(handle, ctx),
        answers(status({"status": "IN_PROGRESS", "logs": [{**line, "message": "z"}]})),
    )
    assert (first.logs, again.logs, restarted.logs) == (["a", "b"], ["c"], ["z"])
    assert first.state == "processing"


def test_queue_position_and_unknown_status() -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    queued = run_flow(
        _flows.poll(job(), ctx), answers(status({"status": "IN_QUEUE", "queue_position": 4}))
    )
    assert queued.state == "queued" and queued.queue_position == 4
    odd = run_flow(_flows.poll(job(), ctx), answers(status({"status": "WARMING_UP"})))
    assert odd.state == "processing"


@pytest.mark.parametrize("state", ["FAILED", "CANCELED"])
def test_terminal_failure_statuses(state: str) -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    with pytest.raises(GenerationFailedError, match=state):
        run_flow(_flows.poll(job(), ctx), answers(status({"status": state, "error": "boom"})))


def test_status_url_sends_logs_and_key() -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video", api_key="k1")
    send = answers(status({"status": "IN_QUEUE", "queue_position": 0}))
    run_flow(_flows.poll(job(), ctx), send)
    request = send.sent[0]
    assert request.url.params["logs"] == "1" and request.headers["authorization"] == "Key k1"


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (
            {"video_url": "https://v/x.mp4"},
            {"video": "https://v/x.mp4", "content_type": "video/mp4"},
        ),
        (
            {
                "video": {"url": "https://v/x.webm", "content_type": "video/webm", "duration": 8},
                "audio": {"url": "https://v/a.mp3"},
            },
            {
                "video": "https://v/x.webm",
                "content_type": "video/webm",
                "duration": 8.0,
                "audio_url": "https://v/a.mp3",
            },
        ),
        (
            {"videos": [{"url": "https://v/1.mp4"}]},
            {"video": "https://v/1.mp4", "content_type": "video/mp4"},
        ),
    ],
)
def test_video_outputs(result: dict[str, Any], expected: dict[str, Any]) -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    done = run_flow(
        _flows.poll(job(), ctx),
        answers(
            status({"status": "COMPLETED", "error": None}, 200), httpx.Response(200, json=result)
        ),
    )
    assert done.state == "completed" and done.output == expected


def test_image_outputs() -> None:
    ctx = make_context("fal", "fal-ai/nano-banana", "image")
    result = {
        "images": [
            {"url": "https://i/1.jpg", "content_type": "image/jpeg"},
            {"url": "https://i/2.jpg"},
        ],
        "description": "two cats",
    }
    done = run_flow(
        _flows.poll(job("fal-ai/nano-banana", "image"), ctx),
        answers(status({"status": "COMPLETED"}, 200), httpx.Response(200, json=result)),
    )
    assert done.output == {
        "images": ["https://i/1.jpg", "https://i/2.jpg"],
        "content_type": "image/jpeg",
        "revised_prompt": "two cats",
    }


def test_result_without_media_is_a_failed_generation() -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    with pytest.raises(GenerationFailedError, match="without video"):
        run_flow(
            _flows.poll(job(), ctx),
            answers(status({"status": "COMPLETED"}, 200), httpx.Response(200, json={"seed": 1})),
        )


def test_completed_with_error_and_5xx_result_is_a_failed_generation() -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    with pytest.raises(GenerationFailedError, match="runner crashed"):
        run_flow(
            _flows.poll(job(), ctx),
            answers(
                status({"status": "COMPLETED", "error": "Invalid status code: 500"}, 200),
                httpx.Response(500, json={"detail": "runner crashed"}),
            ),
        )


def test_5xx_result_of_a_healthy_job_is_transient() -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    with pytest.raises(HTTPError) as caught:
        run_flow(
            _flows.poll(job(), ctx),
            answers(status({"status": "COMPLETED"}, 200), httpx.Response(502, text="nginx")),
        )
    assert caught.value.status_code == 502


def test_submit_without_request_id_is_malformed() -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    with pytest.raises(MalformedResponseError, match="request_id"):
        run_flow(_flows.submit({"prompt": "p"}, ctx), answers(httpx.Response(200, json={})))


@pytest.mark.parametrize("code", [202, 400, 409])
def test_cancel_accepts_done_and_too_late(code: int) -> None:
    ctx = make_context("fal", "fal-ai/veo3", "video")
    send = answers(httpx.Response(code, json={"status": "ALREADY_COMPLETED"}))
    assert run_flow(_flows.cancel(job(), ctx), send) is None
    assert send.sent[0].method == "PUT" and send.sent[0].url.path.endswith("/cancel")
