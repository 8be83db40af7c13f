"""The flows driven directly: URLs and headers of every URL style, status handling."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    MalformedResponseError,
)
from tarash.tarash_gateway.models import VideoGenerationRequest
from tarash.tarash_gateway.plugin import Job
from tarash.tarash_gateway.testing import make_context, run_flow
from tarash_openai import _flows

MP4 = _mock_media.sample("sample.mp4")


class Recorder:
    """Answers each request from a list of responses and keeps the requests."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0)


def image_ok() -> httpx.Response:
    return httpx.Response(200, json={"created": 1, "data": [{"b64_json": "aGk="}]})


def video(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "video_1",
        "object": "video",
        "status": status,
        "seconds": "8",
        "size": "1280x720",
        **extra,
    }


def ctx(
    provider: str = "openai", modality: str = "image", model: str = "gpt-image-1", **config: Any
):
    base_url = config.pop("base_url", "https://api.openai.com/v1")
    return make_context(provider, model, modality, api_key="k-123", base_url=base_url, **config)


# ---------------------------------------------------------------- URL styles
@pytest.mark.parametrize(
    ("provider", "config", "url", "auth"),
    [
        (
            "openai",
            {},
            "https://api.openai.com/v1/images/generations",
            ("authorization", "Bearer k-123"),
        ),
        (
            "openai",
            {"base_url": "https://compat.example.com/api/v1/"},
            "https://compat.example.com/api/v1/images/generations",
            ("authorization", "Bearer k-123"),
        ),
        (
            "azure-openai",
            {"base_url": "https://res.openai.azure.com"},
            "https://res.openai.azure.com/openai/v1/images/generations",
            ("api-key", "k-123"),
        ),
        (
            "azure-openai",
            {"base_url": "https://res.openai.azure.com/openai/v1", "api_version": "preview"},
            "https://res.openai.azure.com/openai/v1/images/generations?api-version=preview",
            ("api-key", "k-123"),
        ),
        (
            "azure-openai",
            {"base_url": "https://res.openai.azure.com/", "api_version": "2025-04-01-preview"},
            "https://res.openai.azure.com/openai/deployments/gpt-image-1/images/generations"
            "?api-version=2025-04-01-preview",
            ("api-key", "k-123"),
        ),
        (
            "azure-openai",
            {"base_url": "https://res.openai.azure.com/openai", "api_version": "2024-02-01"},
            "https://res.openai.azure.com/openai/deployments/gpt-image-1/images/generations"
            "?api-version=2024-02-01",
            ("api-key", "k-123"),
        ),
    ],
)
def test_image_urls_and_auth(
    provider: str, config: dict[str, Any], url: str, auth: tuple[str, str]
) -> None:
    recorder = Recorder(image_ok())
    job = run_flow(
        _flows.submit({"model": "gpt-image-1", "prompt": "p"}, ctx(provider, **config)), recorder
    )
    sent = recorder.requests[0]
    assert str(sent.url) == url
    assert sent.headers[auth[0]] == auth[1]
    assert job.is_complete and job.status.output["images"] == ["aGk="]


@pytest.mark.parametrize(
    ("config", "urls"),
    [
        (
            {"api_version": "2025-04-01-preview"},
            [
                "https://res.openai.azure.com/openai/videos?api-version=2025-04-01-preview",
                "https://res.openai.azure.com/openai/videos/video_1?api-version=2025-04-01-preview",
                "https://res.openai.azure.com/openai/videos/video_1/content?api-version=2025-04-01-preview",
            ],
        ),
        (
            {},
            [
                "https://res.openai.azure.com/openai/v1/videos",
                "https://res.openai.azure.com/openai/v1/videos/video_1",
                "https://res.openai.azure.com/openai/v1/videos/video_1/content",
            ],
        ),
    ],
)
def test_azure_video_urls(config: dict[str, Any], urls: list[str]) -> None:
    context = ctx(
        "azure-openai", "video", "sora-deploy", base_url="https://res.openai.azure.com", **config
    )
    recorder = Recorder(
        httpx.Response(200, json=video("queued")),
        httpx.Response(200, json=video("completed")),
        httpx.Response(200, content=MP4, headers={"content-type": "video/mp4"}),
    )
    job = run_flow(_flows.submit({"model": "sora-deploy", "prompt": "p"}, context), recorder)
    status = run_flow(_flows.poll(job, context), recorder)
    assert [str(r.url) for r in recorder.requests] == urls
    assert status.state == "completed"
    assert status.output["video"] == {"content": MP4, "content_type": "video/mp4"}
    assert status.output["duration"] == 8.0 and status.output["aspect_ratio"] == "16:9"


