"""The public API against the fake fal queue server: sync, async, progress, faults."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tarash.tarash_gateway import (
    generate_image,
    generate_image_async,
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
    ImageGenerationConfig,
    ImageGenerationRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import config_for
from tests.plugins.fal.fake_fal import FakeFalServer, FalJob

KEY = "fal-test-key-123"
VEO = "fal-ai/veo3.1/fast"
SUBMIT = ("POST", r"/fal-ai/veo3\.1/fast")
STATUS = ("GET", r"/fal-ai/veo3\.1/requests/[^/]+/status")
RESULT = ("GET", r"/fal-ai/veo3\.1/requests/[^/]+")
CANCEL = ("PUT", r"/fal-ai/veo3\.1/requests/[^/]+/cancel")


def fal_422(field: str, message: str, kind: str) -> dict[str, Any]:
    """fal's 422 body for one refused field."""
    return {"detail": [{"loc": ["body", field], "msg": message, "type": kind}]}


def video_config(
    server: FakeFalServer, model: str = VEO, **overrides: Any
) -> VideoGenerationConfig:
    return config_for(server, "fal", "video", model=model, **{"api_key": KEY, **overrides})


def image_config(
    server: FakeFalServer, model: str = "fal-ai/flux/dev", **overrides: Any
) -> ImageGenerationConfig:
    return config_for(server, "fal", "image", model=model, **{"api_key": KEY, **overrides})


REQUEST = VideoGenerationRequest(
    prompt="a fox in the snow", duration_seconds=8, aspect_ratio="16:9", generate_audio=True
)


# ---------------------------------------------------------------- happy paths
def test_video_sync_speaks_fals_queue_protocol(fal_server: FakeFalServer) -> None:
    updates: list[Any] = []
    response = generate_video(video_config(fal_server), REQUEST, on_progress=updates.append)

    assert response.video.endswith(".mp4") and response.content_type == "video/mp4"
    assert response.provider == "fal" and response.model == VEO
    submit = fal_server.last(*SUBMIT)
    assert submit.headers["authorization"] == f"Key {KEY}"
    assert submit.json() == {
        "prompt": "a fox in the snow",
        "duration": "8s",
        "aspect_ratio": "16:9",
        "generate_audio": True,
    }
    status = fal_server.last(*STATUS)
    assert status.query["logs"] == ["1"]
    assert fal_server.count(*RESULT) == 1 and fal_server.submits == 1
    assert response.request_id in fal_server.jobs

    states = [u.status for u in updates]
    assert states[0] == "queued" and states[-1] == "completed" and "processing" in states
    queued = [u for u in updates if u.status == "queued" and u.queue_position is not None]
    assert queued, "queue position reported"
    logs = [line for u in updates for line in u.logs]
    assert logs == ["step 1", "step 2"], "each log line reported once, in order"
    assert updates[-1].result is not None and updates[-1].progress_percent == 100


@pytest.mark.anyio
async def test_video_async_with_async_progress(fal_server: FakeFalServer) -> None:
    seen: list[str] = []

    async def on_progress(update: Any) -> None:
        seen.append(update.status)

    response = await generate_video_async(
        video_config(fal_server), REQUEST, on_progress=on_progress
    )
    assert response.video.startswith(fal_server.url)
    assert seen[0] == "queued" and seen[-1] == "completed"
    assert fal_server.submits == 1


def test_image_sync_and_async(fal_server: FakeFalServer) -> None:
    import asyncio

    request = ImageGenerationRequest(prompt="a red panda", n=2, aspect_ratio="1:1")
    response = generate_image(image_config(fal_server), request)
    assert len(response.images) == 2 and response.content_type == "image/png"
    assert fal_server.last("POST", r"/fal-ai/flux/dev").json() == {
        "prompt": "a red panda",
        "num_images": 2,
        "image_size": "square_hd",
    }

    response = asyncio.run(generate_image_async(image_config(fal_server), request))
    assert len(response.images) == 2
    assert fal_server.submits == 2


