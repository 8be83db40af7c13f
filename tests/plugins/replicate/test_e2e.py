"""The public API against the fake Replicate API: routing, sync mode, progress, faults, cancel."""

from __future__ import annotations

import asyncio
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
    HTTPError,
    MalformedResponseError,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import config_for
from tests.plugins.replicate.fake_replicate import PNG_1PX, FakeReplicateServer

KEY = "r8_test_key_123"
VEO = "google/veo-3.1-fast"
CREATE = ("POST", r"/v1/models/google/veo-3\.1-fast/predictions")
FLUX_CREATE = ("POST", r"/v1/models/black-forest-labs/flux-schnell/predictions")
GET = ("GET", r"/v1/predictions/[^/]+")
CANCEL = ("POST", r"/v1/predictions/[^/]+/cancel")
REQUEST = VideoGenerationRequest(
    prompt="a fox in the snow", duration_seconds=8, aspect_ratio="9:16"
)


def config(
    server: FakeReplicateServer, model: str = VEO, modality: Any = "video", **overrides: Any
) -> Any:
    values = {"api_key": KEY, "timeout": 600, **overrides}
    return config_for(server, "replicate", modality, model=model, **values)


# ---------------------------------------------------------------- happy paths
def test_video_sync_polls_with_progress_from_the_logs(
    replicate_server: FakeReplicateServer,
) -> None:
    updates: list[Any] = []
    response = generate_video(config(replicate_server), REQUEST, on_progress=updates.append)

    assert response.video == f"{replicate_server.url}/files/{response.request_id}.mp4"
    assert response.content_type == "video/mp4" and response.provider == "replicate"
    create = replicate_server.last(*CREATE)
    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.headers["cancel-after"] == "10m", "the deadline is the config's timeout"
    assert "prefer" not in create.headers, "video predictions are polled, not held"
    assert create.json() == {
        "input": {"prompt": "a fox in the snow", "aspect_ratio": "9:16", "duration": 8}
    }
    assert replicate_server.created == 1 and replicate_server.count(*GET) == 3

    assert [u.status for u in updates] == ["queued", "processing", "completed"]
    processing = next(u for u in updates if u.status == "processing")
    assert processing.progress_percent == 0 and processing.logs == [
        "Using seed: 42",
        "  0%|          | 0/20 [00:00<?, ?it/s]",
    ]
    assert updates[-1].progress_percent == 100
    logged = [line for u in updates for line in u.logs]
    assert logged.count("Using seed: 42") == 1, "each log line is reported once"


@pytest.mark.anyio
async def test_video_async(replicate_server: FakeReplicateServer) -> None:
    seen: list[str] = []

    async def on_progress(update: Any) -> None:
        seen.append(update.status)

    response = await generate_video_async(
        config(replicate_server), REQUEST, on_progress=on_progress
    )
    assert response.video.endswith(".mp4") and seen[0] == "queued" and seen[-1] == "completed"


def test_image_sync_mode_answers_in_one_request(replicate_server: FakeReplicateServer) -> None:
    image_config = config(replicate_server, "black-forest-labs/flux-schnell", "image", timeout=120)
    request = ImageGenerationRequest(prompt="a red panda", aspect_ratio="16:9", n=2)
    response = generate_image(image_config, request)
    assert response.images == [
        f"{replicate_server.url}/files/{response.request_id}-0.png",
        f"{replicate_server.url}/files/{response.request_id}-1.png",
    ]
    assert response.content_type == "image/png"
    create = replicate_server.last(*FLUX_CREATE)
    assert create.headers["prefer"] == "wait=60" and create.headers["cancel-after"] == "2m"
    assert create.json() == {
        "input": {"prompt": "a red panda", "aspect_ratio": "16:9", "num_outputs": 2}
    }
    assert replicate_server.count(*GET) == 0, "sync mode: no poll needed"

    response = asyncio.run(generate_image_async(image_config, request))
    assert len(response.images) == 2 and replicate_server.count(*GET) == 0


