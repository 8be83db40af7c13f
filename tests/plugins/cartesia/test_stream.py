"""Streaming speech through the public API against the fake Cartesia server."""

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
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    AudioOutputFormat,
    STSRequest,
    TTSRequest,
)
from tarash.tarash_gateway.testing import config_for
from tests.plugins.cartesia.fake_cartesia import FakeCartesiaServer

KEY = "sk_car_stream"
VOICE = "f786b574-daa5-4673-aa0c-cbe3e8534c02"
MP3 = _mock_media.sample("sample.mp3")


@pytest.fixture
def server() -> Iterator[FakeCartesiaServer]:
    with FakeCartesiaServer(api_key=KEY) as fake:
        yield fake


def config(server: FakeCartesiaServer, **overrides: Any) -> AudioGenerationConfig:
    values = {"model": "sonic-3.5", "api_key": KEY, "timeout": None, **overrides}
    return config_for(server, "cartesia", "tts", **values)


def hello(**fields: object) -> TTSRequest:
    return TTSRequest(text="Hello world", voice_id=VOICE, **fields)


def test_chunks_arrive_before_the_last_one_is_sent(server: FakeCartesiaServer) -> None:
    server.stream_chunks, server.stream_interval = 5, 0.4  # the last one leaves at 1.6 s
    started = time.monotonic()
    with stream_tts(config(server), hello()) as stream:
        first_at = time.monotonic() - started
        assert stream.content_type == "audio/mpeg" and stream.provider == "cartesia"
        assert stream.request_id == "cartesia-req-0001"
        chunks = list(stream)
    assert len(chunks) >= 5 and b"".join(chunks) == MP3
    assert time.monotonic() - started - first_at >= 1.2
    sent = server.last("POST", r"/tts/bytes")
    assert sent.headers["cartesia-version"] == "2026-03-01"
    assert sent.json()["output_format"] == {
        "container": "mp3",
        "sample_rate": 44100,
        "bit_rate": 128000,
    }


def test_async_raw_pcm_stream(server: FakeCartesiaServer) -> None:
    request = hello(output_format=AudioOutputFormat(format="pcm", sample_rate=16000))

    async def main() -> bytes:
        async with await stream_tts_async(config(server), request) as stream:
            assert stream.content_type == "audio/pcm"
            return await stream.read()

    assert asyncio.run(main()) == _mock_media.pcm(11 / 15, 16000)


def test_closing_early_closes_the_connection(server: FakeCartesiaServer) -> None:
    server.stream_chunks, server.stream_interval = 8, 0.2
    started = time.monotonic()
    stream = stream_tts(config(server), hello())
    next(iter(stream))
    stream.close()
    assert time.monotonic() - started < 1.0


def test_errors_before_the_first_byte_follow_the_chain(server: FakeCartesiaServer) -> None:
    server.busy = True  # 429 concurrency_limited
    fallback = AudioGenerationConfig(provider="mock")
    with stream_tts(config(server, fallback_configs=[fallback]), hello()) as stream:
        assert stream.read()
    metadata = stream.execution_metadata
    assert metadata is not None
    assert [(a.provider, a.status) for a in metadata.attempts] == [
        ("cartesia", "failed"),
        ("mock", "success"),
    ]


def test_a_break_after_the_first_byte_raises_with_the_bytes_delivered(
    server: FakeCartesiaServer,
) -> None:
    server.stream_chunks, server.stream_drop_after = 4, 2
    stream = stream_tts(config(server), hello())
    received = b""
    with pytest.raises(HTTPConnectionError, match=r"stream broke after \d+ bytes"):
        for chunk in stream:
            received += chunk
    assert 0 < len(received) < len(MP3)


def test_unknown_voice_and_bad_input(server: FakeCartesiaServer) -> None:
    with pytest.raises(ValidationError, match="voice_id='nobody'"):
        stream_tts(config(server), TTSRequest(text="x", voice_id="nobody"))
    with pytest.raises(ValidationError, match="sample_rate"):
        stream_tts(
            config(server), hello(output_format=AudioOutputFormat(format="wav", sample_rate=1))
        )
    assert server.count("POST", r"/tts/bytes") == 1


def test_voice_changer_streams(server: FakeCartesiaServer) -> None:
    sts = config(server, model="voice-changer")
    request = STSRequest(audio=_mock_media.wav(0.3), voice_id=VOICE)
    with stream_sts(sts, request) as stream:
        assert stream.read() == MP3
    assert server.count("POST", r"/voice-changer/bytes") == 1

    async def main() -> bytes:
        return await (await stream_sts_async(sts, request)).read()

    assert asyncio.run(main()) == MP3