def test_env_key_and_default_model(
    fal_server: FakeFalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAL_KEY", "from-env")
    config = VideoGenerationConfig(provider="fal", base_url=fal_server.url, poll_interval=0.01)
    response = generate_video(config, VideoGenerationRequest(prompt="x"))
    assert response.model == "fal-ai/veo3.1/fast"
    assert fal_server.last(*SUBMIT).headers["authorization"] == "Key from-env"


def test_response_saves_media(fal_server: FakeFalServer, tmp_path: Any) -> None:
    response = generate_video(video_config(fal_server), REQUEST)
    path = response.save(tmp_path / "out")
    assert path.suffix == ".mp4" and path.read_bytes().startswith(b"\x00\x00\x00\x18ftyp")


def test_status_urls_fall_back_to_owner_app_when_submit_omits_them(
    fal_server: FakeFalServer,
) -> None:
    fal_server.inject(
        "POST",
        SUBMIT[1],
        status=200,
        json_body={"request_id": "missing-urls", "status": "IN_QUEUE"},
    )
    model = "fal-ai/veo3.1/fast"
    fal_server.jobs["missing-urls"] = FalJob(model, {}, "ok", polls=1)
    response = generate_video(video_config(fal_server), REQUEST)
    assert response.request_id == "missing-urls"
    assert fal_server.count("GET", r"/fal-ai/veo3\.1/requests/missing-urls/status") == 1


# ---------------------------------------------------------------- large media → storage
def test_large_inline_media_is_uploaded_to_fal_storage(fal_server: FakeFalServer) -> None:
    big = b"\x89PNG\r\n\x1a\n" + bytes(5000)
    small = b"\x89PNG\r\n\x1a\n" + bytes(10)
    request = VideoGenerationRequest(
        prompt="p",
        image_list=[{"image": big, "type": "first_frame"}, {"image": small, "type": "last_frame"}],
    )
    config = video_config(
        fal_server,
        "fal-ai/veo3.1/fast/first-last-frame-to-video",
        provider_config={"storage_base_url": fal_server.url, "upload_threshold_bytes": 1000},
    )
    generate_video(config, request)
    initiate = fal_server.last("POST", r"/storage/upload/initiate")
    assert initiate.query["storage_type"] == ["gcs"]
    assert initiate.json() == {"file_name": "input.png", "content_type": "image/png"}
    assert list(fal_server.uploads.values()) == [big]
    payload = fal_server.payload()
    assert payload["first_frame_url"].startswith(f"{fal_server.url}/files/")
    assert payload["last_frame_url"] == (
        "data:image/png;base64," + base64.b64encode(small).decode()
    )
    put = fal_server.last("PUT", r"/_uploads/.+")
    assert "authorization" not in put.headers, "the fal key is not sent to the signed URL"


# ---------------------------------------------------------------- errors
def test_401_is_an_auth_error_not_retried(fal_server: FakeFalServer) -> None:
    fal_server.inject(*SUBMIT, status=401, json_body={"detail": "No user found for Key ID"})
    with pytest.raises(HTTPError) as caught:
        generate_video(video_config(fal_server), REQUEST)
    assert caught.value.status_code == 401 and not is_retryable_error(caught.value)
    assert "No user found" in str(caught.value) and "API key" in str(caught.value)


def test_422_names_fals_per_field_detail(fal_server: FakeFalServer) -> None:
    fal_server.inject(
        *SUBMIT,
        status=422,
        json_body=fal_422(
            "duration", "unexpected value; permitted: '4s', '6s', '8s'", "value_error.const"
        ),
    )
    with pytest.raises(ValidationError) as caught:
        generate_video(video_config(fal_server), REQUEST)
    assert "duration: unexpected value; permitted: '4s', '6s', '8s' (value_error.const)" in str(
        caught.value
    )
    assert fal_server.submits == 0


def test_content_policy_at_submit_is_moderation(fal_server: FakeFalServer) -> None:
    fal_server.inject(
        *SUBMIT,
        status=422,
        json_body=fal_422(
            "prompt", "The content was flagged by a content checker.", "content_policy_violation"
        ),
    )
    with pytest.raises(ContentModerationError) as caught:
        generate_video(video_config(fal_server), REQUEST)
    assert "flagged" in str(caught.value)


def test_content_policy_at_result_is_moderation(fal_server: FakeFalServer) -> None:
    fal_server.moderated_models.add(VEO)
    with pytest.raises(ContentModerationError) as caught:
        generate_video(video_config(fal_server), REQUEST)
    assert caught.value.request_id in fal_server.jobs
    assert fal_server.submits == 1


def test_failed_job_is_generation_failed(fal_server: FakeFalServer) -> None:
    fal_server.failing_models.add(VEO)
    updates: list[Any] = []
    with pytest.raises(GenerationFailedError) as caught:
        generate_video(video_config(fal_server), REQUEST, on_progress=updates.append)
    assert "could not generate" in str(caught.value) and is_retryable_error(caught.value)
    assert updates[-1].status == "failed"
    assert fal_server.submits == 1


def test_submit_429_waits_retry_after_then_succeeds(fal_server: FakeFalServer) -> None:
    fal_server.inject(
        *SUBMIT, status=429, json_body={"detail": "Too many requests"}, headers={"Retry-After": "0"}
    )
    response = generate_video(video_config(fal_server), REQUEST)
    assert response.status == "completed"
    assert fal_server.count(*SUBMIT) == 2 and fal_server.submits == 1


def test_submit_5xx_is_retryable_and_not_resubmitted(fal_server: FakeFalServer) -> None:
    fal_server.inject(*SUBMIT, status=502, body=b"<html>nginx bad gateway</html>")
    with pytest.raises(HTTPError) as caught:
        generate_video(video_config(fal_server), REQUEST)
    assert caught.value.status_code == 502 and is_retryable_error(caught.value)
    assert fal_server.count(*SUBMIT) == 1


def test_dropped_submit_is_a_connection_error(fal_server: FakeFalServer) -> None:
    fal_server.inject(*SUBMIT, drop=True)
    with pytest.raises(HTTPConnectionError):
        generate_video(video_config(fal_server), REQUEST)
    assert fal_server.count(*SUBMIT) == 1


def test_malformed_submit_body(fal_server: FakeFalServer) -> None:
    fal_server.inject(*SUBMIT, status=200, body=b"<html>oops</html>")
    with pytest.raises(MalformedResponseError):
        generate_video(video_config(fal_server), REQUEST)


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "json_body": {"detail": "upstream"}},
        {"status": 429, "json_body": {"detail": "slow"}, "headers": {"Retry-After": "0"}},
        {"drop": True},
        {"status": 200, "body": b"not json"},
    ],
    ids=["503", "429", "dropped", "malformed"],
)
def test_transient_poll_faults_are_retried_without_resubmitting(
    fal_server: FakeFalServer, fault: dict[str, Any]
) -> None:
    fal_server.inject(*STATUS, **fault)
    response = generate_video(video_config(fal_server), REQUEST)
    assert response.status == "completed"
    assert fal_server.submits == 1 and fal_server.count(*SUBMIT) == 1


