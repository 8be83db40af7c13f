"""Request → Sarvam body: exact payloads, and refusals before any request."""

from __future__ import annotations

from typing import Any

import pytest

from tarash.tarash_gateway import describe_model, get_provider_field_mapping
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import AudioGenerationConfig, AudioOutputFormat, TTSRequest
from tarash_sarvam import plugin
from tarash_sarvam._models import LANGUAGES, V2_SPEAKERS, V3_SPEAKERS

WAV_24K = AudioOutputFormat(format="wav", sample_rate=24000)


def map_request(
    model: str, request: TTSRequest, provider_config: dict[str, Any] | None = None
) -> dict[str, Any]:
    config = AudioGenerationConfig(provider="sarvam", provider_config=provider_config or {})
    return plugin.map_fields(model, "tts", request, config)


VOICES = {"bulbul:v3": "shubh", "bulbul:v2": "anushka", "bulbul:v4-flash": "shubh_enhi_ads"}


def body(model: str = "bulbul:v3", **fields: Any) -> dict[str, Any]:
    voice = VOICES.get(model, "shubh")
    values = {"text": "नमस्ते", "voice_id": voice, "language_code": "hi-IN", **fields}
    return map_request(model, TTSRequest(**values))


def test_default_request_on_bulbul_v3() -> None:
    assert body() == {
        "model": "bulbul:v3",
        "text": "नमस्ते",
        "target_language_code": "hi-IN",
        "speaker": "shubh",
        "output_audio_codec": "mp3",
        "speech_sample_rate": 44100,
        "output_audio_bitrate": "128k",
    }


def test_every_field_of_a_v3_request() -> None:
    assert body(
        voice_id="Ritu",
        language_code="ta",
        output_format=WAV_24K,
        voice_settings={"pace": 1.25, "temperature": 0.4},
        dict_id="p_dict_1",
    ) == {
        "model": "bulbul:v3",
        "text": "नमस्ते",
        "target_language_code": "ta-IN",
        "speaker": "ritu",
        "pace": 1.25,
        "temperature": 0.4,
        "output_audio_codec": "wav",
        "speech_sample_rate": 24000,
        "dict_id": "p_dict_1",
    }


def test_every_field_of_a_v2_request() -> None:
    assert body(
        "bulbul:v2",
        voice_id="anushka",
        language_code="or",
        output_format=AudioOutputFormat(format="pcm", sample_rate=16000),
        voice_settings={"pace": 2.5, "pitch": -0.5, "loudness": 1.5},
        enable_preprocessing=True,
    ) == {
        "model": "bulbul:v2",
        "text": "नमस्ते",
        "target_language_code": "od-IN",
        "speaker": "anushka",
        "pace": 2.5,
        "pitch": -0.5,
        "loudness": 1.5,
        "output_audio_codec": "linear16",
        "speech_sample_rate": 16000,
        "enable_preprocessing": True,
    }


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (AudioOutputFormat(format="ulaw", sample_rate=8000), {"mulaw", 8000}),
        (AudioOutputFormat(format="alaw"), {"alaw"}),
        (AudioOutputFormat(format="opus", sample_rate=48000, bitrate=64), {"opus", 48000, "64k"}),
        (AudioOutputFormat(format="flac", sample_rate=32000), {"flac", 32000}),
        (AudioOutputFormat(format="aac", bitrate=256), {"aac", "256k"}),
    ],
)
def test_output_formats(fmt: AudioOutputFormat, expected: set[Any]) -> None:
    sent = body(output_format=fmt)
    keys = ("output_audio_codec", "speech_sample_rate", "output_audio_bitrate")
    assert {sent[k] for k in keys if k in sent} == expected


def test_missing_language_lists_the_supported_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        map_request("bulbul:v3", TTSRequest(text="hi", voice_id="shubh"))
    assert "language_code" in str(caught.value)
    assert all(code in str(caught.value) for code in LANGUAGES)