def test_openai_organization_and_project_headers() -> None:
    recorder = Recorder(image_ok())
    context = ctx(provider_config={"organization": "org-1", "project": "proj-2"})
    run_flow(_flows.submit({"model": "gpt-image-1", "prompt": "p"}, context), recorder)
    headers = recorder.requests[0].headers
    assert headers["openai-organization"] == "org-1" and headers["openai-project"] == "proj-2"


def test_remix_posts_only_the_prompt() -> None:
    recorder = Recorder(httpx.Response(200, json=video("queued", id="video_2")))
    context = ctx(modality="video", model="sora-2", base_url="https://compat.example.com/v1")
    payload = {"model": "sora-2", "prompt": "night", "remix_video_id": "video_1"}
    job = run_flow(_flows.submit(payload, context), recorder)
    sent = recorder.requests[0]
    assert str(sent.url) == "https://compat.example.com/v1/videos/video_1/remix"
    assert sent.read() == b'{"prompt":"night"}'
    assert job.id == "video_2" and job.data == {"remixed_from": "video_1"}


def test_cancel_deletes_the_video() -> None:
    recorder = Recorder(httpx.Response(200, json={"id": "video_1", "deleted": True}))
    context = ctx(modality="video", model="sora-2", base_url="https://compat.example.com/v1")
    job = Job(provider="openai", model="sora-2", modality="video", id="video_1")
    run_flow(_flows.cancel(job, context), recorder)
    assert [(r.method, str(r.url)) for r in recorder.requests] == [
        ("DELETE", "https://compat.example.com/v1/videos/video_1")
    ]


# ---------------------------------------------------------------- status handling
def _poll(*responses: httpx.Response):
    context = ctx(
        modality="video",
        model="sora-2",
        base_url="https://compat.example.com/v1",
        request=VideoGenerationRequest(prompt="p"),
    )
    job = Job(provider="openai", model="sora-2", modality="video", id="video_1")
    return run_flow(_flows.poll(job, context), Recorder(*responses))


@pytest.mark.parametrize(
    ("body", "state", "percent"),
    [
        (video("queued", progress=0), "queued", 0),
        (video("in_progress", progress=33), "processing", 33),
        (video("in_progress", progress=140), "processing", 100),
        (video("in_progress"), "processing", None),
    ],
)
def test_poll_states(body: dict[str, Any], state: str, percent: int | None) -> None:
    status = _poll(httpx.Response(200, json=body, headers={"openai-poll-after-ms": "1500"}))
    assert (status.state, status.progress_percent, status.poll_after) == (state, percent, 1.5)
    assert status.raw == body


def test_failed_video_raises_generation_failed_with_openai_error() -> None:
    body = video("failed", error={"code": "internal_error", "message": "Video generation failed."})
    with pytest.raises(GenerationFailedError) as caught:
        _poll(httpx.Response(200, json=body))
    assert "Video generation failed. (code: internal_error)" in caught.value.message
    assert caught.value.request_id == "video_1" and caught.value.raw_response == body


def test_moderated_video_raises_content_moderation() -> None:
    body = video("failed", error={"code": "moderation_blocked", "message": "Blocked."})
    with pytest.raises(ContentModerationError):
        _poll(httpx.Response(200, json=body))


@pytest.mark.parametrize(
    "responses",
    [
        [httpx.Response(200, text="<html>oops</html>")],
        [httpx.Response(200, json={"id": "video_1"})],
        [httpx.Response(200, json=video("completed")), httpx.Response(200, json={"error": None})],
        [httpx.Response(200, json=video("completed")), httpx.Response(200, content=b"")],
    ],
)
def test_malformed_answers(responses: list[httpx.Response]) -> None:
    with pytest.raises(MalformedResponseError):
        _poll(*responses)


def test_speech_duration_of_wav_and_pcm() -> None:
    wav = _mock_media.wav(0.5, 24000)
    for fmt, audio, content_type in (
        ("wav", wav, "audio/wav"),
        ("pcm", _mock_media.pcm(0.5, 24000), "audio/pcm"),
    ):
        context = ctx(modality="tts", model="tts-1")
        recorder = Recorder(
            httpx.Response(200, content=audio, headers={"content-type": content_type})
        )
        payload = {"model": "tts-1", "input": "hi", "voice": "alloy", "response_format": fmt}
        job = run_flow(_flows.submit(payload, context), recorder)
        assert job.status.output["duration"] == 0.5
        assert job.status.output["content_type"] == content_type
        assert recorder.requests[0].headers["accept"] == "application/octet-stream"
