"""The flows driven directly: URLs and headers of both APIs, operation and answer handling."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    MalformedResponseError,
    ValidationError,
)
from tarash.tarash_gateway.plugin import Job
from tarash.tarash_gateway.testing import make_context, run_flow
from tarash_google import _endpoints, _flows

MP4 = _mock_media.sample("sample.mp4")
PROJECT = {"project": "p1", "region": "us-central1"}


class Recorder:
    """Answers each request from a list of responses and keeps the requests."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0)


def ctx(
    provider: str = "google",
    modality: str = "video",
    model: str = "veo-3.1-generate-001",
    **config: Any,
):
    """A call context whose config has no base_url, as when the user sets none."""
    default = (
        "https://generativelanguage.googleapis.com"
        if provider == "google"
        else "https://aiplatform.googleapis.com"
    )
    api_key = config.pop("api_key", "k-123")
    context = make_context(provider, model, modality, api_key=api_key, base_url=default, **config)
    context.config = context.config.model_copy(update={"base_url": None})
    return context


VIDEO_PAYLOAD = {"instances": [{"prompt": "x"}], "parameters": {"durationSeconds": 8}}


# ---------------------------------------------------------------- URLs and auth
@pytest.mark.parametrize(
    ("region", "root"),
    [
        ("us-central1", "https://us-central1-aiplatform.googleapis.com"),
        ("global", "https://aiplatform.googleapis.com"),
        ("eu", "https://aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_vertex_regional_urls(region: str, root: str) -> None:
    context = ctx("google-vertex", provider_config={"project": "p1", "region": region})
    recorder = Recorder(
        httpx.Response(
            200, json={"name": "projects/p1/locations/x/publishers/google/models/m/operations/1"}
        )
    )
    job = run_flow(_flows.submit(VIDEO_PAYLOAD, context), recorder)
    sent = recorder.requests[0]
    assert str(sent.url) == (
        f"{root}/v1/projects/p1/locations/{region}/publishers/google/models/"
        "veo-3.1-generate-001:predictLongRunning"
    )
    assert sent.headers["authorization"] == "Bearer k-123"
    assert "x-goog-api-key" not in sent.headers
    assert job.id.endswith("/operations/1")


def test_vertex_access_token_from_provider_config_and_api_version() -> None:
    context = ctx(
        "google-vertex",
        api_key=None,
        api_version="v1beta1",
        provider_config={**PROJECT, "access_token": "ya29.pc"},
    )
    recorder = Recorder(httpx.Response(200, json={"name": "n/operations/1"}))
    run_flow(_flows.submit(VIDEO_PAYLOAD, context), recorder)
    sent = recorder.requests[0]
    assert sent.url.path.startswith("/v1beta1/projects/p1/")
    assert sent.headers["authorization"] == "Bearer ya29.pc"


def test_vertex_poll_fetches_the_operation_of_its_model() -> None:
    name = "projects/p1/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/42"
    context = ctx("google-vertex", provider_config=PROJECT)
    recorder = Recorder(httpx.Response(200, json={"name": name}))
    job = Job(provider="google-vertex", model="veo-3.1-generate-001", modality="video", id=name)
    status = run_flow(_flows.poll(job, context), recorder)
    sent = recorder.requests[0]
    assert sent.method == "POST"
    assert (
        str(sent.url)
        == f"https://us-central1-aiplatform.googleapis.com/v1/{name.rpartition('/operations/')[0]}:fetchPredictOperation"
    )
    assert sent.read() == b'{"operationName":"' + name.encode() + b'"}'
    assert status.state == "processing"


def test_gemini_poll_gets_the_operation_by_name() -> None:
    recorder = Recorder(httpx.Response(200, json={"name": "models/m/operations/7", "done": False}))
    job = Job(provider="google", model="m", modality="video", id="models/m/operations/7")
    run_flow(_flows.poll(job, ctx()), recorder)
    sent = recorder.requests[0]
    assert (sent.method, str(sent.url)) == (
        "GET",
        "https://generativelanguage.googleapis.com/v1beta/models/m/operations/7",
    )
    assert sent.headers["x-goog-api-key"] == "k-123"


def test_region_hosts() -> None:
    assert _endpoints.region_root("us") == "https://aiplatform.us.rep.googleapis.com"
    assert (
        _endpoints.region_root("asia-northeast1")
        == "https://asia-northeast1-aiplatform.googleapis.com"
    )


# ---------------------------------------------------------------- operation results
def done(result: dict[str, Any]) -> httpx.Response:
    return httpx.Response(
        200, json={"name": "models/m/operations/7", "done": True, "response": result}
    )


def gemini_job() -> Job:
    return Job(
        provider="google",
        model="m",
        modality="video",
        id="models/m/operations/7",
        data={"shape": {"duration": 8}},
    )


def test_inline_encoded_video_on_the_gemini_api() -> None:
    sample = {"video": {"encodedVideo": base64.b64encode(MP4).decode(), "encoding": "video/mp4"}}
    recorder = Recorder(done({"generateVideoResponse": {"generatedSamples": [sample]}}))
    status = run_flow(_flows.poll(gemini_job(), ctx()), recorder)
    assert status.output is not None
    assert status.output["video"] == {"content": MP4, "content_type": "video/mp4"}
    assert status.output["duration"] == 8
    assert status.raw["response"]["generateVideoResponse"]["generatedSamples"][0]["video"][
        "encodedVideo"
    ].startswith("<base64")


def test_download_from_another_host_gets_no_key() -> None:
    uri = "https://storage.example.com/v.mp4"
    recorder = Recorder(
        done({"generateVideoResponse": {"generatedSamples": [{"video": {"uri": uri}}]}}),
        httpx.Response(200, content=MP4, headers={"content-type": "video/mp4"}),
    )
    run_flow(_flows.poll(gemini_job(), ctx()), recorder)
    assert str(recorder.requests[1].url) == uri
    assert "x-goog-api-key" not in recorder.requests[1].headers


def test_download_that_is_not_a_video_is_malformed() -> None:
    uri = "https://generativelanguage.googleapis.com/v1beta/files/f:download?alt=media"
    recorder = Recorder(
        done({"generateVideoResponse": {"generatedSamples": [{"video": {"uri": uri}}]}}),
        httpx.Response(200, json={"error": "nope"}),
    )
    with pytest.raises(MalformedResponseError, match="video's bytes"):
        run_flow(_flows.poll(gemini_job(), ctx()), recorder)
    assert recorder.requests[1].headers["x-goog-api-key"] == "k-123"


@pytest.mark.parametrize(
    ("body", "error", "needle"),
    [
        ({"name": "op", "done": True}, MalformedResponseError, "without 'response' or 'error'"),
        (
            {
                "name": "op",
                "done": True,
                "error": {"code": 3, "message": "bad frame", "status": "INVALID_ARGUMENT"},
            },
            GenerationFailedError,
            "code 3",
        ),
        (
            {
                "name": "op",
                "done": True,
                "response": {"generateVideoResponse": {"raiMediaFilteredCount": 2}},
            },
            ContentModerationError,
            "removed 2",
        ),
        (
            {"name": "op", "done": True, "response": {"generateVideoResponse": {}}},
            GenerationFailedError,
            "without a video",
        ),
        (
            {
                "name": "op",
                "done": True,
                "response": {"generateVideoResponse": {"generatedSamples": [{"video": {}}]}},
            },
            MalformedResponseError,
            "without bytes or uri",
        ),
    ],
)
def test_done_operations(body: dict[str, Any], error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        run_flow(_flows.poll(gemini_job(), ctx()), Recorder(httpx.Response(200, json=body)))


def test_retry_info_becomes_retry_after() -> None:
    body = {
        "error": {
            "code": 429,
            "status": "RESOURCE_EXHAUSTED",
            "message": "quota",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "34s"}],
        }
    }
    with pytest.raises(HTTPError) as caught:
        run_flow(_flows.submit(VIDEO_PAYLOAD, ctx()), Recorder(httpx.Response(429, json=body)))
    assert caught.value.retry_after == 34.0 and caught.value.status_code == 429
    assert "RESOURCE_EXHAUSTED: quota" in str(caught.value)


def test_invalid_argument_is_validation_error() -> None:
    body = {
        "error": {
            "code": 400,
            "status": "INVALID_ARGUMENT",
            "message": "durationSeconds out of range",
        }
    }
    with pytest.raises(ValidationError, match="INVALID_ARGUMENT: durationSeconds out of range"):
        run_flow(_flows.submit(VIDEO_PAYLOAD, ctx()), Recorder(httpx.Response(400, json=body)))


def test_image_finish_reason_other_than_safety_is_generation_failed() -> None:
    payload = {
        "contents": [{"role": "user", "parts": [{"text": "x"}]}],
        "generationConfig": {"responseModalities": ["IMAGE"]},
    }
    body = {"candidates": [{"content": {"parts": []}, "finishReason": "NO_IMAGE"}]}
    with pytest.raises(GenerationFailedError, match="NO_IMAGE"):
        run_flow(
            _flows.submit(payload, ctx(modality="image", model="gemini-3-pro-image")),
            Recorder(httpx.Response(200, json=body)),
        )
