"""End to end through the public API against the fake ElevenLabs server (sync and async)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import (
    _mock_media,
    generate_sts,
    generate_sts_async,
    generate_tts,
    generate_tts_async,
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
    AudioOutputFormat,
    STSRequest,
    STSResponse,
    STSUpdate,
    TTSRequest,
    TTSResponse,
    TTSUpdate,
)
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, config_for, generate
from tests.plugins.elevenlabs.fake_elevenlabs import FakeElevenLabsServer

KEY = "xi-test-key-123"
VOICE = "JBFqnCBsd6RMkjVDRZzb"
TTS_PATH = rf"/v1/text-to-speech/{VOICE}"
STS_PATH = rf"/v1/speech-to-speech/{VOICE}"
MP3 = _mock_media.sample("sample.mp3")


@pytest.fixture
def server() -> Iterator[FakeElevenLabsServer]:
    with FakeElevenLabsServer(api_key=KEY) as fake:
        yield fake


def config(server: FakeElevenLabsServer, **overrides: Any) -> AudioGenerationConfig:
    values = {"model": "eleven_multilingual_v2", "api_key": KEY, **overrides}
    return config_for(server, "elevenlabs", "tts", **values)


def sts_config(server: FakeElevenLabsServer, **overrides: Any) -> AudioGenerationConfig:
    return config(server, **{"model": "eleven_multilingual_sts_v2", **overrides})


def hello(**fields: Any) -> TTSRequest:
    return TTSRequest(text="Hello world", voice_id=VOICE, **fields)


# ---------------------------------------------------------------- text-to-speech
def test_tts_sync_sends_the_documented_request_and_returns_mp3(
    server: FakeElevenLabsServer,
) -> None:
    request = hello(
        language_code="en",
        voice_settings={"stability": 0.5, "similarity_boost": 0.75, "use_speaker_boost": True},
        seed=123,
        previous_text="Before.",
    )
    response = generate_tts(config(server), request)

    sent = server.last("POST", TTS_PATH)
    assert sent.headers["xi-api-key"] == KEY
    assert sent.headers["content-type"] == "application/json"
    assert sent.query == {"output_format": ["mp3_44100_128"]}
    assert sent.json() == {
        "model_id": "eleven_multilingual_v2",
        "text": "Hello world",
        "language_code": "en",
        "voice_settings": {"stability": 0.5, "similarity_boost": 0.75, "use_speaker_boost": True},
        "seed": 123,
        "previous_text": "Before.",
    }
    assert isinstance(response, TTSResponse)
    assert base64.b64decode(response.audio) == MP3
    assert response.content_type == "audio/mpeg"
    assert response.request_id == "req_000001"
    assert response.provider == "elevenlabs" and response.model == "eleven_multilingual_v2"
    assert response.raw_response["character-cost"] == "11"
    assert response.raw_response["request-id"] == "req_000001"
    assert response.raw_response["history-item-id"] == "hist_000001"
    assert response.raw_response["output_format"] == "mp3_44100_128"
    assert response.raw_response["audio_bytes"] == len(MP3)
    assert response.execution_metadata.attempts[0].request_id == "req_000001"


@pytest.mark.anyio
async def test_tts_async_pcm_with_query_parameters(server: FakeElevenLabsServer) -> None:
    request = hello(
        output_format=AudioOutputFormat(format="pcm", sample_rate=16000),
        enable_logging=False,
        optimize_streaming_latency=2,
    )
    response = await generate_tts_async(config(server, model="eleven_flash_v2_5"), request)

    sent = server.last("POST", TTS_PATH)
    assert sent.query == {
        "output_format": ["pcm_16000"],
        "enable_logging": ["false"],
        "optimize_streaming_latency": ["2"],
    }
    assert sent.json() == {"model_id": "eleven_flash_v2_5", "text": "Hello world"}
    audio = base64.b64decode(response.audio)
    assert audio == _mock_media.pcm(11 / 15, 16000)
    assert response.content_type == "audio/pcm"
    assert response.duration == pytest.approx(11 / 15, abs=0.01)


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        (AudioOutputFormat(format="wav", sample_rate=22050), "audio/wav", b"RIFF"),
        (AudioOutputFormat(format="ulaw"), "audio/basic", None),
        (AudioOutputFormat(format="mp3", sample_rate=22050), "audio/mpeg", None),
    ],
)
def test_tts_output_formats_end_to_end(
    server: FakeElevenLabsServer, fmt: AudioOutputFormat, content_type: str, magic: bytes | None
) -> None:
    response = generate_tts(config(server), hello(output_format=fmt))
    audio = base64.b64decode(response.audio)
    assert response.content_type == content_type
    if magic:
        assert audio.startswith(magic)
    if fmt.format in ("wav", "ulaw"):
        assert response.duration == pytest.approx(11 / 15, abs=0.01)


def test_default_model_and_key_from_environment(
    server: FakeElevenLabsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
    response = generate_tts(config(server, model=None, api_key=None), hello())
    assert response.model == "eleven_multilingual_v2"
    assert server.last("POST", TTS_PATH).json()["model_id"] == "eleven_multilingual_v2"
    assert server.last("POST", TTS_PATH).headers["xi-api-key"] == KEY


def test_progress_sync_and_async(server: FakeElevenLabsServer) -> None:
    import asyncio

    updates: list[TTSUpdate] = []
    response = generate_tts(config(server), hello(), on_progress=updates.append)
    assert [u.status for u in updates] == ["completed"]
    assert updates[0].progress_percent == 100 and updates[0].result is not None
    assert updates[0].result.audio == response.audio
    assert updates[0].request_id == response.request_id == "req_000001"

    async_updates: list[STSUpdate] = []

    async def record(update: STSUpdate) -> None:
        async_updates.append(update)

    request = STSRequest(audio=_mock_media.wav(0.2), voice_id=VOICE)
    result = asyncio.run(generate_sts_async(sts_config(server), request, on_progress=record))
    assert [u.status for u in async_updates] == ["completed"]
    assert async_updates[0].result is not None and async_updates[0].provider == "elevenlabs"
    assert async_updates[0].result.audio == result.audio


# ---------------------------------------------------------------- speech-to-speech
def test_sts_sync_uploads_multipart(server: FakeElevenLabsServer) -> None:
    source = _mock_media.wav(0.4, 16000)
    request = STSRequest(
        audio=source,
        voice_id=VOICE,
        output_format=AudioOutputFormat(format="wav", sample_rate=16000),
        voice_settings={"stability": 0.3, "style": 0.1},
        remove_background_noise=True,
        seed=7,
    )
    response = generate_sts(sts_config(server), request)

    sent = server.last("POST", STS_PATH)
    assert sent.headers["xi-api-key"] == KEY
    assert sent.query == {"output_format": ["wav_16000"]}
    fields, files = sent.multipart()
    assert fields == {
        "model_id": ["eleven_multilingual_sts_v2"],
        "voice_settings": [json.dumps({"stability": 0.3, "style": 0.1})],
        "seed": ["7"],
        "remove_background_noise": ["true"],
    }
    assert list(files) == ["audio"]
    upload = files["audio"][0]
    assert (upload.filename, upload.content_type, upload.content) == (
        "audio.wav",
        "audio/wav",
        source,
    )
    assert isinstance(response, STSResponse)
    assert base64.b64decode(response.audio).startswith(b"RIFF")
    assert response.content_type == "audio/wav"
    assert response.duration == pytest.approx(0.4, abs=0.01)


@pytest.mark.anyio
async def test_sts_async_downloads_url_audio_without_the_key(server: FakeElevenLabsServer) -> None:
    url = server.add_media("source.mp3", MP3, "audio/mpeg")
    response = await generate_sts_async(
        sts_config(server, model="eleven_english_sts_v2"), STSRequest(audio=url, voice_id=VOICE)
    )
    download = server.last("GET", r"/media/source\.mp3")
    assert "xi-api-key" not in download.headers
    _, files = server.last("POST", STS_PATH).multipart()
    upload = files["audio"][0]
    assert (upload.filename, upload.content_type, upload.content) == (
        "audio.mp3",
        "audio/mpeg",
        MP3,
    )
    assert base64.b64decode(response.audio) == MP3
    assert [r.method for r in server.requests] == ["GET", "POST"]


def test_sts_from_base64_and_media_content(server: FakeElevenLabsServer) -> None:
    encoded = base64.b64encode(MP3).decode()
    generate_sts(sts_config(server), STSRequest(audio=encoded, voice_id=VOICE))
    first = server.last("POST", STS_PATH).multipart()[1]["audio"][0]
    content = {"content": MP3, "content_type": "audio/mpeg"}
    generate_sts(sts_config(server), STSRequest(audio=content, voice_id=VOICE))
    second = server.last("POST", STS_PATH).multipart()[1]["audio"][0]
    assert first.content == second.content == MP3
    assert first.content_type == second.content_type == "audio/mpeg"


def test_sts_unreachable_url_is_a_validation_error(server: FakeElevenLabsServer) -> None:
    url = f"{server.url}/media/missing.wav"
    with pytest.raises(ValidationError, match="could not be downloaded"):
        generate_sts(sts_config(server), STSRequest(audio=url, voice_id=VOICE))
    assert server.count("POST", STS_PATH) == 0


def test_wrong_model_for_modality_fails_before_network(server: FakeElevenLabsServer) -> None:
    with pytest.raises(ValidationError, match="does not support sts"):
        generate_sts(config(server), STSRequest(audio=MP3, voice_id=VOICE))
    with pytest.raises(ValidationError, match="does not support tts"):
        generate_tts(sts_config(server), hello())
    assert server.requests == []


# ---------------------------------------------------------------- errors of ElevenLabs
def test_unknown_voice_is_a_validation_error(server: FakeElevenLabsServer) -> None:
    with pytest.raises(ValidationError) as caught:
        generate_tts(config(server), TTSRequest(text="Hi", voice_id="nobody"))
    assert "voice_id='nobody'" in str(caught.value) and "voice_not_found" in str(caught.value)
    assert caught.value.raw_response["detail"]["status"] == "voice_not_found"


def test_bad_key_is_not_retryable(server: FakeElevenLabsServer) -> None:
    with pytest.raises(HTTPError) as caught:
        generate_tts(config(server, api_key="wrong"), hello())
    assert caught.value.status_code == 401 and not is_retryable_error(caught.value)
    assert "invalid_api_key" in str(caught.value) and "check the API key" in str(caught.value)


def test_quota_exceeded_is_retryable_and_falls_back_to_mock(server: FakeElevenLabsServer) -> None:
    server.quota = 5
    with pytest.raises(HTTPError) as caught:
        generate_tts(config(server), hello())
    assert is_retryable_error(caught.value) and "quota_exceeded" in str(caught.value)
    assert caught.value.status_code == 401
    assert "401" in str(caught.value) and server.count("POST", TTS_PATH) == 1

    chain = config(server, fallback_configs=[AudioGenerationConfig(provider="mock")])
    response = generate_tts(chain, hello())
    assert response.is_mock and response.provider == "mock"
    attempts = response.execution_metadata.attempts
    assert [(a.provider, a.status) for a in attempts] == [
        ("elevenlabs", "failed"),
        ("mock", "success"),
    ]
    assert server.count("POST", TTS_PATH) == 2


def test_moderation_refusal(server: FakeElevenLabsServer) -> None:
    with pytest.raises(ContentModerationError) as caught:
        generate_tts(config(server), TTSRequest(text="say forbidden-words", voice_id=VOICE))
    assert "bad_prompt" in str(caught.value) and not is_retryable_error(caught.value)


def test_character_limit_is_a_validation_error(server: FakeElevenLabsServer) -> None:
    with pytest.raises(ValidationError, match="max_character_limit_exceeded"):
        generate_tts(config(server, model="eleven_v3"), TTSRequest(text="a" * 5001, voice_id=VOICE))


def test_422_detail_list_is_a_validation_error(server: FakeElevenLabsServer) -> None:
    body = {
        "detail": [
            {"loc": ["body", "text"], "msg": "field required", "type": "value_error.missing"}
        ]
    }
    server.inject("POST", TTS_PATH, status=422, json_body=body)
    with pytest.raises(ValidationError, match="text: field required"):
        generate_tts(config(server), hello())


# ---------------------------------------------------------------- transport faults
def test_429_with_retry_after_is_waited_then_succeeds(server: FakeElevenLabsServer) -> None:
    body = {"detail": {"status": "too_many_concurrent_requests", "message": "busy"}}
    server.inject("POST", TTS_PATH, status=429, json_body=body, headers={"Retry-After": "0.05"})
    response = generate_tts(config(server), hello())
    assert base64.b64decode(response.audio) == MP3
    assert server.count("POST", TTS_PATH) == 2


@pytest.mark.anyio
async def test_429_without_retry_after_is_not_resubmitted(server: FakeElevenLabsServer) -> None:
    server.busy = "system_busy"
    with pytest.raises(HTTPError) as caught:
        await generate_tts_async(config(server), hello())
    assert caught.value.status_code == 429 and is_retryable_error(caught.value)
    assert "system_busy" in str(caught.value)
    assert server.count("POST", TTS_PATH) == 1


def test_5xx_is_retryable_and_never_resubmitted(server: FakeElevenLabsServer, driver: str) -> None:

    body = {"detail": {"status": "something_went_wrong", "message": "You are not charged."}}
    server.inject("POST", STS_PATH, status=500, json_body=body)
    request = STSRequest(audio=_mock_media.wav(0.2), voice_id=VOICE)
    with pytest.raises(HTTPError) as caught:
        generate(driver, "sts", sts_config(server), request)
    assert caught.value.status_code == 500 and is_retryable_error(caught.value)
    assert "something_went_wrong" in str(caught.value)
    assert server.count("POST", STS_PATH) == 1


def test_dropped_connection_is_not_resubmitted(server: FakeElevenLabsServer) -> None:
    server.inject("POST", TTS_PATH, drop=True)
    with pytest.raises(HTTPConnectionError):
        generate_tts(config(server), hello())
    assert server.count("POST", TTS_PATH) == 1


def test_json_instead_of_audio_is_malformed(server: FakeElevenLabsServer) -> None:
    server.inject("POST", TTS_PATH, status=200, json_body={"unexpected": True})
    with pytest.raises(MalformedResponseError, match="instead of audio"):
        generate_tts(config(server), hello())


def test_non_json_error_body_keeps_its_text(server: FakeElevenLabsServer) -> None:
    server.inject(
        "POST",
        TTS_PATH,
        status=502,
        body=b"<html>Bad Gateway</html>",
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(HTTPError) as caught:
        generate_tts(config(server), hello())
    assert caught.value.status_code == 502 and "Bad Gateway" in str(caught.value)


def test_empty_audio_is_a_failed_generation(server: FakeElevenLabsServer) -> None:
    server.inject("POST", TTS_PATH, status=200, body=b"", headers={"Content-Type": "audio/mpeg"})
    with pytest.raises(GenerationFailedError, match="no audio") as caught:
        generate_tts(config(server), hello())
    assert is_retryable_error(caught.value)


def test_timeout_abandons_the_call_without_resubmitting(
    server: FakeElevenLabsServer, driver: str
) -> None:

    server.inject("POST", TTS_PATH, status=200, body=MP3, delay=0.6)
    slow = config(server, timeout=0.2)
    with pytest.raises(TimeoutError) as caught:
        generate(driver, "tts", slow, hello())
    assert is_retryable_error(caught.value)
    # ElevenLabs has no job to cancel: one request, nothing else sent.
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", f"/v1/text-to-speech/{VOICE}")
    ]


def test_timeout_falls_back(server: FakeElevenLabsServer) -> None:
    server.inject("POST", TTS_PATH, status=200, body=MP3, delay=0.6)
    chain = config(server, timeout=0.2, fallback_configs=[AudioGenerationConfig(provider="mock")])
    response = generate_tts(chain, hello())
    assert response.provider == "mock"
    assert response.execution_metadata.attempts[0].error_type == "TimeoutError"


def test_fallback_validation_happens_before_any_call(server: FakeElevenLabsServer) -> None:
    fallback = config(server)
    chain = AudioGenerationConfig(provider="mock", fallback_configs=[fallback])
    with pytest.raises(ValidationError, match="output_format"):
        generate_tts(chain, hello(output_format=AudioOutputFormat(format="flac")))
    assert server.requests == []


# ---------------------------------------------------------------- chains across audio providers
def test_voice_per_config_and_other_providers_extras(server: FakeElevenLabsServer) -> None:
    request = TTSRequest(text="Hello world", voice_id="alloy", instructions="calm")
    chain = config(server, provider_config={"voice_id": VOICE})
    generate_tts(chain, request)
    sent = server.last("POST", TTS_PATH)
    assert sent.json() == {
        "model_id": "eleven_multilingual_v2",
        "text": "Hello world",
        "instructions": "calm",
    }


def test_fallback_to_openai_speech(server: FakeElevenLabsServer) -> None:
    pytest.importorskip("tarash_openai")
    from tarash.tarash_gateway import installed_providers

    if "openai" not in installed_providers():
        pytest.skip("tarash-openai is not installed")
    wav = _mock_media.wav(0.5, 24000)

    def speech(request: FakeRequest) -> FakeResponse:
        if request.headers.get("authorization") != "Bearer sk-openai-test":
            return FakeResponse.json(
                {"error": {"message": "bad key", "code": "invalid_api_key"}}, 401
            )
        return FakeResponse.raw(wav, "audio/wav")

    server.add_route("POST", r"/v1/audio/speech", speech)
    server.quota = 0
    openai = AudioGenerationConfig(
        provider="openai",
        model="tts-1",
        api_key="sk-openai-test",
        base_url=f"{server.url}/v1",
        poll_interval=0.01,
    )
    chain = config(server, provider_config={"voice_id": VOICE}, fallback_configs=[openai])
    request = TTSRequest(
        text="Hello world",
        voice_id="alloy",
        output_format=AudioOutputFormat(format="wav", sample_rate=24000),
    )
    response = generate_tts(chain, request)

    assert response.provider == "openai" and base64.b64decode(response.audio) == wav
    attempts = response.execution_metadata.attempts
    assert [(a.provider, a.status) for a in attempts] == [
        ("elevenlabs", "failed"),
        ("openai", "success"),
    ]
    assert attempts[0].is_retryable and "quota_exceeded" in attempts[0].error_message
    assert server.last("POST", TTS_PATH).query == {"output_format": ["wav_24000"]}
    body = server.last("POST", r"/v1/audio/speech").json()
    assert body["voice"] == "alloy" and body["input"] == "Hello world"