def test_sync_mode_falls_back_to_polling(replicate_server: FakeReplicateServer) -> None:
    replicate_server.fast_models = set()  # the model does not finish within the held request
    image_config = config(replicate_server, "black-forest-labs/flux-schnell", "image")
    response = generate_image(image_config, ImageGenerationRequest(prompt="a red panda"))
    assert replicate_server.last(*FLUX_CREATE).headers["prefer"] == "wait=60"
    assert replicate_server.count(*GET) == 3 and len(response.images) == 1


def test_version_and_deployment_routes(replicate_server: FakeReplicateServer) -> None:
    generate_video(config(replicate_server, "acme/versioned-model:5c7d5dc6dd8b"), REQUEST)
    assert replicate_server.last("POST", r"/v1/predictions").json() == {
        "version": "5c7d5dc6dd8b",
        "input": {"prompt": "a fox in the snow", "duration": 8, "aspect_ratio": "9:16"},
    }
    generate_video(config(replicate_server, "deployments/acme/my-veo"), REQUEST)
    deployment = replicate_server.last("POST", r"/v1/deployments/acme/my-veo/predictions")
    assert deployment.json()["input"]["prompt"] == "a fox in the snow"
    assert replicate_server.created == 2


def test_provider_config_turns_sync_mode_and_the_deadline_off(
    replicate_server: FakeReplicateServer,
) -> None:
    image_config = config(
        replicate_server,
        "black-forest-labs/flux-schnell",
        "image",
        provider_config={"wait": False, "cancel_after": False},
    )
    generate_image(image_config, ImageGenerationRequest(prompt="p"))
    create = replicate_server.last(*FLUX_CREATE)
    assert "prefer" not in create.headers and "cancel-after" not in create.headers


