"""End to end through the public API against the fake OpenAI / Azure server."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import (
    _mock_media,
    generate_image,
    generate_tts,
    generate_video,
    generate_video_async,
)
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    MalformedResponseError,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    ImageGenerationConfig,
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import config_for, generate
from tests.plugins.openai.fake_openai import FakeOpenAIServer

KEY = "sk-test-e2e"
PNG = _mock_media.png(16, 16)
MP4 = _mock_media.sample("sample.mp4")
MP3 = _mock_media.sample("sample.mp3")
CREATE = r"/v1/videos"
STATUS = r"/v1/videos/video_[^/]+"
CONTENT = r"/v1/videos/video_[^/]+/content"


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(polls=3) as fake:
        yield fake


def image_config(server: FakeOpenAIServer, **kwargs: Any) -> ImageGenerationConfig:
    return config_for(server, "openai", "image", base_path="/v1", **{"api_key": KEY, **kwargs})


def tts_config(server: FakeOpenAIServer, **kwargs: Any) -> AudioGenerationConfig:
    return config_for(server, "openai", "tts", base_path="/v1", **{"api_key": KEY, **kwargs})


def video_config(server: FakeOpenAIServer, **kwargs: Any) -> VideoGenerationConfig:
    values = {"model": "sora-2", "api_key": KEY, **kwargs}
    return config_for(server, "openai", "video", base_path="/v1", **values)


# ---------------------------------------------------------------- images
def test_gpt_image_generation(server: FakeOpenAIServer, driver: str) -> None:
    request = ImageGenerationRequest(prompt="a red fox", size="1024x1024", quality="hd", n=2)
    response = generate(driver, "image", image_config(server), request)
    sent = server.last("POST", r"/v1/images/generations")
    assert sent.json() == {
        "model": "gpt-image-1",
        "prompt": "a red fox",
        "size": "1024x1024",
        "quality": "high",
        "n": 2,
    }
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert len(response.images) == 2
    assert base64.b64decode(response.images[0]).startswith(b"\x89PNG")
    assert response.content_type == "image/png" and response.revised_prompt is None
    assert response.provider == "openai" and response.model == "gpt-image-1"
    assert response.request_id.startswith("req_")
    assert response.raw_response["data"][0]["b64_json"].startswith("<base64")
    assert response.usage is not None and response.usage.cost is None  # tokens, not money
    assert response.usage.units == {"input_tokens": 50, "output_tokens": 4160, "total_tokens": 4210}


def test_dalle3_returns_urls_and_revised_prompt(server: FakeOpenAIServer, tmp_path: Any) -> None:
    response = generate_image(
        image_config(server, model="dall-e-3"),
        ImageGenerationRequest(prompt="a fox", style="vivid"),
    )
    assert response.images[0].startswith(f"{server.url}/files/")
    assert response.revised_prompt == "A detailed rendering of: a fox"
    assert response.usage is None  # DALL·E reports no usage
    saved = response.save(tmp_path / "fox")
    assert saved.read_bytes().startswith(b"\x89PNG")


def test_output_format_sets_content_type(server: FakeOpenAIServer) -> None:
    request = ImageGenerationRequest(prompt="p", output_format="webp", output_compression=70)
    response = generate_image(image_config(server), request)
    assert response.content_type == "image/webp"
    assert server.last("POST", r"/v1/images/generations").json()["output_compression"] == 70


def test_gpt_image_edit_is_multipart(server: FakeOpenAIServer, driver: str) -> None:
    request = ImageGenerationRequest(
        prompt="put them together",
        size="1024x1536",
        image_list=[
            {"image": f"{server.url}/assets/input.png", "type": "reference"},
            {"image": {"content": PNG, "content_type": "image/png"}, "type": "reference"},
        ],
        mask_image=PNG,
        input_fidelity="high",
    )
    response = generate(driver, "image", image_config(server, model="gpt-image-1.5"), request)
    assert len(response.images) == 1
    fields, files = server.last("POST", r"/v1/images/edits").multipart()
    assert {name: values[-1] for name, values in fields.items()} == {
        "model": "gpt-image-1.5",
        "prompt": "put them together",
        "size": "1024x1536",
        "input_fidelity": "high",
    }
    assert [f.content for f in files["image[]"]] == [server.assets["input.png"][0], PNG]
    assert files["mask"][0].content == PNG and files["mask"][0].content_type == "image/png"
    download = server.last("GET", r"/assets/input.png")
    assert "authorization" not in download.headers, "the key must not go to image URLs"


def test_dalle2_edit_sends_a_single_image_field(server: FakeOpenAIServer) -> None:
    request = ImageGenerationRequest(prompt="hat", image_list=[{"image": PNG, "type": "reference"}])
    response = generate_image(image_config(server, model="dall-e-2"), request)
    assert response.images[0].startswith(f"{server.url}/files/")
    _, files = server.last("POST", r"/v1/images/edits").multipart()
    assert list(files) == ["image"] and files["image"][0].filename == "image_0.png"


@pytest.mark.parametrize(
    ("model", "code"),
    [("gpt-image-1", "moderation_blocked"), ("dall-e-3", "content_policy_violation")],
)
def test_image_moderation(server: FakeOpenAIServer, model: str, code: str) -> None:
    with pytest.raises(ContentModerationError) as caught:
        generate_image(
            image_config(server, model=model), ImageGenerationRequest(prompt="moderation-block")
        )
    assert code in caught.value.message and not is_retryable_error(caught.value)
    assert caught.value.raw_response["error"]["code"] == code


def test_invalid_request_error_becomes_validation_error(server: FakeOpenAIServer) -> None:
    # A value only the server checks (sent through extra_params, which reach the payload).
    request = VideoGenerationRequest(prompt="p", seconds="5")
    with pytest.raises(ValidationError) as caught:
        generate_video(video_config(server), request)
    message = caught.value.message
    assert "Invalid value: '5'" in message and "param: seconds" in message
    assert "code: invalid_value" in message
    assert server.count("POST", CREATE) == 1


def test_malformed_image_answer(server: FakeOpenAIServer) -> None:
    server.inject(
        "POST", r"/v1/images/generations", status=200, json_body={"created": 1, "data": []}
    )
    with pytest.raises(MalformedResponseError):
        generate_image(image_config(server), ImageGenerationRequest(prompt="p"))
    assert server.count("POST", r"/v1/images/generations") == 1


def test_insufficient_quota_is_not_waited_for(server: FakeOpenAIServer) -> None:
    server.inject(
        "POST",
        r"/v1/images/generations",
        status=429,
        json_body={
            "error": {
                "message": "You exceeded your current quota.",
                "type": "insufficient_quota",
                "param": None,
                "code": "insufficient_quota",
            }
        },
        headers={"Retry-After": "0"},
    )
    with pytest.raises(HTTPError) as caught:
        generate_image(image_config(server), ImageGenerationRequest(prompt="p"))
    assert caught.value.status_code == 429 and caught.value.retry_after is None
    assert "exceeded your current quota" in caught.value.message
    assert server.count("POST", r"/v1/images/generations") == 1


def test_rate_limit_with_retry_after_ms_is_honoured(server: FakeOpenAIServer) -> None:
    server.inject(
        "POST",
        r"/v1/images/generations",
        status=429,
        json_body={
            "error": {
                "message": "Rate limit reached",
                "type": "requests",
                "code": "rate_limit_exceeded",
            }
        },
        headers={"retry-after-ms": "50"},
    )
    response = generate_image(image_config(server), ImageGenerationRequest(prompt="p"))
    assert response.status == "completed"
    assert server.count("POST", r"/v1/images/generations") == 2


# ---------------------------------------------------------------- speech
def test_speech(server: FakeOpenAIServer, driver: str) -> None:
    request = TTSRequest(text="Hello", voice_id="coral", instructions="Cheerful.", speed=1.1)
    response = generate(driver, "tts", tts_config(server), request)
    assert base64.b64decode(response.audio) == MP3
    assert response.content_type == "audio/mpeg"
    assert server.last("POST", r"/v1/audio/speech").json() == {
        "model": "gpt-4o-mini-tts",
        "input": "Hello",
        "voice": "coral",
        "response_format": "mp3",
        "instructions": "Cheerful.",
        "speed": 1.1,
    }


def test_speech_wav_has_duration(server: FakeOpenAIServer) -> None:
    request = TTSRequest(text="Hi", voice_id="alloy", output_format={"format": "wav"})
    response = generate_tts(tts_config(server, model="tts-1"), request)
    assert response.content_type == "audio/wav" and response.duration == 0.5
    assert base64.b64decode(response.audio)[:4] == b"RIFF"


def test_speech_moderation(server: FakeOpenAIServer) -> None:
    with pytest.raises(ContentModerationError):
        generate_tts(tts_config(server), TTSRequest(text="moderation-block", voice_id="alloy"))


# ---------------------------------------------------------------- video
def test_text_to_video_with_progress(server: FakeOpenAIServer, driver: str) -> None:
    updates: list[Any] = []
    request = VideoGenerationRequest(prompt="a cat", duration_seconds=8, resolution="720p")
    response = generate(driver, "video", video_config(server), request, on_progress=updates.append)
    assert server.last("POST", CREATE).json() == {
        "model": "sora-2",
        "prompt": "a cat",
        "seconds": "8",
        "size": "1280x720",
    }
    assert response.video == {"content": MP4, "content_type": "video/mp4"}
    assert response.content_type == "video/mp4"
    assert (response.duration, response.resolution, response.aspect_ratio) == (8.0, "720p", "16:9")
    assert response.request_id.startswith("video_")
    assert [(u.status, u.progress_percent) for u in updates] == [
        ("queued", None),
        ("queued", 0),
        ("processing", 33),
        ("completed", 100),
    ]
    assert updates[-1].result.request_id == response.request_id
    assert updates[-1].result.video == response.video
    assert server.count("POST", CREATE) == 1 and server.count("GET", CONTENT) == 1


def test_async_progress_callback(server: FakeOpenAIServer, driver: str) -> None:
    seen: list[str] = []

    async def on_progress(update: Any) -> None:
        seen.append(update.status)

    generate(driver, "video", video_config(server), VideoGenerationRequest(prompt="p"), on_progress)
    assert seen[-1] == "completed" and "processing" in seen


def test_image_to_video_uploads_the_first_frame(server: FakeOpenAIServer, tmp_path: Any) -> None:
    request = VideoGenerationRequest(
        prompt="it moves", aspect_ratio="9:16", image_list=[{"image": PNG, "type": "first_frame"}]
    )
    response = generate_video(video_config(server), request)
    fields, files = server.last("POST", CREATE).multipart()
    assert {k: v[-1] for k, v in fields.items()} == {
        "model": "sora-2",
        "prompt": "it moves",
        "size": "720x1280",
    }
    assert files["input_reference"][0].content == PNG
    assert files["input_reference"][0].content_type == "image/png"
    saved = response.save(tmp_path / "clip")
    assert saved.suffix == ".mp4" and saved.read_bytes() == MP4


def test_image_to_video_by_url_is_json(server: FakeOpenAIServer) -> None:
    request = VideoGenerationRequest(
        prompt="p", image_list=[{"image": "https://example.com/frame.png", "type": "first_frame"}]
    )
    generate_video(video_config(server), request)
    assert server.last("POST", CREATE).json()["input_reference"] == {
        "image_url": "https://example.com/frame.png"
    }


def test_remix_of_an_earlier_video(server: FakeOpenAIServer) -> None:
    first = generate_video(video_config(server), VideoGenerationRequest(prompt="day"))
    remix = generate_video(
        video_config(server), VideoGenerationRequest(prompt="night", video=first.request_id)
    )
    assert server.last("POST", rf"/v1/videos/{first.request_id}/remix").json() == {
        "prompt": "night"
    }
    assert remix.raw_response["remixed_from_video_id"] == first.request_id
    assert remix.request_id != first.request_id and remix.video["content"] == MP4


def test_poll_after_header_is_honoured(server: FakeOpenAIServer) -> None:
    server.poll_after_ms = 20
    started = time.monotonic()
    generate_video(video_config(server, poll_interval=30), VideoGenerationRequest(prompt="p"))
    assert time.monotonic() - started < 5, "openai-poll-after-ms should replace poll_interval"


def test_retired_sora_fails_before_any_request() -> None:
    config = VideoGenerationConfig(provider="openai", model="sora-2-pro", api_key=KEY)
    with pytest.raises(ValidationError) as caught:
        generate_video(config, VideoGenerationRequest(prompt="p"))
    assert str(caught.value).startswith("[openai/sora-2-pro] model 'sora-2-pro' was retired")
    assert caught.value.execution_metadata is None or caught.value.execution_metadata.attempts == []


# ---------------------------------------------------------------- video faults
@pytest.mark.parametrize(
    ("route", "fault"),
    [
        (
            STATUS,
            {
                "status": 429,
                "json_body": {"error": {"message": "slow"}},
                "headers": {"Retry-After": "0"},
            },
        ),
        (STATUS, {"status": 503, "json_body": {"error": {"message": "busy"}}}),
        (STATUS, {"drop": True}),
        (STATUS, {"status": 200, "body": b"not json"}),
        (CONTENT, {"status": 502, "body": b"bad gateway"}),
        (CONTENT, {"drop": True}),
    ],
)
def test_transient_poll_errors_are_retried_without_resubmitting(
    server: FakeOpenAIServer, route: str, fault: dict[str, Any]
) -> None:
    server.inject("GET", route, **fault)
    response = generate_video(video_config(server), VideoGenerationRequest(prompt="p"))
    assert response.video["content"] == MP4
    assert server.count("POST", CREATE) == 1
    assert server.count("GET", CONTENT) == (2 if route == CONTENT else 1)


def test_dropped_create_is_not_resubmitted(server: FakeOpenAIServer) -> None:
    server.inject("POST", CREATE, drop=True)
    with pytest.raises(HTTPConnectionError):
        generate_video(video_config(server), VideoGenerationRequest(prompt="p"))
    assert server.count("POST", CREATE) == 1


def test_create_429_waits_then_creates_once(server: FakeOpenAIServer) -> None:
    server.inject(
        "POST", CREATE, status=429,
        json_body={"error": {"message": "Rate limit", "code": "rate_limit_exceeded"}},
        headers={"Retry-After": "0"},
    )  # fmt: skip
    generate_video(video_config(server), VideoGenerationRequest(prompt="p"))
    assert server.count("POST", CREATE) == 2 and len(server.videos) == 1


def test_malformed_create_answer_is_not_resubmitted(server: FakeOpenAIServer) -> None:
    server.inject("POST", CREATE, status=200, body=b"<html>proxy</html>")
    with pytest.raises(MalformedResponseError):
        generate_video(video_config(server), VideoGenerationRequest(prompt="p"))
    assert server.count("POST", CREATE) == 1


def test_failed_job_raises_generation_failed(server: FakeOpenAIServer) -> None:
    with pytest.raises(GenerationFailedError) as caught:
        generate_video(video_config(server), VideoGenerationRequest(prompt="fail-job"))
    error = caught.value
    assert "Video generation failed. (code: internal_error)" in error.message
    assert error.request_id.startswith("video_") and is_retryable_error(error)
    assert error.raw_response["status"] == "failed"


def test_failed_job_falls_back_to_the_next_provider(server: FakeOpenAIServer) -> None:
    config = video_config(server, fallback_configs=[VideoGenerationConfig(provider="mock")])
    response = generate_video(config, VideoGenerationRequest(prompt="fail-job"))
    assert response.provider == "mock"
    assert [a.status for a in response.execution_metadata.attempts] == ["failed", "success"]


@pytest.mark.parametrize("prompt", ["moderation-block", "moderation-output"])
def test_video_moderation(server: FakeOpenAIServer, prompt: str) -> None:
    with pytest.raises(ContentModerationError) as caught:
        generate_video(video_config(server), VideoGenerationRequest(prompt=prompt))
    assert "moderation_blocked" in caught.value.message
    assert not is_retryable_error(caught.value)


def test_timeout_deletes_the_remote_job(server: FakeOpenAIServer) -> None:
    server.polls = 10_000
    with pytest.raises(TimeoutError):
        generate_video(video_config(server, timeout=1.0), VideoGenerationRequest(prompt="p"))
    video_id = server.last("GET", STATUS).path.rsplit("/", 1)[-1]
    assert server.deleted == [video_id]
    assert server.count("DELETE", STATUS) == 1 and server.count("POST", CREATE) == 1


def test_max_poll_attempts_deletes_the_remote_job(server: FakeOpenAIServer) -> None:
    server.polls = 10_000
    with pytest.raises(TimeoutError):
        generate_video(
            video_config(server, max_poll_attempts=2), VideoGenerationRequest(prompt="p")
        )
    assert len(server.deleted) == 1 and server.count("GET", STATUS) == 2


@pytest.mark.anyio
async def test_cancelled_task_deletes_the_remote_job(server: FakeOpenAIServer) -> None:
    server.polls = 10_000
    task = asyncio.create_task(
        generate_video_async(video_config(server), VideoGenerationRequest(prompt="p"))
    )
    while server.count("GET", STATUS) < 2:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(server.deleted) == 1 and server.count("POST", CREATE) == 1


# ---------------------------------------------------------------- azure
def azure(server: FakeOpenAIServer, modality: Any = "image", **kwargs: Any) -> Any:
    return config_for(server, "azure-openai", modality, **{"api_key": KEY, **kwargs})


def test_azure_v1_image(server: FakeOpenAIServer) -> None:
    response = generate_image(azure(server, model="img-prod"), ImageGenerationRequest(prompt="p"))
    sent = server.last("POST", r"/openai/v1/images/generations")
    assert sent.headers["api-key"] == KEY and "authorization" not in sent.headers
    assert sent.json() == {"model": "img-prod", "prompt": "p"} and sent.query == {}
    assert response.provider == "azure-openai" and response.request_id.startswith("req_")


def test_azure_deployments_image_and_speech(server: FakeOpenAIServer) -> None:
    generate_image(
        azure(
            server,
            model="dalle3",
            api_version="2024-02-01",
            provider_config={"base_model": "dall-e-3"},
        ),
        ImageGenerationRequest(prompt="p", style="natural"),
    )
    sent = server.last("POST", r"/openai/deployments/dalle3/images/generations")
    assert sent.query == {"api-version": ["2024-02-01"]}
    assert sent.json() == {"model": "dalle3", "prompt": "p", "style": "natural"}
    response = generate_tts(
        azure(server, "tts", model="tts", api_version="2025-03-01-preview"),
        TTSRequest(text="hi", voice_id="echo"),
    )
    assert base64.b64decode(response.audio) == MP3
    assert server.count("POST", r"/openai/deployments/tts/audio/speech") == 1


def test_azure_video_classic_and_v1(server: FakeOpenAIServer, driver: str) -> None:
    classic = azure(server, "video", model="sora-2", api_version="preview")
    generate(driver, "video", classic, VideoGenerationRequest(prompt="p", duration_seconds=12))
    assert server.last("POST", r"/openai/videos").query == {"api-version": ["preview"]}
    assert server.count("GET", r"/openai/videos/video_[^/]+/content") == 1
    v1 = azure(server, "video", model="sora-2", base_url=f"{server.url}/openai/v1")
    response = generate(driver, "video", v1, VideoGenerationRequest(prompt="p"))
    assert server.count("POST", r"/openai/v1/videos") == 1
    assert response.video["content"] == MP4


def test_azure_content_filter_is_moderation(server: FakeOpenAIServer) -> None:
    config = azure(server, model="img", api_version="2025-04-01-preview")
    with pytest.raises(ContentModerationError) as caught:
        generate_image(config, ImageGenerationRequest(prompt="moderation-block"))
    assert "content_policy_violation" in caught.value.message


def test_azure_key_from_environment(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-env-key")
    generate_image(azure(server, model="img", api_key=None), ImageGenerationRequest(prompt="p"))
    assert server.last("POST", r"/openai/v1/images/generations").headers["api-key"] == "az-env-key"


def test_azure_needs_base_url(server: FakeOpenAIServer) -> None:
    config = ImageGenerationConfig(provider="azure-openai", model="img", api_key=KEY)
    with pytest.raises(ValidationError) as caught:
        generate_image(config, ImageGenerationRequest(prompt="p"))
    assert "base_url" in str(caught.value)
    assert server.requests == []


def test_azure_needs_a_deployment_name(server: FakeOpenAIServer) -> None:
    with pytest.raises(ValidationError) as caught:
        generate_image(azure(server), ImageGenerationRequest(prompt="p"))
    assert "config.model is required" in str(caught.value)
    assert server.requests == []
