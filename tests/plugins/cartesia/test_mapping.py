"""Request → Cartesia payload: exact bodies, and refusals before any request."""

from __future__ import annotations

from typing import Any

import pytest

from tarash.tarash_gateway import describe_model, get_provider_field_mapping
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    AudioOutputFormat,
    STSRequest,
    TTSRequest,
)
from tarash_cartesia import plugin
from tarash_cartesia._models import SONIC_2_LANGUAGES, SONIC_3_LANGUAGES

VOICE = "f786b574-daa5-4673-aa0c-cbe3e8534c02"
MP3 = {"container": "mp3", "sample_rate": 44100, "bit_rate": 128000}


def map_request(
    modality: Any, model: str, request: Any, provider_config: dict[str, Any] | None = None
) -> dict[str, Any]:
    config = AudioGenerationConfig(provider="cartesia", provider_config=provider_config or {})
    return plugin.map_fields(model, modality, request, config)


def tts(model: str = "sonic-3.5", **fields: Any) -> dict[str, Any]:
    return map_request("tts", model, TTSRequest(text="Hello", voice_id=VOICE, **fields))


def test_default_request_is_mp3_44100_at_128000_bits_per_second() -> None:
    assert tts() == {
        "model_id": "sonic-3.5",
        "transcript": "Hello",
        "voice": {"mode": "id", "id": VOICE},
        "output_format": MP3,
    }


def test_every_field_of_a_sonic_3_request() -> None:
    payload = tts(
        "sonic-3",
        output_format=AudioOutputFormat(format="wav", sample_rate=24000),
        language_code="hi-IN",
        voice_settings={"speed": 1.2, "volume": 0.8, "emotion": "calm"},
        pronunciation_dict_id="dict_1",
        speed="fast",
        save=True,
    )
    assert payload == {
        "model_id": "sonic-3",
        "transcript": "Hello",
        "voice": {"mode": "id", "id": VOICE},
        "output_format": {"container": "wav", "encoding": "pcm_s16le", "sample_rate": 24000},
        "language": "hi",
        "generation_config": {"speed": 1.2, "volume": 0.8, "emotion": "calm"},
        "speed": "fast",
        "pronunciation_dict_id": "dict_1",
        "save": True,
    }