def test_env_key_and_default_model(
    replicate_server: FakeReplicateServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", "from-env")
    response = generate_image(
        ImageGenerationConfig(provider="replicate", base_url=replicate_server.url),
        ImageGenerationRequest(prompt="x"),
    )
    assert response.model == "black-forest-labs/flux-schnell"
    assert replicate_server.last(*FLUX_CREATE).headers["authorization"] == "Bearer from-env"


# ---------------------------------------------------------------- large media → files API
def test_large_inline_image_goes_through_the_files_api(
    replicate_server: FakeReplicateServer,
) -> None:
    big = PNG_1PX + bytes(3000)
    request = VideoGenerationRequest(prompt="p", image_list=[{"image": big, "type": "first_frame"}])
    generate_video(
        config(replicate_server, provider_config={"upload_threshold_bytes": 1000}), request
    )
    upload = replicate_server.last("POST", r"/v1/files")
    assert upload.headers["authorization"] == f"Bearer {KEY}"
    assert replicate_server.files["file-1"] == ("input.png", "image/png", big)
    assert replicate_server.last(*CREATE).json()["input"]["image"] == (
        f"{replicate_server.url}/v1/files/file-1"
    )


# ---------------------------------------------------------------- failures
def test_failed_prediction_is_generation_failed(replicate_server: FakeReplicateServer) -> None:
    replicate_server.failing_models.add(VEO)
    with pytest.raises(GenerationFailedError) as caught:
        generate_video(config(replicate_server), REQUEST)
    assert "CUDA out of memory (E1001)" in str(caught.value) and is_retryable_error(caught.value)
    assert replicate_server.created == 1


def test_nsfw_failure_is_content_moderation(replicate_server: FakeReplicateServer) -> None:
    with pytest.raises(ContentModerationError, match="NSFW content detected"):
        generate_video(config(replicate_server), VideoGenerationRequest(prompt="forbidden"))


def test_moderation_in_sync_mode_is_raised_at_submit(replicate_server: FakeReplicateServer) -> None:
    image_config = config(replicate_server, "black-forest-labs/flux-schnell", "image")
    with pytest.raises(ContentModerationError):
        generate_image(image_config, ImageGenerationRequest(prompt="forbidden"))
    assert replicate_server.count(*GET) == 0


def test_aborted_prediction_says_it_was_not_billed(replicate_server: FakeReplicateServer) -> None:
    replicate_server.aborting_models.add(VEO)
    with pytest.raises(GenerationFailedError, match=r"aborted.*not billed"):
        generate_video(config(replicate_server), REQUEST)


def test_422_names_replicates_invalid_fields(replicate_server: FakeReplicateServer) -> None:
    replicate_server.inject(
        *CREATE,
        status=422,
        json_body={
            "title": "Input validation failed",
            "detail": "- duration: Must be one of: 4, 6, 8",
            "status": 422,
            "invalid_fields": [
                {"type": "enum", "field": "duration", "description": "Must be one of: 4, 6, 8"}
            ],
        },
    )
    with pytest.raises(ValidationError) as caught:
        generate_video(config(replicate_server), REQUEST)
    assert "(duration: Must be one of: 4, 6, 8)" in str(caught.value)
    assert replicate_server.created == 0


def test_401_is_not_retried(replicate_server: FakeReplicateServer) -> None:
    replicate_server.inject(*CREATE, status=401, json_body={"detail": "Invalid token"})
    with pytest.raises(HTTPError) as caught:
        generate_video(config(replicate_server), REQUEST)
    assert caught.value.status_code == 401 and not is_retryable_error(caught.value)
    assert replicate_server.count(*CREATE) == 1


def test_429_on_create_waits_retry_after(replicate_server: FakeReplicateServer) -> None:
    replicate_server.inject(
        *CREATE,
        status=429,
        json_body={"detail": "Request was throttled. Your rate limit resets in ~0s."},
        headers={"Retry-After": "0"},
    )
    response = generate_video(config(replicate_server), REQUEST)
    assert response.status == "completed" and replicate_server.created == 1


def test_malformed_create_answer(replicate_server: FakeReplicateServer) -> None:
    replicate_server.inject(*CREATE, status=201, json_body={"status": "starting"})
    with pytest.raises(MalformedResponseError, match="without the prediction id"):
        generate_video(config(replicate_server), REQUEST)


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "json_body": {"detail": "Service Unavailable"}},
        {"status": 429, "json_body": {"detail": "throttled"}, "headers": {"Retry-After": "0"}},
        {"drop": True},
        {"status": 200, "body": b"<html>oops</html>"},
    ],
    ids=["503", "429", "dropped", "malformed"],
)
def test_transient_poll_faults_are_retried_without_recreating(
    replicate_server: FakeReplicateServer, fault: dict[str, Any]
) -> None:
    replicate_server.inject(*GET, **fault)
    response = generate_video(config(replicate_server), REQUEST)
    assert response.status == "completed" and replicate_server.created == 1


# ---------------------------------------------------------------- cancel
def test_timeout_cancels_the_prediction(replicate_server: FakeReplicateServer) -> None:
    replicate_server.polls = 10_000
    with pytest.raises(TimeoutError):
        generate_video(config(replicate_server, timeout=0.5), REQUEST)
    assert replicate_server.count(*CANCEL) == 1 and replicate_server.prediction().cancelled
    assert replicate_server.last(*CREATE).headers["cancel-after"] == "1s"


@pytest.mark.anyio
async def test_async_task_cancellation_cancels_the_prediction(
    replicate_server: FakeReplicateServer,
) -> None:
    replicate_server.polls = 10_000
    task = asyncio.ensure_future(generate_video_async(config(replicate_server), REQUEST))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert replicate_server.count(*CANCEL) == 1 and replicate_server.prediction().cancelled


def test_canceled_elsewhere_is_a_clear_error(replicate_server: FakeReplicateServer) -> None:
    replicate_server.inject(
        *GET, status=200, json_body={"id": "x", "status": "canceled", "logs": "", "output": None}
    )
    with pytest.raises(GenerationFailedError, match="was canceled"):
        generate_video(config(replicate_server), REQUEST)


def test_an_unknown_provider_config_key_is_named(replicate_server: FakeReplicateServer) -> None:
    with pytest.warns(UserWarning, match=r"'wiat' is not read by provider 'replicate'.*'wait'"):
        generate_video(config(replicate_server, provider_config={"wiat": 5}), REQUEST)
