"""End to end through the public API against the fake Sarvam server (sync and async)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, generate_tts, generate_tts_async
from tarash.tarash_gateway.exceptions import (
    HTTPConnectionError,
    HTTPError,
    MalformedResponseError,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    AudioOutputFormat,
    TTSRequest,
    TTSResponse,
    TTSUpdate,
)
from tarash.tarash_gateway.testing import config_for, generate
from tests.plugins.sarvam.fake_sarvam import FakeSarvamServer

KEY = "sk_sarvam_test_123"
PATH = r"/text-to-speech"
WAV = AudioOutputFormat(format="wav", sample_rate=24000)


@pytest.fixture
def server() -> Iterator[FakeSarvamServer]:
    with FakeSarvamServer(api_key=KEY) as fake:
        yield fake


def config(server: FakeSarvamServer, **overrides: Any) -> AudioGenerationConfig:
    values = {"model": "bulbul:v3", "api_key": KEY, **overrides}
    return config_for(server, "sarvam", "tts", **values)


def namaste(**fields: Any) -> TTSRequest:
    values = {"text": "नमस्ते, आप कैसे हैं?", "voice_id": "shubh", "language_code": "hi-IN"}
    return TTSRequest(**{**values, **fields})


def test_tts_sync_sends_the_documented_request_and_decodes_wav(server: FakeSarvamServer) -> None:
    updates: list[TTSUpdate] = []
    request = namaste(output_format=WAV, voice_settings={"pace": 1.1, "temperature": 0.5})
    response = generate_tts(config(server), request, on_progress=updates.append)

    sent = server.last("POST", PATH)
    assert sent.headers["api-subscription-key"] == KEY
    assert "authorization" not in sent.headers
    assert sent.json() == {
        "model": "bulbul:v3",
        "text": "नमस्ते, आप कैसे हैं?",
        "target_language_code": "hi-IN",
        "speaker": "shubh",
        "pace": 1.1,
        "temperature": 0.5,
        "output_audio_codec": "wav",
        "speech_sample_rate": 24000,
    }
    assert isinstance(response, TTSResponse)
    audio = base64.b64decode(response.audio)
    assert audio.startswith(b"RIFF") and response.content_type == "audio/wav"
    assert response.duration == pytest.approx(20 / 15, abs=0.01)
    assert response.request_id == "20261128_00000001"
    assert response.raw_response["request_id"] == "20261128_00000001"
    assert response.raw_response["speaker"] == "shubh"
    assert "audios" not in response.raw_response
    assert [u.status for u in updates] == ["completed"]


@pytest.mark.anyio
async def test_tts_async_v2_linear16_with_v2_settings(server: FakeSarvamServer) -> None:
    request = namaste(
        voice_id="anushka",
        language_code="ta",
        output_format=AudioOutputFormat(format="pcm", sample_rate=16000),
        voice_settings={"pitch": 0.2, "loudness": 1.2},
        enable_preprocessing=True,
    )
    response = await generate_tts_async(config(server, model="bulbul:v2"), request)
    sent = server.last("POST", PATH).json()
    assert sent["target_language_code"] == "ta-IN" and sent["output_audio_codec"] == "linear16"
    assert sent["enable_preprocessing"] is True and sent["pitch"] == 0.2
    assert base64.b64decode(response.audio) == _mock_media.pcm(20 / 15, 16000)
    assert response.content_type == "audio/pcm"
    assert response.duration == pytest.approx(20 / 15, abs=0.01)


def test_default_mp3_and_key_from_environment(
    server: FakeSarvamServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SARVAM_API_KEY", KEY)
    response = generate_tts(config(server, model=None, api_key=None), namaste())
    assert response.model == "bulbul:v3"
    sent = server.last("POST", PATH).json()
    assert (sent["output_audio_codec"], sent["output_audio_bitrate"]) == ("mp3", "128k")
    assert base64.b64decode(response.audio) == _mock_media.sample("sample.mp3")
    assert response.content_type == "audio/mpeg" and response.duration is None


def test_other_providers_extras_are_left_out_and_reported(server: FakeSarvamServer) -> None:
    request = namaste(output_format=WAV, stability=0.5, instructions="calm")
    response = generate_tts(config(server), request)
    assert "stability" not in server.last("POST", PATH).json()  # Sarvam 422s unknown fields
    assert response.raw_response["unsent_extra_params"] == ["instructions", "stability"]


def test_bad_input_fails_before_any_request(server: FakeSarvamServer) -> None:
    with pytest.raises(ValidationError, match="hi-IN"):
        generate_tts(config(server), TTSRequest(text="hello", voice_id="shubh"))
    with pytest.raises(ValidationError, match="at most 2500 characters"):
        generate_tts(config(server), namaste(text="क" * 2501))
    with pytest.raises(ValidationError, match="the bulbul:v3 speakers"):
        generate_tts(config(server), namaste(voice_id="meera"))
    assert server.requests == []


# ---------------------------------------------------------------- errors of Sarvam
def test_403_auth_failure_is_like_other_providers_401(server: FakeSarvamServer) -> None:
    with pytest.raises(HTTPError) as caught:
        generate_tts(config(server, api_key="wrong"), namaste())
    assert caught.value.status_code == 403 and not is_retryable_error(caught.value)
    assert "invalid_api_key_error: Invalid API key" in str(caught.value)


def test_credits_exhausted_is_retryable_and_falls_back(server: FakeSarvamServer) -> None:
    server.credits = 3
    chain = config(server, fallback_configs=[AudioGenerationConfig(provider="mock")])
    response = generate_tts(chain, namaste())
    assert response.provider == "mock"
    attempts = response.execution_metadata.attempts
    assert [(a.provider, a.status) for a in attempts] == [("sarvam", "failed"), ("mock", "success")]
    assert attempts[0].is_retryable and "insufficient_quota_error" in attempts[0].error_message
    assert server.count("POST", PATH) == 1


def test_sarvam_400_is_a_validation_error_with_its_text(server: FakeSarvamServer) -> None:
    body = {"error": {"message": "Speaker 'x' is not compatible", "code": "invalid_request_error"}}
    server.inject("POST", PATH, status=400, json_body=body)
    with pytest.raises(ValidationError, match="invalid_request_error: Speaker 'x'"):
        generate_tts(config(server), namaste())


# ---------------------------------------------------------------- transport faults
def test_rate_limit_429_with_retry_after_is_waited(server: FakeSarvamServer) -> None:
    body = {"error": {"message": "Rate limit exceeded", "code": "rate_limit_exceeded_error"}}
    server.inject("POST", PATH, status=429, json_body=body, headers={"Retry-After": "0.05"})
    response = generate_tts(config(server), namaste())
    assert response.status == "completed" and server.count("POST", PATH) == 2


@pytest.mark.anyio
async def test_busy_429_is_retryable_and_not_resubmitted(server: FakeSarvamServer) -> None:
    server.busy = True
    with pytest.raises(HTTPError) as caught:
        await generate_tts_async(config(server), namaste())
    assert caught.value.status_code == 429 and is_retryable_error(caught.value)
    assert server.count("POST", PATH) == 1


def test_5xx_is_retryable_and_never_resubmitted(server: FakeSarvamServer, driver: str) -> None:
    body = {"error": {"message": "boom", "code": "internal_server_error"}}
    server.inject("POST", PATH, status=500, json_body=body)
    with pytest.raises(HTTPError) as caught:
        generate(driver, "tts", config(server), namaste())
    assert caught.value.status_code == 500 and is_retryable_error(caught.value)
    assert server.count("POST", PATH) == 1


def test_dropped_connection_is_not_resubmitted(server: FakeSarvamServer) -> None:
    server.inject("POST", PATH, drop=True)
    with pytest.raises(HTTPConnectionError):
        generate_tts(config(server), namaste())
    assert server.count("POST", PATH) == 1


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"request_id": "r", "audios": []}, "0 audios instead of one"),
        ({"request_id": "r"}, "no audios instead of one"),
        ({"request_id": "r", "audios": ["not base64!"]}, "not base64"),
        (["a list"], "not a JSON object"),
    ],
)
def test_malformed_answers(server: FakeSarvamServer, answer: Any, problem: str) -> None:
    server.inject("POST", PATH, status=200, json_body=answer)
    with pytest.raises(MalformedResponseError, match=problem):
        generate_tts(config(server), namaste())


def test_timeout_abandons_the_call(server: FakeSarvamServer, driver: str) -> None:
    server.inject("POST", PATH, status=200, json_body={"audios": ["AAAA"]}, delay=0.6)
    slow = config(server, timeout=0.2)
    with pytest.raises(TimeoutError) as caught:
        generate(driver, "tts", slow, namaste())
    assert is_retryable_error(caught.value)
    assert [(r.method, r.path) for r in server.requests] == [("POST", "/text-to-speech")]