@pytest.mark.parametrize(
    ("model", "fields", "words"),
    [
        ("bulbul:v3", {"language_code": "fr-FR"}, ["'fr-FR'", "hi-IN", "od-IN"]),
        ("bulbul:v3", {"voice_id": "anushka"}, ["'anushka'", "bulbul:v3", "shubh", "rupali"]),
        ("bulbul:v2", {"voice_id": "shubh"}, ["'shubh'", "bulbul:v2", "anushka", "hitesh"]),
        ("bulbul:v4-flash", {"voice_id": "shubh"}, ["'shubh'", "simran_en_customer"]),
        ("bulbul:v3", {"text": "a" * 2501}, ["2501 characters", "at most 2500"]),
        ("bulbul:v2", {"text": "a" * 1501}, ["1501 characters", "at most 1500"]),
        ("bulbul:v3", {"voice_settings": {"pace": 2.5}}, ["voice_settings.pace=2.5", "0.5 to 2"]),
        ("bulbul:v3", {"voice_settings": {"pitch": 0.1}}, ["pitch", "pace", "temperature"]),
        ("bulbul:v2", {"voice_settings": {"temperature": 0.5}}, ["temperature", "loudness"]),
        (
            "bulbul:v2",
            {"output_format": AudioOutputFormat(format="wav", sample_rate=44100)},
            ["44100", "bulbul:v2", "24000"],
        ),
        (
            "bulbul:v3",
            {"output_format": AudioOutputFormat(format="opus", sample_rate=22050)},
            ["22050", "8000, 16000, 24000, 48000"],
        ),
        ("bulbul:v3", {"output_format": AudioOutputFormat(format="ogg")}, ["'ogg'", "wav"]),
        (
            "bulbul:v3",
            {"output_format": AudioOutputFormat(format="wav", bitrate=128)},
            ["wav takes no bitrate"],
        ),
        ("bulbul:v3", {"enable_preprocessing": True}, None),
        ("bulbul:v3", {"dict_id": 7}, ["extra_params['dict_id']=7", "a JSON string"]),
        ("bulbul:v9", {}, ["'bulbul:v9'", "bulbul:v3", "bulbul:v2"]),
    ],
)
def test_refusals(model: str, fields: dict[str, Any], words: list[str] | None) -> None:
    if words is None:  # not a v3 field: left out of the body, not refused
        assert "enable_preprocessing" not in body(model, **fields)
        return
    with pytest.raises(ValidationError) as caught:
        body(model, **fields)
    for word in words:
        assert word in str(caught.value)


def test_v4_flash_takes_persona_ids_and_voice_override() -> None:
    sent = map_request(
        "bulbul:v4-flash",
        TTSRequest(text="Hi", voice_id="JBFqnCBsd6RMkjVDRZzb", language_code="en"),
        {"voice_id": "simran_en_customer"},
    )
    assert sent["speaker"] == "simran_en_customer" and sent["target_language_code"] == "en-IN"


def test_speaker_lists_and_published_tables() -> None:
    assert len(V3_SPEAKERS) == 37 and len(V2_SPEAKERS) == 7
    assert set(get_provider_field_mapping("sarvam")) == {
        "bulbul:v3",
        "bulbul:v4-flash",
        "bulbul:v2",
    }
    v3 = describe_model("sarvam", "bulbul:v3", "tts")
    assert v3 is not None and v3.endpoint == "/text-to-speech" and v3.unused_fields == []
    speaker = v3.field("voice_id")
    assert speaker is not None and speaker.values == list(V3_SPEAKERS)
    pace = v3.field("voice_settings.pace")
    assert pace is not None and (pace.minimum, pace.maximum) == (0.5, 2.0)
    rates = v3.field("output_format.sample_rate")
    assert rates is not None and rates.values is not None and 48000 in rates.values
    language = v3.field("language_code")
    assert language is not None and language.values == list(LANGUAGES)
    assert [e.name for e in v3.extra_fields] == ["dict_id"]
    v2 = describe_model("sarvam", "bulbul:v2", "tts")
    assert v2 is not None and [e.name for e in v2.extra_fields] == ["enable_preprocessing"]
    text = v2.field("text")
    assert text is not None and "at most 1500 characters" in text.note