@pytest.mark.parametrize(
    ("fmt", "encoding", "expected"),
    [
        (AudioOutputFormat(format="mp3", bitrate=192), None, {**MP3, "bit_rate": 192000}),
        (
            AudioOutputFormat(format="mp3", sample_rate=22050, bitrate=32),
            None,
            {"container": "mp3", "sample_rate": 22050, "bit_rate": 32000},
        ),
        (
            AudioOutputFormat(format="pcm", sample_rate=16000),
            None,
            {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 16000},
        ),
        (
            AudioOutputFormat(format="pcm_f32le"),
            None,
            {"container": "raw", "encoding": "pcm_f32le", "sample_rate": 44100},
        ),
        (
            AudioOutputFormat(format="ulaw"),
            None,
            {"container": "raw", "encoding": "pcm_mulaw", "sample_rate": 8000},
        ),
        (
            AudioOutputFormat(format="alaw", sample_rate=16000),
            None,
            {"container": "raw", "encoding": "pcm_alaw", "sample_rate": 16000},
        ),
        (
            AudioOutputFormat(format="wav", sample_rate=48000),
            "pcm_f32le",
            {"container": "wav", "encoding": "pcm_f32le", "sample_rate": 48000},
        ),
    ],
)
def test_output_formats(fmt: AudioOutputFormat, encoding: str | None, expected: dict) -> None:
    extra = {} if encoding is None else {"encoding": encoding}
    payload = tts(output_format=fmt, **extra)
    assert payload["output_format"] == expected
    assert "encoding" not in payload


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"output_format": AudioOutputFormat(format="opus")}, ["'opus'", "'mp3'", "'wav'"]),
        ({"output_format": AudioOutputFormat(format="mp3", bitrate=320)}, ["320", "192"]),
        ({"output_format": AudioOutputFormat(format="wav", sample_rate=32000)}, ["32000", "48000"]),
        ({"output_format": AudioOutputFormat(format="pcm", bitrate=64)}, ["bitrate", "pcm"]),
        (
            {"output_format": AudioOutputFormat(format="wav"), "encoding": "pcm_u8"},
            ["pcm_u8", "pcm_f32le"],
        ),
        ({"encoding": "pcm_f32le"}, ["mp3 takes no encoding"]),
        ({"language_code": "xx"}, ["'xx'", "'en'", "'pa'", "region suffix"]),
        ({"voice_settings": {"speed": 2.0}}, ["speed", "0.6", "1.5"]),
        ({"voice_settings": {"volume": 0.1}}, ["voice_settings.volume=0.1", "0.5 to 2"]),
        ({"voice_settings": {"emotion": "bliss"}}, ["'bliss'", "calm"]),
        ({"voice_settings": {"stability": 0.5}}, ["stability", "speed", "volume", "emotion"]),
        ({"speed": "warp"}, ["'warp'", "'slow'", "'normal'", "'fast'"]),
    ],
)
def test_refusals_name_field_value_and_accepted(fields: dict, words: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        tts(**fields)
    for word in words:
        assert word in str(caught.value)


def test_languages_per_model() -> None:
    assert len(SONIC_3_LANGUAGES) == 42
    assert tts("sonic-3.5", language_code="ta")["language"] == "ta"
    assert tts("sonic-2", language_code="pt-BR")["language"] == "pt"
    with pytest.raises(ValidationError) as caught:
        tts("sonic-2", language_code="hi")  # sunset for sonic-2 on 2026-06-01
    assert all(f"'{code}'" in str(caught.value) for code in SONIC_2_LANGUAGES)
    assert tts("sonic-turbo", language_code="hi")["language"] == "hi"


def test_generation_config_only_where_cartesia_applies_it() -> None:
    with pytest.raises(ValidationError, match="Sonic 2 has no speed/volume/emotion"):
        tts("sonic-2", voice_settings={"speed": 1.1})
    assert "generation_config" not in tts("sonic-2", voice_settings={})


@pytest.mark.parametrize("model", ["sonic", "sonic-english", "sonic-2-2025-03-07"])
def test_sunset_models_are_refused(model: str) -> None:
    with pytest.raises(ValidationError, match="sunset by Cartesia on 2026-06-01"):
        tts(model)


def test_snapshots_and_unknown_models() -> None:
    assert tts("sonic-3-2026-01-12")["model_id"] == "sonic-3-2026-01-12"
    assert tts("sonic-3.5-2026-09-30")["model_id"] == "sonic-3.5-2026-09-30"  # newer snapshot
    with pytest.raises(ValidationError, match="'sonic-9' is not a known tts model.*sonic-3.5"):
        tts("sonic-9")


def test_unknown_extras_pass_through_and_voice_override() -> None:
    payload = map_request(
        "tts",
        "sonic-3",
        TTSRequest(text="Hi", voice_id="eleven-voice", stability=0.5),
        {"voice_id": VOICE},
    )
    assert payload["voice"] == {"mode": "id", "id": VOICE}
    assert payload["stability"] == 0.5


def test_sts_payload_keeps_objects_for_the_flow_to_flatten() -> None:
    request = STSRequest(
        audio="https://example.com/me.wav",
        voice_id=VOICE,
        output_format=AudioOutputFormat(format="ulaw"),
    )
    assert map_request("sts", "voice-changer", request) == {
        "clip": "https://example.com/me.wav",
        "voice": {"id": VOICE},
        "output_format": {"container": "raw", "encoding": "pcm_mulaw", "sample_rate": 8000},
    }


def test_modalities_and_published_tables() -> None:
    assert plugin.supports_modality("sonic-3.5", "tts")
    assert not plugin.supports_modality("sonic-3.5", "sts")
    assert plugin.supports_modality("voice-changer", "sts")
    assert not plugin.supports_modality("voice-changer", "tts")
    tables = get_provider_field_mapping("cartesia")
    assert {"sonic-3.5", "sonic-3", "sonic-2", "sonic-turbo", "voice-changer"} <= set(tables)
    assert "sonic-3-2026-01-12" in tables and "sonic-english" not in tables
    sonic = describe_model("cartesia", "sonic-3.5-2026-05-04", "tts")
    assert sonic is not None and sonic.family == "Cartesia Sonic 3.5"
    language = sonic.field("language_code")
    assert language is not None and language.values == list(SONIC_3_LANGUAGES)
    emotion = sonic.field("voice_settings.emotion")
    assert emotion is not None and "calm" in (emotion.values or [])
    rates = sonic.field("output_format.sample_rate")
    assert rates is not None and rates.values == [8000, 16000, 22050, 24000, 44100, 48000]
    assert {e.name for e in sonic.extra_fields} == {
        "speed",
        "pronunciation_dict_id",
        "save",
        "encoding",
    }
    assert sonic.unused_fields == []
    changer = describe_model("cartesia", "voice-changer", "sts")
    assert changer is not None and changer.endpoint == "/voice-changer/bytes"
    output = changer.field("output_format")
    assert output is not None and "48000" in output.note and "bits/s" in output.note
    assert changer.unused_fields == ["voice_settings"]
