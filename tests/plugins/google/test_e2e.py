"""End to end through the public API against the fake Gemini API / Vertex AI server."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tarash.tarash_gateway import (
    _mock_media,
    generate_image,
    generate_video,
    generate_video_async,
    register_provider_field_mapping,
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
from tarash.tarash_gateway.providers.field_mappers import duration_field_mapper
from tarash.tarash_gateway.testing import config_for, generate
from tests.plugins.google.fake_google import MP4, STATIC_TOKEN, FakeGoogleServer

KEY = "AIza-test-e2e-key"
PNG = _mock_media.png(16, 16)
FAST = "veo-3.1-fast-generate-001"
START = rf"/v1beta/models/{FAST}:predictLongRunning"
OPERATION = rf"/v1beta/models/{FAST}/operations/[^/]+"
DOWNLOAD = r"/v1beta/files/[^/]+:download"
VERTEX_PREFIX = "/v1/projects/p1/locations/us-central1/publishers/google/models"
VERTEX = {"project": "p1", "region": "us-central1"}


def video_config(server: FakeGoogleServer, **kwargs: Any) -> VideoGenerationConfig:
    return config_for(server, "google", "video", **{"model": FAST, "api_key": KEY, **kwargs})


def image_config(server: FakeGoogleServer, **kwargs: Any) -> ImageGenerationConfig:
    values = {"model": "gemini-3.1-flash-image", "api_key": KEY, **kwargs}
    return config_for(server, "google", "image", **values)


def vertex_config(server: FakeGoogleServer, **kwargs: Any) -> VideoGenerationConfig:
    values = {"model": "veo-3.1-generate-001", "api_key": STATIC_TOKEN, "provider_config": VERTEX}
    return config_for(server, "google-vertex", "video", **{**values, **kwargs})


def video_bytes(response: Any) -> bytes:
    assert isinstance(response.video, dict)
    return bytes(response.video["content"])


# ---------------------------------------------------------------- Veo on the Gemini API
def test_text_to_video_with_progress(server: FakeGoogleServer, driver: str, tmp_path: Path) -> None:
    updates: list[Any] = []
    request = VideoGenerationRequest(prompt="a fox", duration_seconds=6, aspect_ratio="9:16")
    response = generate(driver, "video", video_config(server), request, on_progress=updates.append)
    sent = server.last("POST", START)
    assert sent.json() == {
        "instances": [{"prompt": "a fox"}],
        "parameters": {"durationSeconds": 6, "aspectRatio": "9:16"},
    }
    assert sent.headers["x-goog-api-key"] == KEY
    assert all(not r.query.get("key") for r in server.requests), "the key never goes in a URL"
    assert server.count("POST", START) == 1
    assert server.count("GET", OPERATION) == 3
    assert server.last("GET", DOWNLOAD).headers["x-goog-api-key"] == KEY
    assert video_bytes(response) == MP4 and response.content_type == "video/mp4"
    assert (response.duration, response.aspect_ratio) == (6.0, "9:16")
    assert response.request_id.startswith(f"models/{FAST}/operations/")
    assert KEY not in json.dumps(response.raw_response)
    assert [u.status for u in updates] == ["queued", "processing", "completed"]
    assert response.save(tmp_path / "fox").read_bytes() == MP4


def test_image_to_video_fetches_url_frames_without_the_key(server: FakeGoogleServer) -> None:
    request = VideoGenerationRequest(
        prompt="the fox jumps",
        image_list=[
            {"image": f"{server.url}/assets/input.png", "type": "first_frame"},
            {"image": {"content": PNG, "content_type": "image/png"}, "type": "last_frame"},
        ],
    )
    response = generate_video(video_config(server, model="veo-3.1-generate-001"), request)
    instance = server.last(
        "POST", r"/v1beta/models/veo-3.1-generate-001:predictLongRunning"
    ).json()["instances"][0]
    asset = server.assets["input.png"][0]
    assert instance["image"] == {
        "bytesBase64Encoded": base64.b64encode(asset).decode(),
        "mimeType": "image/png",
    }
    assert instance["lastFrame"] == {
        "bytesBase64Encoded": base64.b64encode(PNG).decode(),
        "mimeType": "image/png",
    }
    assert "x-goog-api-key" not in server.last("GET", r"/assets/input.png").headers
    assert video_bytes(response) == MP4


def test_reference_images(server: FakeGoogleServer, driver: str) -> None:
    request = VideoGenerationRequest(
        prompt="this character walks",
        duration_seconds=8,
        image_list=[{"image": PNG, "type": "reference"}, {"image": PNG, "type": "asset"}],
    )
    response = generate(driver, "video", video_config(server), request)
    refs = server.last("POST", START).json()["instances"][0]["referenceImages"]
    assert [r["referenceType"] for r in refs] == ["asset", "asset"]
    assert video_bytes(response) == MP4


def test_failed_operation_is_generation_failed_and_falls_back(server: FakeGoogleServer) -> None:
    with pytest.raises(GenerationFailedError) as caught:
        generate_video(video_config(server), VideoGenerationRequest(prompt="fail-job"))
    assert "code 13" in str(caught.value) and "internal error" in str(caught.value)
    assert server.count("POST", START) == 1
    config = video_config(server, fallback_configs=[VideoGenerationConfig(provider="mock")])
    response = generate_video(config, VideoGenerationRequest(prompt="fail-job"))
    assert response.is_mock


def test_rai_filtered_video_is_moderation(server: FakeGoogleServer) -> None:
    with pytest.raises(ContentModerationError) as caught:
        generate_video(video_config(server), VideoGenerationRequest(prompt="rai-filter"))
    assert "support code 58061214" in str(caught.value)
    assert not is_retryable_error(caught.value)


def test_invalid_argument_is_validation_error_with_googles_message(
    server: FakeGoogleServer,
) -> None:
    with pytest.raises(ValidationError) as caught:
        generate_video(video_config(server), VideoGenerationRequest(prompt="invalid-arg"))
    assert "INVALID_ARGUMENT: The prompt could not be submitted" in str(caught.value)
    assert server.count("POST", START) == 1


def test_resource_exhausted_waits_retry_info_then_starts_once(server: FakeGoogleServer) -> None:
    server.inject(
        "POST",
        START,
        status=429,
        json_body={
            "error": {
                "code": 429,
                "message": "Resource has been exhausted (e.g. check quota).",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.05s"}
                ],
            }
        },
    )
    response = generate_video(video_config(server), VideoGenerationRequest(prompt="a fox"))
    assert video_bytes(response) == MP4
    assert server.count("POST", START) == 2 and len(server.operations) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "json_body": {"error": {"code": 503, "status": "UNAVAILABLE"}}},
        {"status": 500, "json_body": {"error": {"code": 500, "status": "INTERNAL"}}},
        {"drop": True},
        {"status": 200, "body": b"<html>oops</html>"},
    ],
)
def test_poll_faults_are_retried_without_restarting(
    server: FakeGoogleServer, fault: dict[str, Any]
) -> None:
    server.inject("GET", OPERATION, **fault)
    response = generate_video(video_config(server), VideoGenerationRequest(prompt="a fox"))
    assert video_bytes(response) == MP4
    assert server.count("POST", START) == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (
            {"status": 503, "json_body": {"error": {"code": 503, "status": "UNAVAILABLE"}}},
            HTTPError,
        ),
        ({"drop": True}, HTTPConnectionError),
        ({"status": 200, "json_body": {"done": False}}, MalformedResponseError),
    ],
)
def test_start_faults_are_never_resubmitted(
    server: FakeGoogleServer, fault: dict[str, Any], error: type[Exception]
) -> None:
    server.inject("POST", START, **fault)
    with pytest.raises(error) as caught:
        generate_video(video_config(server), VideoGenerationRequest(prompt="a fox"))
    assert server.count("POST", START) == 1
    assert KEY not in str(caught.value)


def test_timeout_stops_polling_and_sends_no_cancel(server: FakeGoogleServer) -> None:
    server.polls = 10_000
    config = video_config(server, timeout=0.5, poll_interval=0.05)
    with pytest.raises(TimeoutError):
        generate_video(config, VideoGenerationRequest(prompt="a slow fox"))
    polls = server.count("GET", OPERATION)
    assert polls >= 1 and server.count("POST", START) == 1
    assert {r.method for r in server.requests} == {"POST", "GET"}, "no cancel is documented"
    assert not any(":cancel" in r.path or r.method == "DELETE" for r in server.requests)


@pytest.mark.anyio
async def test_cancelled_task_is_not_resubmitted(server: FakeGoogleServer) -> None:
    server.polls = 10_000
    task = asyncio.create_task(
        generate_video_async(
            video_config(server, poll_interval=0.02), VideoGenerationRequest(prompt="x")
        )
    )
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert server.count("POST", START) == 1


def test_download_failure_is_reported(server: FakeGoogleServer) -> None:
    server.inject(
        "GET",
        DOWNLOAD,
        status=404,
        json_body={"error": {"code": 404, "status": "NOT_FOUND", "message": "File gone."}},
    )
    with pytest.raises(HTTPError) as caught:
        generate_video(video_config(server), VideoGenerationRequest(prompt="a fox"))
    assert "NOT_FOUND: File gone." in str(caught.value)


def test_retired_and_imagen_ids_fail_before_any_request(server: FakeGoogleServer) -> None:
    with pytest.raises(ValidationError, match="veo-3.1-fast-generate-001"):
        generate_video(
            video_config(server, model="veo-3.1-fast-generate-preview"),
            VideoGenerationRequest(prompt="a fox"),
        )
    with pytest.raises(ValidationError, match="Imagen|shut down"):
        generate_image(
            image_config(server, model="imagen-4.0-generate-001"),
            ImageGenerationRequest(prompt="x"),
        )
    assert server.requests == []


@pytest.mark.parametrize("env", ["GEMINI_API_KEY", "GOOGLE_API_KEY"])
def test_key_from_either_environment_variable(
    server: FakeGoogleServer, monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv(env, "AIza-from-env")
    generate_image(image_config(server, api_key=None), ImageGenerationRequest(prompt="x"))
    assert server.last("POST", r".*:generateContent").headers["x-goog-api-key"] == "AIza-from-env"


# ---------------------------------------------------------------- Gemini images
def test_image_generation_with_usage(server: FakeGoogleServer, driver: str) -> None:
    request = ImageGenerationRequest(
        prompt="a red fox",
        aspect_ratio="16:9",
        size="2K",
        image_list=[{"image": f"{server.url}/assets/input.png", "type": "reference"}],
    )
    response = generate(driver, "image", image_config(server), request)
    sent = server.last("POST", r"/v1beta/models/gemini-3.1-flash-image:generateContent")
    asset = base64.b64encode(server.assets["input.png"][0]).decode()
    assert sent.json() == {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "a red fox"},
                    {"inlineData": {"mimeType": "image/png", "data": asset}},
                ],
            }
        ],
        "generationConfig": {
            "responseModalities": ["IMAGE"],
            "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"},
        },
    }
    assert len(response.images) == 1
    assert base64.b64decode(response.images[0]).startswith(b"\x89PNG")
    assert response.content_type == "image/png" and response.request_id.startswith("resp-")
    assert response.usage is not None
    assert response.usage.units == {
        "prompt_token_count": 12,
        "candidates_token_count": 1290,
        "total_token_count": 1302,
    }
    assert response.raw_response["usageMetadata"]["totalTokenCount"] == 1302
    assert response.raw_response["candidates"][0]["content"]["parts"][0]["inlineData"][
        "data"
    ].startswith("<base64")


@pytest.mark.parametrize(
    ("prompt", "needle"), [("block-prompt", "SAFETY"), ("image-safety", "IMAGE_SAFETY")]
)
def test_blocked_images_are_moderation(server: FakeGoogleServer, prompt: str, needle: str) -> None:
    with pytest.raises(ContentModerationError, match=needle):
        generate_image(image_config(server), ImageGenerationRequest(prompt=prompt))


GENERATE = r"/v1beta/models/gemini-3.1-flash-image:generateContent"


def test_n_images_are_n_concurrent_calls(server: FakeGoogleServer, driver: str) -> None:
    response = generate(
        driver, "image", image_config(server), ImageGenerationRequest(prompt="x", n=3)
    )
    assert server.count("POST", GENERATE) == 3
    assert len(response.images) == 3
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in response.images)
    assert response.usage is not None and response.usage.units["total_token_count"] == 3 * 1302
    assert len(response.raw_response["responses"]) == 3


def test_n_images_a_refused_call_is_sent_again_once(server: FakeGoogleServer, driver: str) -> None:
    """A 503 made and billed nothing (Google bills no 400/500 answer): that call alone again."""
    server.inject(
        "POST", GENERATE, status=503, json_body={"error": {"code": 503, "status": "UNAVAILABLE"}}
    )
    response = generate(
        driver, "image", image_config(server), ImageGenerationRequest(prompt="x", n=3)
    )
    assert len(response.images) == 3 and server.count("POST", GENERATE) == 4
    assert response.execution_metadata.attempts[0].adjustments == []
    assert response.usage is not None and response.usage.units["total_token_count"] == 3 * 1302


def test_n_images_partly_failed_returns_the_paid_images(
    server: FakeGoogleServer, driver: str
) -> None:
    server.inject("POST", GENERATE, drop=True)  # may have generated and been billed
    cfg = image_config(server, fallback_configs=[ImageGenerationConfig(provider="mock")])
    response = generate(driver, "image", cfg, ImageGenerationRequest(prompt="x", n=3))
    assert response.provider == "google" and len(response.images) == 2
    assert server.count("POST", GENERATE) == 3, "a call that may have been billed is not re-sent"
    (shortfall,) = response.execution_metadata.attempts[0].adjustments  # tests/adversarial:
    assert (shortfall.field, shortfall.asked, shortfall.sent) == ("n", 3, 2)  # every case
    assert len(response.raw_response["errors"]) == 1
    assert response.usage is not None and response.usage.units["total_token_count"] == 2 * 1302


def test_n_images_all_refused_are_waited_out_then_sent_again(server: FakeGoogleServer) -> None:
    server.inject(
        "POST",
        GENERATE,
        status=429,
        json_body={"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota"}},
        headers={"Retry-After": "0"},
        times=2,
    )
    response = generate_image(image_config(server), ImageGenerationRequest(prompt="x", n=2))
    assert len(response.images) == 2 and server.count("POST", GENERATE) == 4


def test_more_than_four_images_are_refused_before_any_request(server: FakeGoogleServer) -> None:
    with pytest.raises(ValidationError, match="1 to 4"):
        generate_image(image_config(server), ImageGenerationRequest(prompt="x", n=5))
    assert server.requests == []


def test_image_without_image_parts_is_generation_failed(server: FakeGoogleServer) -> None:
    server.inject(
        "POST",
        r".*:generateContent",
        status=200,
        json_body={
            "candidates": [{"content": {"parts": [{"text": "I cannot."}]}, "finishReason": "STOP"}]
        },
    )
    with pytest.raises(GenerationFailedError, match="I cannot"):
        generate_image(image_config(server), ImageGenerationRequest(prompt="x"))


# ---------------------------------------------------------------- Vertex AI
def test_vertex_video_with_a_token(server: FakeGoogleServer, driver: str) -> None:
    request = VideoGenerationRequest(prompt="a fox", seed=5, generate_audio=True)
    response = generate(driver, "video", vertex_config(server), request)
    start = f"{VERTEX_PREFIX}/veo-3.1-generate-001:predictLongRunning"
    fetch = f"{VERTEX_PREFIX}/veo-3.1-generate-001:fetchPredictOperation"
    sent = server.last("POST", start)
    assert sent.json() == {
        "instances": [{"prompt": "a fox"}],
        "parameters": {"seed": 5, "generateAudio": True},
    }
    assert sent.headers["authorization"] == f"Bearer {STATIC_TOKEN}"
    assert server.count("POST", start) == 1
    assert server.last("POST", fetch).json() == {"operationName": response.request_id}
    assert response.request_id.startswith("projects/p1/locations/us-central1/")
    assert video_bytes(response) == MP4
    assert response.raw_response["response"]["videos"][0]["bytesBase64Encoded"].startswith(
        "<base64"
    )


def test_vertex_storage_uri_returns_the_gcs_uri(server: FakeGoogleServer) -> None:
    request = VideoGenerationRequest(prompt="a fox", storage_uri="gs://my-bucket/out")
    response = generate_video(vertex_config(server), request)
    assert isinstance(response.video, str) and response.video.startswith("gs://my-bucket/out/")


def test_vertex_project_and_region_from_environment(
    server: FakeGoogleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p1")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
    response = generate_video(
        vertex_config(server, provider_config={}), VideoGenerationRequest(prompt="x")
    )
    assert video_bytes(response) == MP4


def test_vertex_missing_project_fails_before_any_request(server: FakeGoogleServer) -> None:
    with pytest.raises(ValidationError, match="GOOGLE_CLOUD_PROJECT"):
        generate_video(
            vertex_config(server, provider_config={"express": False}),
            VideoGenerationRequest(prompt="x"),
        )
    assert server.requests == []


def test_vertex_express_mode_with_an_api_key(server: FakeGoogleServer) -> None:
    config = vertex_config(server, api_key=KEY, provider_config={})
    response = generate_video(config, VideoGenerationRequest(prompt="a fox"))
    start = server.last(
        "POST", r"/v1/publishers/google/models/veo-3.1-generate-001:predictLongRunning"
    )
    assert start.headers["x-goog-api-key"] == KEY and "authorization" not in start.headers
    assert video_bytes(response) == MP4
    image = generate_image(
        ImageGenerationConfig(
            provider="google-vertex", model="gemini-3-pro-image", api_key=KEY, base_url=server.url
        ),
        ImageGenerationRequest(prompt="a fox"),
    )
    assert len(image.images) == 1


def _service_account(server: FakeGoogleServer, path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    email = "tarash-test@p1.iam.gserviceaccount.com"
    server.service_accounts[email] = public
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "p1",
                "private_key_id": "k1",
                "private_key": private,
                "client_email": email,
                "client_id": "123",
                "token_uri": f"{server.url}/token",
            }
        )
    )
    return path


def test_vertex_adc_service_account_signed_locally(
    server: FakeGoogleServer, driver: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "GOOGLE_APPLICATION_CREDENTIALS", str(_service_account(server, tmp_path / "sa.json"))
    )
    config = vertex_config(server, api_key=None)
    first = generate(driver, "video", config, VideoGenerationRequest(prompt="a fox"))
    second = generate(driver, "video", config, VideoGenerationRequest(prompt="a hare"))
    assert video_bytes(first) == video_bytes(second) == MP4
    assert server.count("POST", r"/token") == 1, "the token is cached until it expires"
    issued = server.last("POST", rf"{VERTEX_PREFIX}/.*:predictLongRunning").headers["authorization"]
    assert issued.startswith("Bearer ya29.fake-")
    assert "private_key" not in server.last("POST", r"/token").body.decode()


def test_vertex_adc_authorized_user_file(server: FakeGoogleServer, tmp_path: Path) -> None:
    server.refresh_tokens["1//refresh"] = ("client-1", "secret-1")
    path = tmp_path / "adc.json"
    path.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "client-1",
                "client_secret": "secret-1",
                "refresh_token": "1//refresh",
                "token_uri": f"{server.url}/token",
            }
        )
    )
    config = vertex_config(
        server, api_key=None, provider_config={**VERTEX, "credentials_file": str(path)}
    )
    response = generate_video(config, VideoGenerationRequest(prompt="a fox"))
    assert video_bytes(response) == MP4


def test_vertex_refused_credentials_never_submit(server: FakeGoogleServer, tmp_path: Path) -> None:
    path = tmp_path / "adc.json"
    path.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "c",
                "client_secret": "s",
                "refresh_token": "revoked",
                "token_uri": f"{server.url}/token",
            }
        )
    )
    config = vertex_config(
        server, api_key=None, provider_config={**VERTEX, "credentials_file": str(path)}
    )
    with pytest.raises(HTTPError, match="invalid_grant|Bad Request") as caught:
        generate_video(config, VideoGenerationRequest(prompt="a fox"))
    assert caught.value.status_code == 400 and not is_retryable_error(caught.value)
    assert server.count("POST", r".*:predictLongRunning") == 0


def test_vertex_unsupported_credentials_file_fails_before_any_request(
    server: FakeGoogleServer, tmp_path: Path
) -> None:
    path = tmp_path / "wif.json"
    path.write_text(json.dumps({"type": "external_account"}))
    config = vertex_config(
        server, api_key=None, provider_config={**VERTEX, "credentials_file": str(path)}
    )
    with pytest.raises(ValidationError, match="external_account"):
        generate_video(config, VideoGenerationRequest(prompt="a fox"))
    assert server.requests == []


def test_vertex_bad_token_is_not_retryable(server: FakeGoogleServer) -> None:
    with pytest.raises(HTTPError) as caught:
        generate_video(
            vertex_config(server, api_key="ya29.expired"), VideoGenerationRequest(prompt="x")
        )
    assert caught.value.status_code == 401 and "UNAUTHENTICATED" in str(caught.value)
    assert "ya29.expired" not in str(caught.value)


def test_user_field_mapping_override_lands_in_parameters(server: FakeGoogleServer) -> None:
    register_provider_field_mapping(
        "google", {FAST: {"durationSeconds": duration_field_mapper("int", [4, 6, 8, 10])}}
    )
    generate_video(video_config(server), VideoGenerationRequest(prompt="x", duration_seconds=8))
    assert server.last("POST", START).json() == {
        "instances": [{"prompt": "x"}],
        "parameters": {"durationSeconds": 8},
    }
