"""Streaming speech through the public API against the fake Sarvam server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, stream_tts, stream_tts_async
from tarash.tarash_gateway.exceptions import HTTPConnectionError, HTTPError, ValidationError
from tarash.tarash_gateway.models import AudioGenerationConfig, AudioOutputFormat, TTSRequest
from tarash.tarash_gateway.testing import config_for
from tests.plugins.sarvam.fake_sarvam import FakeSarvamServer

KEY = "sk_sarvam_stream"
PATH = r"/text-to-speech/stream"
MP3_24K = AudioOutputFormat(format="mp3", sample_rate=24000, bitrate=128)


@pytest.fixture
def server() -> Iterator[FakeSarvamServer]:
    with FakeSarvamServer(api_key=KEY) as fake:
        yield fake


def config(server: FakeSarvamServer, **overrides: Any) -> AudioGenerationConfig:
    values = {"model": "bulbul:v3", "api_key": KEY, "timeout": None, **overrides}
    return config_for(server, "sarvam", "tts", **values)


def namaste(**fields: object) -> TTSRequest:
    values = {"text": "नमस्ते, आप कैसे हैं?", "voice_id": "shubh", "language_code": "hi-IN"}
    return TTSRequest(**{**values, "output_format": MP3_24K, **fields})


def test_chunks_arrive_before_the_last_one_is_sent(server: FakeSarvamServer) -> None:
    server.stream_chunks, server.stream_interval = 5, 0.4
    started = time.monotonic()
    with stream_tts(config(server), namaste()) as stream:
        first_at = time.monotonic() - started
        assert stream.content_type == "audio/mpeg" and stream.provider == "sarvam"
        chunks = list(stream)
    assert len(chunks) >= 5 and b"".join(chunks) == _mock_media.sample("sample.mp3")
    assert time.monotonic() - started - first_at >= 1.2
    sent = server.last("POST", PATH)
    assert sent.headers["api-subscription-key"] == KEY
    assert sent.json() == {
        "model": "bulbul:v3",
        "text": "नमस्ते, आप कैसे हैं?",
        "target_language_code": "hi-IN",
        "speaker": "shubh",
        "output_audio_codec": "mp3",
        "speech_sample_rate": 24000,
        "output_audio_bitrate": "128k",
    }


def test_async_linear16_stream(server: FakeSarvamServer) -> None:
    request = namaste(output_format=AudioOutputFormat(format="pcm", sample_rate=16000))

    async def main() -> bytes:
        async with await stream_tts_async(config(server), request) as stream:
            assert stream.content_type == "audio/pcm"
            return await stream.read()

    assert asyncio.run(main()) == _mock_media.pcm(20 / 15, 16000)


def test_rates_above_24khz_are_refused_before_any_request(server: FakeSarvamServer) -> None:
    with pytest.raises(ValidationError, match="sample_rate=44100 is not accepted for streaming"):
        stream_tts(
            config(server),
            namaste(output_format=AudioOutputFormat(format="mp3", sample_rate=44100)),
        )
    assert server.requests == []


def test_auth_failure_before_the_first_byte(server: FakeSarvamServer) -> None:
    with pytest.raises(HTTPError) as caught:
        stream_tts(config(server, api_key="wrong"), namaste())
    assert caught.value.status_code == 403 and "invalid_api_key_error" in str(caught.value)


def test_quota_before_the_first_byte_falls_back(server: FakeSarvamServer) -> None:
    server.credits = 0
    fallback = AudioGenerationConfig(provider="mock")
    with stream_tts(config(server, fallback_configs=[fallback]), namaste()) as stream:
        assert stream.read()
    assert stream.provider == "mock"


def test_a_break_after_the_first_byte_raises(server: FakeSarvamServer) -> None:
    server.stream_chunks, server.stream_drop_after = 4, 2
    received = b""
    with pytest.raises(HTTPConnectionError, match=r"stream broke after \d+ bytes"):
        for chunk in stream_tts(config(server), namaste()):
            received += chunk
    assert received
