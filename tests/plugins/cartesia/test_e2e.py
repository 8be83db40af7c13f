"""End to end through the public API against the fake Cartesia server (sync and async)."""

from __future__ import annotations

import asyncio
import base64
import struct
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
    TTSRequest,
    TTSResponse,
    TTSUpdate,
)
from tarash.tarash_gateway.testing import config_for, generate
from tests.plugins.cartesia.fake_cartesia import FakeCartesiaServer

KEY = "sk_car_test_123"
VOICE = "f786b574-daa5-4673-aa0c-cbe3e8534c02"
TTS_PATH = r"/tts/bytes"
STS_PATH = r"/voice-changer/bytes"
MP3 = _mock_media.sample("sample.mp3")


@pytest.fixture
def server() -> Iterator[FakeCartesiaServer]:
    with FakeCartesiaServer(api_key=KEY) as fake:
        yield fake


def config(server: FakeCartesiaServer, **overrides: Any) -> AudioGenerationConfig:
    values = {"model": "sonic-3.5", "api_key": KEY, **overrides}
    return config_for(server, "cartesia", "tts", **values)


def sts_config(server: FakeCartesiaServer, **overrides: Any) -> AudioGenerationConfig:
    return config(server, **{"model": "voice-changer", **overrides})


def hello(**fields: Any) -> TTSRequest:
    return TTSRequest(text="Hello world", voice_id=VOICE, **fields)


# ---------------------------------------------------------------- text-to-speech
def test_tts_sync_sends_the_documented_request_and_returns_mp3(
    server: FakeCartesiaServer,
) -> None:
    request = hello(language_code="en-US", voice_settings={"speed": 1.1, "emotion": "excited"})
    updates: list[TTSUpdate] = []
    response = generate_tts(config(server, model="sonic-3"), request, on_progress=updates.append)

    sent = server.last("POST", TTS_PATH)
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["cartesia-version"] == "2026-03-01"
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "model_id": "sonic-3",
        "transcript": "Hello world",
        "voice": {"mode": "id", "id": VOICE},
        "output_format": {"container": "mp3", "sample_rate": 44100, "bit_rate": 128000},
        "language": "en",
        "generation_config": {"speed": 1.1, "emotion": "excited"},
    }
    assert isinstance(response, TTSResponse)
    assert base64.b64decode(response.audio) == MP3
    assert response.content_type == "audio/mpeg" and response.duration is None
    assert response.request_id == "cartesia-req-0001"
    assert response.provider == "cartesia" and response.model == "sonic-3"
    assert response.raw_response["audio_bytes"] == len(MP3)
    assert response.raw_response["output_format"]["bit_rate"] == 128000
    assert [u.status for u in updates] == ["completed"]


@pytest.mark.anyio
async def test_tts_async_raw_float32_with_duration(server: FakeCartesiaServer) -> None:
    request = hello(output_format=AudioOutputFormat(format="pcm_f32le", sample_rate=16000))
    response = await generate_tts_async(config(server), request)

    sent = server.last("POST", TTS_PATH).json()
    assert sent["output_format"] == {
        "container": "raw",
        "encoding": "pcm_f32le",
        "sample_rate": 16000,
    }
    audio = base64.b64decode(response.audio)
    assert len(audio) % 4 == 0 and abs(struct.unpack("<f", audio[4:8])[0]) <= 1.0
    assert response.content_type == "audio/pcm"
    assert response.duration == pytest.approx(11 / 15, abs=0.01)


@pytest.mark.parametrize(
    ("fmt", "extra", "content_type", "magic"),
    [
        (AudioOutputFormat(format="wav", sample_rate=22050), {}, "audio/wav", b"RIFF"),
        (AudioOutputFormat(format="wav"), {"encoding": "pcm_f32le"}, "audio/wav", b"RIFF"),
        (AudioOutputFormat(format="ulaw"), {}, "audio/basic", None),
        (AudioOutputFormat(format="pcm", sample_rate=24000), {}, "audio/pcm", None),
    ],
)
def test_tts_uncompressed_formats_end_to_end(
    server: FakeCartesiaServer,
    fmt: AudioOutputFormat,
    extra: dict[str, str],
    content_type: str,
    magic: bytes | None,
) -> None:
    response = generate_tts(config(server), hello(output_format=fmt, **extra))
    audio = base64.b64decode(response.audio)
    assert response.content_type == content_type
    if magic:
        assert audio.startswith(magic)
    assert response.duration == pytest.approx(11 / 15, abs=0.01)
    assert "encoding" not in server.last("POST", TTS_PATH).json()


