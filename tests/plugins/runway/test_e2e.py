"""The public API against the fake Runway API: sync, async, progress, uploads, faults, cancel."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from tarash.tarash_gateway import (
    generate_image,
    generate_image_async,
    generate_sts,
    generate_tts,
    generate_tts_async,
    generate_video,
    generate_video_async,
)
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    MalformedResponseError,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    STSRequest,
    TTSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import config_for
from tests.plugins.runway.fake_runway import MP3_STUB, PNG_1PX, FakeRunwayServer

KEY = "runway-test-key-123"
T2V = ("POST", r"/v1/text_to_video")
I2V = ("POST", r"/v1/image_to_video")
TASK = ("GET", r"/v1/tasks/[^/]+")
DELETE = ("DELETE", r"/v1/tasks/[^/]+")
REQUEST = VideoGenerationRequest(
    prompt="a fox in the snow", duration_seconds=8, aspect_ratio="16:9", resolution="1080p"
)


def config(
    server: FakeRunwayServer, model: str = "veo3.1", modality: Any = "video", **overrides: Any
) -> Any:
    return config_for(server, "runway", modality, model=model, **{"api_key": KEY, **overrides})


# ---------------------------------------------------------------- happy paths
def test_video_sync_speaks_runways_task_protocol(runway_server: FakeRunwayServer) -> None:
    updates: list[Any] = []
    response = generate_video(config(runway_server), REQUEST, on_progress=updates.append)

    assert response.video == f"{runway_server.url}/files/{response.request_id}.mp4"
    assert response.content_type == "video/mp4" and response.provider == "runway"
    create = runway_server.last(*T2V)
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.headers["x-runway-version"] == "2024-11-06"
    assert create.json() == {
        "model": "veo3.1",
        "promptText": "a fox in the snow",
        "ratio": "1920:1080",
        "duration": 8,
    }
    assert runway_server.created == 1 and response.request_id in runway_server.tasks
    assert runway_server.count(*TASK) == 3
    assert response.raw_response["status"] == "SUCCEEDED"

    states = [u.status for u in updates]
    assert states[0] == "queued" and states[-1] == "completed" and "processing" in states
    running = [u.progress_percent for u in updates if u.status == "processing"]
    assert running == [33], "progress 0.33 is reported as 33 percent"
    assert updates[-1].progress_percent == 100 and updates[-1].result is not None


@pytest.mark.anyio
async def test_video_async_uses_the_image_endpoint_for_a_first_frame(
    runway_server: FakeRunwayServer,
) -> None:
    seen: list[str] = []

    async def on_progress(update: Any) -> None:
        seen.append(update.status)

    request = VideoGenerationRequest(
        prompt="the fox runs", image_list=[{"image": "https://x/fox.png", "type": "first_frame"}]
    )
    response = await generate_video_async(
        config(runway_server, "gen4_turbo"), request, on_progress=on_progress
    )
    assert response.video.startswith(runway_server.url)
    assert runway_server.last(*I2V).json() == {
        "model": "gen4_turbo",
        "promptText": "the fox runs",
        "promptImage": "https://x/fox.png",
        "ratio": "1280:720",
    }
    assert runway_server.count(*T2V) == 0
    assert seen[0] == "queued" and seen[-1] == "completed"


def test_image_sync_and_async(runway_server: FakeRunwayServer) -> None:
    request = ImageGenerationRequest(prompt="a red panda", aspect_ratio="1:1", seed=4)
    image_config = config(runway_server, "gen4_image", "image")
    response = generate_image(image_config, request)
    assert response.images == [f"{runway_server.url}/files/{response.request_id}.png"]
    assert response.content_type == "image/png"
    assert runway_server.last("POST", r"/v1/text_to_image").json() == {
        "model": "gen4_image",
        "promptText": "a red panda",
        "ratio": "1080:1080",
        "seed": 4,
    }
    response = asyncio.run(generate_image_async(image_config, request))
    assert len(response.images) == 1 and runway_server.created == 2


def test_tts_returns_the_audio_itself_sync_and_async(runway_server: FakeRunwayServer) -> None:
    tts_config = config(runway_server, "eleven_multilingual_v2", "tts")
    request = TTSRequest(text="hello there", voice_id="Maya")
    response = generate_tts(tts_config, request)
    assert base64.b64decode(response.audio) == MP3_STUB
    assert response.content_type == "audio/mpeg"
    assert runway_server.last("POST", r"/v1/text_to_speech").json() == {
        "model": "eleven_multilingual_v2",
        "promptText": "hello there",
        "voice": {"type": "runway-preset", "presetId": "Maya"},
    }
    download = runway_server.last("GET", r"/files/.+")
    assert "authorization" not in download.headers, "the key is not sent to output URLs"
    response = asyncio.run(generate_tts_async(tts_config, request))
    assert base64.b64decode(response.audio) == MP3_STUB


def test_sts(runway_server: FakeRunwayServer) -> None:
    sts_config = config(runway_server, "eleven_multilingual_sts_v2", "sts")
    response = generate_sts(sts_config, STSRequest(audio="https://x/in.mp3", voice_id="Noah"))
    assert base64.b64decode(response.audio) == MP3_STUB
    assert runway_server.last("POST", r"/v1/speech_to_speech").json()["media"] == {
        "type": "audio",
        "uri": "https://x/in.mp3",
    }


def test_env_key_and_default_model(
    runway_server: FakeRunwayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNWAYML_API_SECRET", "from-env")
    response = generate_video(
        VideoGenerationConfig(provider="runway", base_url=runway_server.url, poll_interval=0.01),
        VideoGenerationRequest(prompt="x"),
    )
    assert response.model == "gen4.5"
    assert runway_server.last(*T2V).headers["authorization"] == "Bearer from-env"
    assert runway_server.last(*T2V).json() == {
        "model": "gen4.5",
        "promptText": "x",
        "ratio": "1280:720",
        "duration": 5,
    }


def test_throttled_task_is_reported_as_queued(runway_server: FakeRunwayServer) -> None:
    runway_server.throttled = True
    updates: list[Any] = []
    generate_video(config(runway_server), REQUEST, on_progress=updates.append)
    assert [u.status for u in updates] == ["queued", "processing", "completed"]


# ---------------------------------------------------------------- large media → ephemeral upload
def test_large_inline_image_goes_through_an_ephemeral_upload(
    runway_server: FakeRunwayServer,
) -> None:
    big = PNG_1PX + bytes(5000)
    request = VideoGenerationRequest(prompt="p", image_list=[{"image": big, "type": "first_frame"}])
    generate_video(
        config(runway_server, "gen4.5", provider_config={"upload_threshold_bytes": 1000}),
        request,
    )
    reserve = runway_server.last("POST", r"/v1/uploads")
    assert reserve.json() == {"filename": "input.png", "type": "ephemeral"}
    assert reserve.headers["authorization"] == f"Bearer {KEY}"
    stored = runway_server.last("POST", r"/_uploads/\d+")
    assert "authorization" not in stored.headers, "the Runway key is not sent to the signed URL"
    content_type, content, fields = runway_server.uploads["runway://uploads/1"]
    assert content == big and content_type == "image/png"
    assert fields == {"key": "uploads/1/input.png", "policy": "c2lnbmVk"}
    assert runway_server.last(*I2V).json()["promptImage"] == "runway://uploads/1"


def test_small_inline_image_stays_a_data_uri(runway_server: FakeRunwayServer) -> None:
    request = VideoGenerationRequest(
        prompt="p", image_list=[{"image": PNG_1PX, "type": "first_frame"}]
    )
    generate_video(config(runway_server, "gen4.5"), request)
    assert runway_server.count("POST", r"/v1/uploads") == 0
    expected = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    assert runway_server.last(*I2V).json()["promptImage"] == expected


# ---------------------------------------------------------------- task failures
def test_safety_failure_is_content_moderation(runway_server: FakeRunwayServer) -> None:
    request = VideoGenerationRequest(prompt="something forbidden", duration_seconds=8)
    with pytest.raises(ContentModerationError) as caught:
        generate_video(config(runway_server), request)
    assert "SAFETY.INPUT.TEXT" in str(caught.value) and not is_retryable_error(caught.value)
    assert caught.value.request_id in runway_server.tasks
    assert runway_server.created == 1


def test_failed_task_is_generation_failed(runway_server: FakeRunwayServer) -> None:
    runway_server.failing_models.add("veo3.1")
    updates: list[Any] = []
    with pytest.raises(GenerationFailedError) as caught:
        generate_video(config(runway_server), REQUEST, on_progress=updates.append)
    assert "INTERNAL.BAD_OUTPUT.CODE01" in str(caught.value) and is_retryable_error(caught.value)
    assert updates[-1].status == "failed" and runway_server.created == 1


def test_task_cancelled_elsewhere_is_a_clear_error(runway_server: FakeRunwayServer) -> None:
    runway_server.inject(
        *TASK,
        status=200,
        json_body={"id": "t", "createdAt": "2026-11-28T01:00:00Z", "status": "CANCELLED"},
    )
    with pytest.raises(GenerationFailedError, match="cancelled or deleted"):
        generate_video(config(runway_server), REQUEST)


# ---------------------------------------------------------------- HTTP errors
def test_400_names_runways_issues_and_nothing_is_created(runway_server: FakeRunwayServer) -> None:
    with pytest.raises(ValidationError) as caught:
        generate_video(
            config(runway_server, provider_config={"runway_version": "2023-01-01"}), REQUEST
        )
    assert "X-Runway-Version header must be set to 2024-11-06" in str(caught.value)
    runway_server.inject(
        *T2V,
        status=400,
        json_body={
            "error": "Validation of body failed",
            "issues": [{"path": ["ratio"], "message": "Invalid enum value"}],
        },
    )
    with pytest.raises(ValidationError) as caught:
        generate_video(config(runway_server), REQUEST)
    assert "Validation of body failed (ratio: Invalid enum value)" in str(caught.value)
    assert runway_server.created == 0


def test_401_is_not_retried(runway_server: FakeRunwayServer) -> None:
    runway_server.inject(*T2V, status=401, json_body={"error": "Unauthorized"})
    with pytest.raises(HTTPError) as caught:
        generate_video(config(runway_server), REQUEST)
    assert caught.value.status_code == 401 and not is_retryable_error(caught.value)
    assert runway_server.count(*T2V) == 1


def test_malformed_create_answer(runway_server: FakeRunwayServer) -> None:
    runway_server.inject(*T2V, status=200, json_body={"task": "no id here"})
    with pytest.raises(MalformedResponseError, match="without the task id"):
        generate_video(config(runway_server), REQUEST)


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "json_body": {"error": "Service Unavailable"}},
        {
            "status": 429,
            "json_body": {"error": "Too many requests"},
            "headers": {"Retry-After": "0"},
        },
        {"drop": True},
        {"status": 200, "body": b"<html>not json</html>"},
    ],
    ids=["503", "429", "dropped", "malformed"],
)
def test_transient_poll_faults_are_retried_without_recreating(
    runway_server: FakeRunwayServer, fault: dict[str, Any]
) -> None:
    runway_server.inject(*TASK, **fault)
    response = generate_video(config(runway_server), REQUEST)
    assert response.status == "completed"
    assert runway_server.created == 1 and runway_server.count(*T2V) == 1


# ---------------------------------------------------------------- cancel
def test_timeout_deletes_the_task_at_runway(runway_server: FakeRunwayServer) -> None:
    runway_server.polls = 10_000
    with pytest.raises(TimeoutError):
        generate_video(config(runway_server, timeout=0.3), REQUEST)
    assert runway_server.count(*DELETE) == 1
    assert runway_server.task().cancelled and runway_server.created == 1
    delete = runway_server.last(*DELETE)
    assert delete.headers["x-runway-version"] == "2024-11-06"


@pytest.mark.anyio
async def test_async_task_cancellation_deletes_the_task(runway_server: FakeRunwayServer) -> None:
    runway_server.polls = 10_000
    task = asyncio.ensure_future(generate_video_async(config(runway_server), REQUEST))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert runway_server.count(*DELETE) == 1 and runway_server.task().cancelled


def test_fallback_from_a_failing_model_to_another(runway_server: FakeRunwayServer) -> None:
    runway_server.failing_models.add("veo3.1")
    chained = config(runway_server, fallback_configs=[config(runway_server, "veo3.1_fast")])
    response = generate_video(chained, REQUEST)
    assert response.model == "veo3.1_fast"
    attempts = response.execution_metadata.attempts
    assert [a.status for a in attempts] == ["failed", "success"]
    assert attempts[0].error_type == "GenerationFailedError" and runway_server.created == 2


def test_bad_input_fails_before_any_request(runway_server: FakeRunwayServer) -> None:
    request = VideoGenerationRequest(prompt="p", aspect_ratio="1:1", duration_seconds=8)
    with pytest.raises(ValidationError, match=r"aspect_ratio='1:1' is not accepted"):
        generate_video(config(runway_server, "gen4.5"), request)
    assert runway_server.requests == []


# ---------------------------------------------------------------- input size limits
def test_an_image_over_the_data_uri_limit_is_refused_when_it_would_go_inline(
    runway_server: FakeRunwayServer, tmp_path
) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(PNG_1PX + bytes(4_000_000 - len(PNG_1PX)))  # 4.0 MB: a 5.3 MB data URI
    request = VideoGenerationRequest(prompt="p", image_list=[{"image": big, "type": "first_frame"}])
    inline = config(runway_server, "gen4.5", provider_config={"upload_threshold_bytes": 10**7})
    with pytest.raises(ValidationError) as refused:
        generate_video(inline, request)
    assert refused.value.message == (
        "image_list[0].image: 4.0 MB is over gen4.5's limit of 3.9 MB for media sent inline; "
        "pass a URL or a smaller file (or an upload_threshold_bytes below 4000000 in "
        "provider_config, so it is uploaded)"
    )
    assert runway_server.count("POST", r".*") == 0, "refused before any request"

    generate_video(config(runway_server, "gen4.5"), request)  # default threshold: uploaded
    assert runway_server.last(*I2V).json()["promptImage"] == "runway://uploads/1"


def test_media_over_the_upload_limit_is_refused_before_any_request(
    runway_server: FakeRunwayServer, tmp_path
) -> None:
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as file:
        file.write(bytes(4) + b"ftypisom" + bytes(20))
        file.truncate(210 * 1024 * 1024)  # sparse: nothing is written or read
    request = VideoGenerationRequest(prompt="p", video=huge)
    with pytest.raises(ValidationError) as refused:
        generate_video(config(runway_server, "aleph2"), request)
    assert refused.value.message == (
        "video: 220.2 MB is over aleph2's limit of 209.7 MB for uploaded media; pass a smaller file"
    )
    assert runway_server.count("POST", r".*") == 0


# ---------------------------------------------------------------- no endpoint fits
def test_a_request_no_endpoint_takes_names_what_each_endpoint_lacks(
    runway_server: FakeRunwayServer,
) -> None:
    last_only = VideoGenerationRequest(
        prompt="p", image_list=[{"image": "https://x.test/end.png", "type": "last_frame"}]
    )
    with pytest.raises(ValidationError) as refused:
        generate_video(config(runway_server, "gen4.5"), last_only)
    assert refused.value.message == (
        "model 'gen4.5' has no endpoint that takes this request: "
        "Gen-4.5 text to video (/v1/text_to_video): takes no image_list; "
        "Gen-4.5 image to video (/v1/image_to_video): missing image_list (first_frame/reference)"
    )
    assert runway_server.count("POST", r".*") == 0


def test_a_model_id_runway_does_not_list_has_the_generic_endpoints() -> None:
    from tarash.tarash_gateway import describe_model

    described = describe_model("runway", "gen5_preview", "video")
    assert [(v.name, v.endpoint) for v in described.variants] == [
        ("Any other model: text to video", "/v1/text_to_video"),
        ("Any other model: image to video", "/v1/image_to_video"),
        ("Any other model: video to video", "/v1/video_to_video"),
    ]
