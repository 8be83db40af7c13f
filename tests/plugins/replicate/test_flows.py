"""Replicate's flows and parsers driven directly (edge cases of the protocol)."""

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
from tarash_replicate import _flows

BASE = "https://api.replicate.com/v1/predictions/p1"


def job(modality: str = "video") -> Job:
    return Job(
        provider="replicate",
        model="acme/model",
        modality=modality,
        id="p1",
        data={"get_url": BASE, "cancel_url": f"{BASE}/cancel", "logs_seen": 0},
    )


def prediction(**fields: Any) -> dict[str, Any]:
    return {"id": "p1", "status": "processing", "logs": "", "output": None, "error": None, **fields}


@pytest.mark.parametrize(
    ("logs", "percent"),
    [
        ("", None),
        ("Using seed: 1\n", None),
        (" 45%|████▌     | 9/20 [00:04<00:05,  2.10it/s]\n", 45),
        ("  0%|  | 0/20\n 45%|████▌ | 9/20\n 90%|█████████ | 18/20\n", 90),
        ("step\r 10%|█ | 2/20\r 55%|█████▌ | 11/20", 55),
        (None, None),
    ],
)
def test_progress_is_the_last_progress_bar(logs: Any, percent: int | None) -> None:
    assert _flows.progress(logs) == percent


def test_logs_are_reported_once_complete_lines_only() -> None:
    ctx = make_context("replicate", "acme/model", "video")
    handle = job()
    first = _flows.status_of(prediction(logs="a\nb\npart"), handle, ctx)
    second = _flows.status_of(prediction(logs="a\nb\npartial line\nc\n"), handle, ctx)
    assert first.logs == ["a", "b"] and second.logs == ["partial line", "c"]


@pytest.mark.parametrize(
    ("output", "modality", "expected"),
    [
        ("https://r/o.mp4", "video", {"video": "https://r/o.mp4", "content_type": "video/mp4"}),
        (["https://r/a.mp4"], "video", {"video": "https://r/a.mp4", "content_type": "video/mp4"}),
        (
            ["https://r/a.webp", "https://r/b.webp"],
            "image",
            {"images": ["https://r/a.webp", "https://r/b.webp"], "content_type": "image/webp"},
        ),
        ("https://r/a.jpg", "image", {"images": ["https://r/a.jpg"], "content_type": "image/jpeg"}),
        (
            {"video": "https://r/v.mp4"},
            "video",
            {"video": "https://r/v.mp4", "content_type": "video/mp4"},
        ),
    ],
)
def test_output_shapes(output: Any, modality: str, expected: dict[str, Any]) -> None:
    ctx = make_context("replicate", "acme/model", modality)
    status = _flows.status_of(prediction(status="succeeded", output=output), job(modality), ctx)
    assert status.state == "completed" and status.output == expected


def test_succeeded_without_media_is_a_failure() -> None:
    ctx = make_context("replicate", "acme/model", "video")
    with pytest.raises(GenerationFailedError, match="without a media URL"):
        _flows.status_of(prediction(status="succeeded", output={"text": "hi"}), job(), ctx)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("NSFW content detected. Try a different prompt.", ContentModerationError),
        ("The input or output was flagged as sensitive (E005)", ContentModerationError),
        ("CUDA out of memory (E1001)", GenerationFailedError),
        (None, GenerationFailedError),
    ],
)
def test_failed_predictions(error: str | None, kind: type[Exception]) -> None:
    ctx = make_context("replicate", "acme/model", "video")
    with pytest.raises(kind) as caught:
        _flows.status_of(prediction(status="failed", error=error), job(), ctx)
    assert type(caught.value) is kind and caught.value.request_id == "p1"


def test_starting_is_queued() -> None:
    ctx = make_context("replicate", "acme/model", "video")
    assert _flows.status_of(prediction(status="starting"), job(), ctx).state == "queued"


@pytest.mark.parametrize(
    ("seconds", "header"), [(600, "10m"), (120, "2m"), (90, "90s"), (0.3, "1s"), (61.5, "62s")]
)
def test_cancel_after_duration(seconds: float, header: str) -> None:
    assert _flows.duration_header(seconds) == header


def test_cancel_posts_and_accepts_404() -> None:
    ctx = make_context("replicate", "acme/model", "video")
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(404, json={"detail": "Not found"})

    assert run_flow(_flows.cancel(job(), ctx), answer) is None
    assert sent[0].method == "POST" and str(sent[0].url) == f"{BASE}/cancel"
    with pytest.raises(HTTPError):
        run_flow(_flows.cancel(job(), ctx), lambda r: httpx.Response(500, json={"detail": "x"}))
