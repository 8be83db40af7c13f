"""Streaming speech through the public API against the fake ElevenLabs server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import (
    _mock_media,
    stream_sts,
    stream_sts_async,
    stream_tts,
    stream_tts_async,
)
from tarash.tarash_gateway.exceptions import HTTPConnectionError, ValidationError
from tarash.tarash_gateway.models import AudioGenerationConfig, STSRequest, TTSRequest
from tarash.tarash_gateway.testing import config_for
from tests.plugins.elevenlabs.fake_elevenlabs import FakeElevenLabsServer

KEY = "xi-test-key-123"
VOICE = "JBFqnCBsd6RMkjVDRZzb"
STREAM = rf"/v1/text-to-speech/{VOICE}/stream"
MP3 = _mock_media.sample("sample.mp3")


@pytest.fixture
def server() -> Iterator[FakeElevenLabsServer]:
    with FakeElevenLabsServer(api_key=KEY) as fake:
        yield fake


def config(server: FakeElevenLabsServer, **overrides: Any) -> AudioGenerationConfig:
    values = {"model": "eleven_flash_v2_5", "api_key": KEY, "timeout": None, **overrides}
    return config_for(server, "elevenlabs", "tts", **values)


def hello() -> TTSRequest:
    return TTSRequest(text="Hello world", voice_id=VOICE)


def test_chunks_arrive_before_the_last_one_is_sent(server: FakeElevenLabsServer) -> None:
    server.stream_chunks, server.stream_interval = 5, 0.5  # the last one leaves at 2.0 s
    started = time.monotonic()
    with stream_tts(config(server), hello()) as stream:
        first_at = time.monotonic() - started
        assert stream.content_type == "audio/mpeg" and stream.provider == "elevenlabs"
        assert stream.request_id and stream.request_id.startswith("req_")
        chunks = list(stream)
    total = time.monotonic() - started
    assert len(chunks) >= 5 and b"".join(chunks) == MP3
    # The stream opened (first chunk in) while four more chunks, 0.5 s apart, were to come.
    assert total - first_at >= 1.5
    assert stream.bytes_delivered == len(MP3)
    assert stream.execution_metadata is not None
    assert stream.execution_metadata.successful_attempt == 1
    sent = server.last("POST", STREAM)
    assert sent.json() == {"text": "Hello world", "model_id": "eleven_flash_v2_5"}
    assert sent.headers["xi-api-key"] == KEY


def test_async_stream(server: FakeElevenLabsServer) -> None:
    async def main() -> bytes:
        async with await stream_tts_async(config(server), hello()) as stream:
            assert stream.content_type == "audio/mpeg"
            return await stream.read()

    assert asyncio.run(main()) == MP3


def test_closing_early_closes_the_connection(server: FakeElevenLabsServer) -> None:
    server.stream_chunks, server.stream_interval = 8, 0.2
    started = time.monotonic()
    stream = stream_tts(config(server), hello())
    next(iter(stream))
    stream.close()
    assert time.monotonic() - started < 1.0  # did not wait for the other 7 chunks


def test_errors_before_the_first_byte_follow_the_chain(server: FakeElevenLabsServer) -> None:
    server.inject("POST", STREAM, status=503, json_body={"detail": "busy"})
    fallback = AudioGenerationConfig(provider="elevenlabs", model="eleven_v3", api_key=KEY,
                                     base_url=server.url)  # fmt: skip
    with stream_tts(config(server, fallback_configs=[fallback]), hello()) as stream:
        assert stream.read() == MP3
    metadata = stream.execution_metadata
    assert metadata is not None and [a.status for a in metadata.attempts] == ["failed", "success"]


def test_a_break_after_the_first_byte_raises_with_the_bytes_delivered(
    server: FakeElevenLabsServer,
) -> None:
    server.stream_chunks, server.stream_drop_after = 4, 2
    fallback = AudioGenerationConfig(provider="mock")
    stream = stream_tts(config(server, fallback_configs=[fallback]), hello())
    received = b""
    with pytest.raises(HTTPConnectionError, match=r"stream broke after \d+ bytes"):
        for chunk in stream:
            received += chunk
    assert 0 < len(received) < len(MP3)


def test_validation_fails_before_any_request(server: FakeElevenLabsServer) -> None:
    with pytest.raises(ValidationError):
        stream_tts(
            config(server), TTSRequest(text="x", voice_id=VOICE, voice_settings={"speed": 9})
        )
    assert server.requests == []


def test_unknown_voice_is_mapped_like_generate(server: FakeElevenLabsServer) -> None:
    with pytest.raises(ValidationError, match="voice"):
        stream_tts(config(server), TTSRequest(text="x", voice_id="nope"))


def test_speech_to_speech_streams(server: FakeElevenLabsServer) -> None:
    sts = config(server, model="eleven_multilingual_sts_v2")
    request = STSRequest(audio=MP3, voice_id=VOICE)
    with stream_sts(sts, request) as stream:
        assert stream.read() == MP3
    assert server.count("POST", rf"/v1/speech-to-speech/{VOICE}/stream") == 1

    async def main() -> bytes:
        return await (await stream_sts_async(sts, request)).read()

    assert asyncio.run(main()) == MP3
