"""OpenAI and Azure OpenAI speech, streamed through the public API against the fake server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, stream_tts, stream_tts_async
from tarash.tarash_gateway.exceptions import ContentModerationError, UnsupportedModalityError
from tarash.tarash_gateway.models import AudioGenerationConfig, AudioOutputFormat, TTSRequest
from tarash.tarash_gateway.testing import config_for
from tests.plugins.openai.fake_openai import FakeOpenAIServer

KEY = "sk-test-stream"
MP3 = _mock_media.sample("sample.mp3")


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


def openai(server: FakeOpenAIServer, **overrides: Any) -> AudioGenerationConfig:
    values = {"model": "gpt-4o-mini-tts", "api_key": KEY, "timeout": None, **overrides}
    return config_for(server, "openai", "tts", base_path="/v1", **values)


def test_speech_streams_with_the_generate_payload(server: FakeOpenAIServer) -> None:
    server.speech_interval = 0.5
    request = TTSRequest(text="Hello", voice_id="coral", instructions="calm")
    started = time.monotonic()
    with stream_tts(openai(server), request) as stream:
        opened = time.monotonic() - started
        assert stream.content_type == "audio/mpeg"
        audio = stream.read()
    assert audio == MP3 and time.monotonic() - started - opened >= 1.0
    assert server.last("POST", "/v1/audio/speech").json() == {
        "model": "gpt-4o-mini-tts",
        "input": "Hello",
        "voice": "coral",
        "response_format": "mp3",
        "instructions": "calm",
    }


def test_async_pcm_stream(server: FakeOpenAIServer) -> None:
    request = TTSRequest(
        text="Hello", voice_id="alloy", output_format=AudioOutputFormat(format="pcm")
    )

    async def main() -> tuple[str, bytes]:
        stream = await stream_tts_async(openai(server), request)
        return stream.content_type, await stream.read()

    content_type, audio = asyncio.run(main())
    assert content_type == "audio/pcm" and audio == _mock_media.pcm(0.5, 24000)


def test_azure_deployment_streams(server: FakeOpenAIServer) -> None:
    config = AudioGenerationConfig(
        provider="azure-openai",
        model="tts-prod",
        api_key=KEY,
        base_url=server.url,
        api_version="2025-04-01-preview",
    )
    with stream_tts(config, TTSRequest(text="Hi", voice_id="nova")) as stream:
        assert stream.read() == MP3
    assert server.count("POST", "/openai/deployments/tts-prod/audio/speech") == 1


def test_moderation_refusal_before_the_first_byte(server: FakeOpenAIServer) -> None:
    with pytest.raises(ContentModerationError):
        stream_tts(openai(server), TTSRequest(text="moderation-block", voice_id="coral"))


def test_a_provider_that_cannot_stream_says_so(server: FakeOpenAIServer) -> None:
    with pytest.raises(UnsupportedModalityError, match="does not stream"):
        stream_tts(
            AudioGenerationConfig(provider="fal", api_key="k"), TTSRequest(text="x", voice_id="v")
        )
