"""xAI text-to-speech (POST /v1/tts): exact bodies, audio, refusals, faults; sync and async."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, _plugins, generate_tts
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    HTTPError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import AudioGenerationConfig, AudioOutputFormat, TTSRequest
from tarash.tarash_gateway.testing import config_for, generate
from tests.plugins.xai.fake_xai import FakeXAIServer

TTS = r"/v1/tts"


@pytest.fixture
def server() -> Iterator[FakeXAIServer]:
    with FakeXAIServer() as fake:
        yield fake


def config(server: FakeXAIServer, **kwargs: Any) -> AudioGenerationConfig:
    values = {"model": "grok-tts", "api_key": "xai-tts-key", "timeout": None, **kwargs}
    return config_for(server, "xai", "tts", base_path="/v1", **values)


def payload(request: TTSRequest) -> dict[str, Any]:
    return _plugins.registry.providers["xai"].call(
        "tarash_map_fields",
        provider="xai",
        model="grok-tts",
        modality="tts",
        request=request,
        config=AudioGenerationConfig(provider="xai", model="grok-tts"),
    )


def test_body_defaults_language_to_auto_and_converts_the_format() -> None:
    assert payload(TTSRequest(text="Hello", voice_id="eve")) == {
        "text": "Hello",
        "voice_id": "eve",
        "language": "auto",
        "output_format": {"codec": "mp3", "sample_rate": 44100, "bit_rate": 128000},
    }
    request = TTSRequest(
        text="Hola",
        voice_id="ara",
        language_code="es-MX",
        output_format=AudioOutputFormat(format="ulaw", sample_rate=8000, bitrate=64),
    )
    assert payload(request) == {
        "text": "Hola",
        "voice_id": "ara",
        "language": "es-MX",
        "output_format": {"codec": "mulaw", "sample_rate": 8000},
    }


@pytest.mark.parametrize(
    ("request_", "needle"),
    [
        (TTSRequest(text="x", voice_id="eve", language_code="nl"), "language_code='nl'"),
        (
            TTSRequest(text="x", voice_id="eve", output_format=AudioOutputFormat(format="opus")),
            "output_format.format='opus'",
        ),
        (
            TTSRequest(
                text="x",
                voice_id="eve",
                output_format=AudioOutputFormat(format="mp3", sample_rate=11025),
            ),
            "sample_rate=11025",
        ),
        (
            TTSRequest(
                text="x", voice_id="eve", output_format=AudioOutputFormat(format="mp3", bitrate=320)
            ),
            "bitrate=320",
        ),
        (TTSRequest(text="x" * 15001, voice_id="eve"), "15000 characters"),
        (TTSRequest(text="x", voice_id="eve", voice_settings={"speed": 1.2}), "voice_settings"),
    ],
)
def test_refusals(request_: TTSRequest, needle: str) -> None:
    with pytest.raises(ValidationError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        payload(request_)


def test_speech_end_to_end(server: FakeXAIServer, driver: str) -> None:
    request = TTSRequest(
        text="Hello there",
        voice_id="leo",
        language_code="en",
        output_format=AudioOutputFormat(format="wav", sample_rate=24000),
    )
    response = generate(driver, "tts", config(server), request)
    sent = server.last("POST", TTS)
    assert sent.headers["authorization"] == "Bearer xai-tts-key"
    assert sent.json() == {
        "text": "Hello there",
        "voice_id": "leo",
        "language": "en",
        "output_format": {"codec": "wav", "sample_rate": 24000},
    }
    assert base64.b64decode(response.audio) == _mock_media.wav(0.5, 24000)
    assert response.content_type == "audio/wav" and response.duration == 0.5
    assert response.provider == "xai" and response.usage is None


def test_mp3_and_pcm(server: FakeXAIServer) -> None:
    mp3 = generate_tts(config(server), TTSRequest(text="a", voice_id="sal"))
    assert mp3.content_type == "audio/mpeg" and mp3.duration is None
    pcm = generate_tts(
        config(server),
        TTSRequest(
            text="a",
            voice_id="sal",
            output_format=AudioOutputFormat(format="pcm", sample_rate=16000),
        ),
    )
    assert pcm.content_type == "audio/pcm" and pcm.duration == 0.5


def test_speech_faults(server: FakeXAIServer) -> None:
    with pytest.raises(ContentModerationError):
        generate_tts(config(server), TTSRequest(text="moderation-block", voice_id="eve"))
    with pytest.raises(HTTPError) as caught:
        generate_tts(config(server), TTSRequest(text="a", voice_id="nobody"))
    assert caught.value.status_code == 404 and not is_retryable_error(caught.value)
    server.inject("POST", TTS, status=503, json_body={"code": "Unavailable", "error": "busy"})
    with pytest.raises(HTTPError) as caught:
        generate_tts(config(server), TTSRequest(text="a", voice_id="eve"))
    assert is_retryable_error(caught.value)
    server.inject("POST", TTS, status=200, json_body={"error": "not audio"})
    with pytest.raises(Exception, match="instead of audio"):
        generate_tts(config(server), TTSRequest(text="a", voice_id="eve"))