def test_transient_result_fault_is_retried(fal_server: FakeFalServer) -> None:
    fal_server.inject(
        "GET",
        r"/fal-ai/veo3\.1/requests/[^/]+",
        status=500,
        json_body={"detail": "Internal Server Error"},
    )
    response = generate_video(video_config(fal_server), REQUEST)
    assert response.status == "completed" and fal_server.submits == 1


def test_timeout_cancels_the_job_at_fal(fal_server: FakeFalServer) -> None:
    fal_server.polls = 10_000
    with pytest.raises(TimeoutError):
        generate_video(video_config(fal_server, timeout=0.3), REQUEST)
    assert fal_server.count(*CANCEL) == 1
    assert fal_server.job().cancelled and fal_server.submits == 1


@pytest.mark.anyio
async def test_async_task_cancellation_cancels_the_job_at_fal(fal_server: FakeFalServer) -> None:
    import asyncio

    fal_server.polls = 10_000
    task = asyncio.ensure_future(generate_video_async(video_config(fal_server), REQUEST))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert fal_server.count(*CANCEL) == 1 and fal_server.job().cancelled


def test_fallback_from_failing_fal_model_to_another(fal_server: FakeFalServer) -> None:
    fal_server.failing_models.add("fal-ai/kling-video/v2.6/pro/text-to-video")
    config = video_config(
        fal_server,
        "fal-ai/kling-video/v2.6/pro/text-to-video",
        fallback_configs=[video_config(fal_server, VEO)],
    )
    response = generate_video(config, VideoGenerationRequest(prompt="p", aspect_ratio="16:9"))
    assert response.model == VEO
    attempts = response.execution_metadata.attempts
    assert [a.status for a in attempts] == ["failed", "success"]
    assert attempts[0].error_type == "GenerationFailedError"
    assert fal_server.submits == 2


def test_bad_fallback_input_fails_before_any_submit(fal_server: FakeFalServer) -> None:
    config = video_config(
        fal_server,
        "fal-ai/kling-video/v2.6/pro/text-to-video",
        fallback_configs=[video_config(fal_server, "fal-ai/sora-2/text-to-video")],
    )
    with pytest.raises(ValidationError) as caught:
        generate_video(config, VideoGenerationRequest(prompt="p", duration_seconds=10))
    assert "duration_seconds=10" in str(caught.value)
    assert fal_server.requests == []


def test_user_field_mapping_overrides_the_plugin(fal_server: FakeFalServer) -> None:
    from tarash.tarash_gateway import (
        describe_model,
        get_provider_field_mapping,
        register_provider_field_mapping,
    )
    from tarash.tarash_gateway.providers.field_mappers import (
        duration_field_mapper,
        passthrough_field_mapper,
    )

    assert "fal-ai/veo3.1" in get_provider_field_mapping("fal")
    register_provider_field_mapping(
        "fal",
        {
            "fal-ai/veo3.1/fast": {
                "duration": duration_field_mapper("int"),  # overrides fal's "8s" form and 4/6/8
                "text": passthrough_field_mapper("prompt", required=True),  # adds a field
            }
        },
    )
    request = VideoGenerationRequest(
        prompt="p", duration_seconds=3, seed=7, extra_params={"auto_fix": False}
    )
    generate_video(video_config(fal_server), request)
    # Only the named fields change: the plugin's seed and the extra_params still go out.
    assert fal_server.payload() == {
        "prompt": "p",
        "duration": 3,
        "seed": 7,
        "text": "p",
        "auto_fix": False,
    }
    caps = describe_model("fal", "fal-ai/veo3.1/fast")
    duration = caps.field("duration_seconds")
    assert duration is not None and duration.values is None and duration.sent_as == ["duration"]


def test_an_image_a_text_to_video_model_would_ignore_fails_before_any_request(
    fal_server: FakeFalServer,
) -> None:
    request = VideoGenerationRequest(
        prompt="a fox", image_list=[{"image": "https://x/first.png", "type": "first_frame"}]
    )
    with pytest.raises(ValidationError, match=r"fal-ai/veo3\.1/fast\] image_list is given"):
        generate_video(video_config(fal_server), request)
    assert fal_server.requests == []