def test_default_model_and_key_from_environment(
    server: FakeCartesiaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARTESIA_API_KEY", KEY)
    response = generate_tts(config(server, model=None, api_key=None), hello())
    assert response.model == "sonic-3.5"
    assert server.last("POST", TTS_PATH).json()["model_id"] == "sonic-3.5"


# ---------------------------------------------------------------- voice changer
def test_sts_sync_uploads_multipart_with_cartesia_field_names(server: FakeCartesiaServer) -> None:
    source = _mock_media.wav(0.4, 16000)
    request = STSRequest(
        audio=source,
        voice_id=VOICE,
        output_format=AudioOutputFormat(format="wav", sample_rate=16000),
    )
    response = generate_sts(sts_config(server), request)

    sent = server.last("POST", STS_PATH)
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["cartesia-version"] == "2026-03-01"
    fields, files = sent.multipart()
    assert fields == {
        "voice[id]": [VOICE],
        "output_format[container]": ["wav"],
        "output_format[encoding]": ["pcm_s16le"],
        "output_format[sample_rate]": ["16000"],
    }
    upload = files["clip"][0]
    assert (upload.filename, upload.content_type, upload.content) == (
        "clip.wav",
        "audio/wav",
        source,
    )
    assert isinstance(response, STSResponse)
    assert response.content_type == "audio/wav"
    assert response.duration == pytest.approx(0.4, abs=0.01)


@pytest.mark.anyio
async def test_sts_async_downloads_url_audio_without_the_key(server: FakeCartesiaServer) -> None:
    url = server.serve_media("source.mp3", MP3, "audio/mpeg")
    response = await generate_sts_async(sts_config(server), STSRequest(audio=url, voice_id=VOICE))
    download = server.last("GET", r"/media/source\.mp3")
    assert "authorization" not in download.headers
    fields, files = server.last("POST", STS_PATH).multipart()
    assert files["clip"][0].content == MP3
    assert fields["output_format[bit_rate]"] == ["128000"]
    assert base64.b64decode(response.audio) == MP3
    assert [r.method for r in server.requests] == ["GET", "POST"]


def test_wrong_model_for_modality_fails_before_network(server: FakeCartesiaServer) -> None:
    with pytest.raises(ValidationError, match="does not support sts"):
        generate_sts(config(server), STSRequest(audio=MP3, voice_id=VOICE))
    with pytest.raises(ValidationError, match="does not support tts"):
        generate_tts(sts_config(server), hello())
    with pytest.raises(ValidationError, match="sunset"):
        generate_tts(config(server, model="sonic-english"), hello())
    assert server.requests == []


# ---------------------------------------------------------------- errors of Cartesia
def test_unknown_voice_is_a_validation_error_with_cartesias_text(
    server: FakeCartesiaServer,
) -> None:
    with pytest.raises(ValidationError) as caught:
        generate_tts(config(server), TTSRequest(text="Hi", voice_id="nobody"))
    text = str(caught.value)
    assert "voice_id='nobody'" in text and "Voice nobody not found." in text
    assert caught.value.raw_response["error_code"] == "voice_not_found"
    assert caught.value.request_id == caught.value.raw_response["request_id"]


def test_bad_key_is_not_retryable(server: FakeCartesiaServer) -> None:
    with pytest.raises(HTTPError) as caught:
        generate_tts(config(server, api_key="wrong"), hello())
    assert caught.value.status_code == 401 and not is_retryable_error(caught.value)
    assert "Unauthorized: Invalid API key." in str(caught.value)


def test_model_sunset_answer_is_a_validation_error(server: FakeCartesiaServer) -> None:
    body = {
        "error_code": "model_sunsetted",
        "title": "Model sunsetted",
        "message": "The requested model has been sunsetted and is no longer available.",
        "request_id": "897525c5-7bbe-4919-a801-95170b472373",
    }
    server.inject("POST", TTS_PATH, status=400, json_body=body)
    with pytest.raises(ValidationError, match="model='sonic-3.5' is refused.*model_sunsetted"):
        generate_tts(config(server), hello())


def test_plain_text_error_of_older_versions_keeps_its_text(server: FakeCartesiaServer) -> None:
    server.inject(
        "POST",
        TTS_PATH,
        status=400,
        body=b"Invalid transcript: transcript must not be empty",
        headers={"Content-Type": "text/plain"},
    )
    with pytest.raises(ValidationError, match="transcript must not be empty"):
        generate_tts(config(server), hello())


# ---------------------------------------------------------------- transport faults
def test_concurrency_limit_429_is_waited_then_succeeds(server: FakeCartesiaServer) -> None:
    body = {
        "error_code": "concurrency_limited",
        "title": "Too many concurrent requests",
        "message": "You have exceeded your plan's concurrency limit.",
        "request_id": "r1",
    }
    server.inject("POST", TTS_PATH, status=429, json_body=body, headers={"Retry-After": "0.05"})
    response = generate_tts(config(server), hello())
    assert base64.b64decode(response.audio) == MP3
    assert server.count("POST", TTS_PATH) == 2


@pytest.mark.anyio
async def test_429_without_retry_after_is_retryable_not_resubmitted(
    server: FakeCartesiaServer,
) -> None:
    server.busy = True
    with pytest.raises(HTTPError) as caught:
        await generate_tts_async(config(server), hello())
    assert caught.value.status_code == 429 and is_retryable_error(caught.value)
    assert "concurrency_limited" in str(caught.value)
    assert server.count("POST", TTS_PATH) == 1


def test_5xx_is_retryable_and_never_resubmitted(server: FakeCartesiaServer, driver: str) -> None:
    body = {"error_code": None, "title": "Internal error", "message": "oops", "request_id": "r"}
    server.inject("POST", STS_PATH, status=500, json_body=body)
    request = STSRequest(audio=_mock_media.wav(0.2), voice_id=VOICE)
    with pytest.raises(HTTPError) as caught:
        generate(driver, "sts", sts_config(server), request)
    assert caught.value.status_code == 500 and is_retryable_error(caught.value)
    assert "Internal error: oops" in str(caught.value)
    assert server.count("POST", STS_PATH) == 1


def test_dropped_connection_is_not_resubmitted(server: FakeCartesiaServer) -> None:
    server.inject("POST", TTS_PATH, drop=True)
    with pytest.raises(HTTPConnectionError):
        generate_tts(config(server), hello())
    assert server.count("POST", TTS_PATH) == 1


def test_json_instead_of_audio_is_malformed(server: FakeCartesiaServer) -> None:
    server.inject("POST", TTS_PATH, status=200, json_body={"unexpected": True})
    with pytest.raises(MalformedResponseError, match="instead of audio"):
        generate_tts(config(server), hello())


def test_empty_audio_is_a_failed_generation(server: FakeCartesiaServer) -> None:
    server.inject("POST", TTS_PATH, status=200, body=b"", headers={"Content-Type": "audio/mpeg"})
    with pytest.raises(GenerationFailedError, match="no audio") as caught:
        generate_tts(config(server), hello())
    assert is_retryable_error(caught.value)


def test_timeout_abandons_the_call_without_resubmitting(
    server: FakeCartesiaServer, driver: str
) -> None:
    server.inject("POST", TTS_PATH, status=200, body=MP3, delay=0.6)
    slow = config(server, timeout=0.2)
    with pytest.raises(TimeoutError) as caught:
        generate(driver, "tts", slow, hello())
    assert is_retryable_error(caught.value)
    assert [(r.method, r.path) for r in server.requests] == [("POST", "/tts/bytes")]


def test_cancelled_async_call_sends_nothing_more(server: FakeCartesiaServer) -> None:
    server.inject("POST", TTS_PATH, status=200, body=MP3, delay=0.5)

    async def cancel_early() -> None:
        task = asyncio.ensure_future(generate_tts_async(config(server), hello()))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_early())
    assert server.count("POST", TTS_PATH) == 1


def test_voice_per_config_and_other_providers_extras(server: FakeCartesiaServer) -> None:
    request = TTSRequest(text="Hello world", voice_id="alloy", instructions="calm")
    generate_tts(config(server, provider_config={"voice_id": VOICE}), request)
    sent = server.last("POST", TTS_PATH).json()
    assert sent["voice"] == {"mode": "id", "id": VOICE} and sent["instructions"] == "calm"
