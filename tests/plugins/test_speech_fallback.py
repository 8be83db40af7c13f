"""A text-to-speech fallback chain across three providers: elevenlabs → cartesia → fal."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, generate_tts, generate_tts_async
from tarash.tarash_gateway.models import AudioGenerationConfig, AudioOutputFormat, TTSRequest
from tests.plugins.cartesia.fake_cartesia import FakeCartesiaServer
from tests.plugins.elevenlabs.fake_elevenlabs import FakeElevenLabsServer
from tests.plugins.fal.fake_fal import FakeFalServer

ELEVEN_VOICE = "JBFqnCBsd6RMkjVDRZzb"
CARTESIA_VOICE = "f786b574-daa5-4673-aa0c-cbe3e8534c02"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeElevenLabsServer, FakeCartesiaServer, FakeFalServer]]:
    with (
        FakeElevenLabsServer(quota=0) as eleven,
        FakeCartesiaServer() as cartesia,
        FakeFalServer(polls=1) as fal,
    ):
        yield eleven, cartesia, fal


def chain(eleven: Any, cartesia: Any, fal: Any) -> AudioGenerationConfig:
    common = {"poll_interval": 0.01, "timeout": 10}
    return AudioGenerationConfig(
        provider="elevenlabs",
        model="eleven_multilingual_v2",
        api_key="xi-key",
        base_url=eleven.url,
        provider_config={"voice_id": ELEVEN_VOICE},
        fallback_configs=[
            AudioGenerationConfig(
                provider="cartesia",
                model="sonic-3.5",
                api_key="sk_car_key",
                base_url=cartesia.url,
                provider_config={"voice_id": CARTESIA_VOICE},
                **common,
            ),
            AudioGenerationConfig(
                provider="fal",
                model="fal-ai/minimax/speech-02-hd",
                api_key="fal-id:secret",
                base_url=fal.url,
                **common,
            ),
        ],
        **common,
    )


REQUEST = TTSRequest(
    text="Your table is ready.",
    voice_id="Wise_Woman",  # fal's voice; the others take theirs from provider_config
    language_code="en",
    output_format=AudioOutputFormat(format="mp3", sample_rate=44100, bitrate=128),
)


def test_quota_then_busy_then_fal_speaks(fakes: Any, driver: str) -> None:
    eleven, cartesia, fal = fakes
    cartesia.busy = True  # 429 concurrency_limited
    config = chain(eleven, cartesia, fal)
    if driver == "sync":
        response = generate_tts(config, REQUEST)
    else:
        response = asyncio.run(generate_tts_async(config, REQUEST))

    assert response.provider == "fal" and response.model == "fal-ai/minimax/speech-02-hd"
    assert base64.b64decode(response.audio) == _mock_media.sample("sample.mp3")
    attempts = response.execution_metadata.attempts
    assert [(a.provider, a.status) for a in attempts] == [
        ("elevenlabs", "failed"),
        ("cartesia", "failed"),
        ("fal", "success"),
    ]
    assert "quota_exceeded" in attempts[0].error_message
    assert "concurrency_limited" in attempts[1].error_message
    assert all(a.is_retryable for a in attempts[:2])
    # each provider got exactly one request, in its own wire format, with its own voice
    assert eleven.count("POST", rf"/v1/text-to-speech/{ELEVEN_VOICE}") == 1
    assert cartesia.last("POST", r"/tts/bytes").json()["voice"] == {
        "mode": "id",
        "id": CARTESIA_VOICE,
    }
    assert fal.submits == 1
    assert fal.payload()["voice_setting"] == {"voice_id": "Wise_Woman"}
    assert fal.payload()["language_boost"] == "English"


def test_cartesia_answers_and_fal_is_never_called(fakes: Any) -> None:
    eleven, cartesia, fal = fakes
    response = generate_tts(chain(eleven, cartesia, fal), REQUEST)
    assert response.provider == "cartesia"
    assert [a.provider for a in response.execution_metadata.attempts] == ["elevenlabs", "cartesia"]
    assert cartesia.last("POST", r"/tts/bytes").json()["language"] == "en"
    assert fal.requests == []
