"""Exact ElevenLabs payloads built by tarash_map_fields, and the refusals of bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, get_provider_field_mapping
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    AudioOutputFormat,
    STSRequest,
    TTSRequest,
)
from tarash_elevenlabs import plugin
from tarash_elevenlabs._formats import OFFERED_NAMES, format_name

tarash_map_fields = plugin.tarash_map_fields
tarash_supports_modality = plugin.tarash_supports_modality

VOICE = "JBFqnCBsd6RMkjVDRZzb"


def tts(
    request: TTSRequest, model: str = "eleven_multilingual_v2", **provider_config: Any
) -> dict[str, Any] | None:
    config = AudioGenerationConfig(provider="elevenlabs", provider_config=provider_config)
    return tarash_map_fields("elevenlabs", model, "tts", request, config)


def sts(request: STSRequest, model: str = "eleven_multilingual_sts_v2") -> dict[str, Any] | None:
    config = AudioGenerationConfig(provider="elevenlabs")
    return tarash_map_fields("elevenlabs", model, "sts", request, config)


# ---------------------------------------------------------------- tts
def test_minimal_tts_payload() -> None:
    assert tts(TTSRequest(text="Hello world", voice_id=VOICE)) == {
        "model_id": "eleven_multilingual_v2",
        "voice_id": VOICE,
        "output_format": "mp3_44100_128",
        "text": "Hello world",
    }


def test_full_tts_payload() -> None:
    request = TTSRequest(
        text="Hello world",
        voice_id=VOICE,
        output_format=AudioOutputFormat(format="pcm", sample_rate=16000),
        language_code="en",
        voice_settings={
            "stability": 0.5,
            "similarity_boost": 0.75,
            "style": 0.0,
            "use_speaker_boost": True,
            "speed": 1.1,
        },
        seed=123,
        previous_text="Before.",
        next_text="After.",
        previous_request_ids=["req_1"],
        next_request_ids=[],
        pronunciation_dictionary_locators=[
            {"pronunciation_dictionary_id": "d1", "version_id": "v1"}
        ],
        apply_text_normalization="off",
        apply_language_text_normalization=True,
        enable_logging=False,
        optimize_streaming_latency=2,
    )
    assert tts(request, "eleven_turbo_v2_5") == {
        "model_id": "eleven_turbo_v2_5",
        "voice_id": VOICE,
        "output_format": "pcm_16000",
        "enable_logging": False,
        "optimize_streaming_latency": 2,
        "text": "Hello world",
        "language_code": "en",
        "voice_settings": {
            "stability": 0.5,
            "similarity_boost": 0.75,
            "style": 0.0,
            "use_speaker_boost": True,
            "speed": 1.1,
        },
        "seed": 123,
        "previous_text": "Before.",
        "next_text": "After.",
        "previous_request_ids": ["req_1"],
        "pronunciation_dictionary_locators": [
            {"pronunciation_dictionary_id": "d1", "version_id": "v1"}
        ],
        "apply_text_normalization": "off",
        "apply_language_text_normalization": True,
    }


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        (AudioOutputFormat(format="mp3", sample_rate=44100, bitrate=128), "mp3_44100_128"),
        (AudioOutputFormat(format="mp3"), "mp3_44100_128"),
        (AudioOutputFormat(format="mp3", sample_rate=44100), "mp3_44100_128"),
        (AudioOutputFormat(format="mp3", bitrate=192), "mp3_44100_192"),
        (AudioOutputFormat(format="mp3", sample_rate=22050), "mp3_22050_32"),
        (AudioOutputFormat(format="MP3", sample_rate=24000, bitrate=48), "mp3_24000_48"),
        (AudioOutputFormat(format="pcm", sample_rate=16000), "pcm_16000"),
        (AudioOutputFormat(format="wav", sample_rate=44100), "wav_44100"),
        (AudioOutputFormat(format="opus", bitrate=64), "opus_48000_64"),
        (AudioOutputFormat(format="ulaw"), "ulaw_8000"),
        (AudioOutputFormat(format="alaw", sample_rate=8000), "alaw_8000"),
    ],
)
def test_output_formats(fmt: AudioOutputFormat, name: str) -> None:
    assert format_name(fmt) == name
    assert tts(TTSRequest(text="x", voice_id=VOICE, output_format=fmt))["output_format"] == name


def test_every_offered_format_round_trips() -> None:
    for name in OFFERED_NAMES:
        codec, _, rest = name.partition("_")
        rate, _, bitrate = rest.partition("_")
        fmt = AudioOutputFormat(
            format=codec, sample_rate=int(rate), bitrate=int(bitrate) if bitrate else None
        )
        assert format_name(fmt) == name


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (AudioOutputFormat(format="mp3", sample_rate=48000, bitrate=128), "mp3_44100_128"),
        (AudioOutputFormat(format="mp3", sample_rate=44100, bitrate=320), "mp3_44100_192"),
        (AudioOutputFormat(format="pcm", sample_rate=11025), "pcm_16000"),
        (AudioOutputFormat(format="pcm", sample_rate=16000, bitrate=256), "pcm_16000"),
        (AudioOutputFormat(format="flac"), "'ulaw', 'alaw'"),
        (AudioOutputFormat(format="pcm"), "pcm_8000, pcm_16000"),
        (AudioOutputFormat(format="opus"), "opus_48000_32"),
    ],
)
def test_unoffered_output_format_is_a_clear_error(fmt: AudioOutputFormat, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        tts(TTSRequest(text="x", voice_id=VOICE, output_format=fmt))
    message = str(caught.value)
    assert message.startswith("output_format")
    assert repr(fmt.format) in message  # the value given
    assert expected in message  # what is accepted


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"stability": 1.5}, "voice_settings.stability=1.5"),
        ({"similarity_boost": -0.1}, "voice_settings.similarity_boost=-0.1"),
        ({"speed": 2.0}, "voice_settings.speed=2.0"),
        ({"style": "high"}, "voice_settings.style='high'"),
        ({"use_speaker_boost": "yes"}, "voice_settings.use_speaker_boost='yes'"),
        ({"stabilty": 0.5}, "voice_settings.stabilty=0.5"),
    ],
)
def test_bad_voice_settings(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        tts(TTSRequest(text="x", voice_id=VOICE, voice_settings=settings))
    assert str(caught.value).startswith(field)
    assert "accepted" in str(caught.value)


def test_voice_settings_none_values_are_left_out() -> None:
    request = TTSRequest(text="x", voice_id=VOICE, voice_settings={"stability": None, "speed": 0.8})
    assert tts(request)["voice_settings"] == {"speed": 0.8}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"seed": -1}, "extra_params.seed=-1"),
        ({"seed": 2**32}, f"extra_params.seed={2**32}"),
        ({"seed": True}, "extra_params.seed=True"),
        ({"previous_request_ids": ["a", "b", "c", "d"]}, "extra_params.previous_request_ids"),
        ({"apply_text_normalization": "always"}, "extra_params.apply_text_normalization"),
        ({"optimize_streaming_latency": 5}, "extra_params.optimize_streaming_latency=5"),
        ({"enable_logging": "no"}, "extra_params.enable_logging='no'"),
        ({"pronunciation_dictionary_locators": [{"id": "x"}]}, "extra_params.pronunciation_"),
    ],
)
def test_bad_extra_params(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        tts(TTSRequest(text="x", voice_id=VOICE, **extra))
    assert str(caught.value).startswith(field)
    assert "accepted" in str(caught.value)


def test_other_extra_params_are_sent_as_they_are() -> None:
    # A request shared by a fallback chain may carry another provider's parameters;
    # ElevenLabs ignores body fields it does not know.
    request = TTSRequest(text="x", voice_id=VOICE, instructions="calm", use_pvc_as_ivc=True)
    assert tts(request) == {
        "model_id": "eleven_multilingual_v2",
        "voice_id": VOICE,
        "output_format": "mp3_44100_128",
        "text": "x",
        "instructions": "calm",
        "use_pvc_as_ivc": True,
    }


def test_extra_params_cannot_replace_mapped_fields() -> None:
    request = TTSRequest(text="x", voice_id=VOICE, model_id="other", text_override=None)
    payload = tts(request)
    assert payload["model_id"] == "eleven_multilingual_v2" and "text_override" not in payload


def test_voice_id_per_config() -> None:
    request = TTSRequest(text="x", voice_id="alloy")
    assert tts(request, voice_id=VOICE)["voice_id"] == VOICE
    with pytest.raises(ValidationError, match=r"provider_config\['voice_id'\]"):
        tts(request, voice_id="")


def test_bad_voice_id() -> None:
    with pytest.raises(ValidationError, match=r"voice_id='a/b' is not accepted"):
        tts(TTSRequest(text="x", voice_id="a/b"))


# ---------------------------------------------------------------- sts
def test_sts_payload_from_bytes() -> None:
    audio = _mock_media.wav(0.2)
    request = STSRequest(
        audio=audio,
        voice_id=VOICE,
        output_format=AudioOutputFormat(format="mp3", sample_rate=44100, bitrate=192),
        voice_settings={"stability": 0.3},
        remove_background_noise=True,
        seed=7,
        file_format="other",
    )
    assert sts(request) == {
        "model_id": "eleven_multilingual_sts_v2",
        "voice_id": VOICE,
        "output_format": "mp3_44100_192",
        "audio": {"content": audio, "content_type": "audio/wav"},
        "voice_settings": {"stability": 0.3},
        "seed": 7,
        "remove_background_noise": True,
        "file_format": "other",
    }


def test_sts_payload_from_base64_data_uri_media_content_and_url() -> None:
    import base64

    mp3 = _mock_media.sample("sample.mp3")
    encoded = base64.b64encode(mp3).decode()
    as_base64 = sts(STSRequest(audio=encoded, voice_id=VOICE))
    as_uri = sts(STSRequest(audio=f"data:audio/mpeg;base64,{encoded}", voice_id=VOICE))
    as_content = sts(
        STSRequest(audio={"content": mp3, "content_type": "audio/mpeg"}, voice_id=VOICE)
    )
    expected = {"content": mp3, "content_type": "audio/mpeg"}
    assert as_base64["audio"] == as_uri["audio"] == as_content["audio"] == expected
    url = "https://example.com/speech.mp3"
    assert sts(STSRequest(audio=url, voice_id=VOICE))["audio"] == url


def test_sts_refuses_undecodable_audio_and_bad_file_format() -> None:
    with pytest.raises(ValidationError, match="audio"):
        sts(STSRequest(audio="not base64!!", voice_id=VOICE))
    with pytest.raises(ValidationError, match=r"extra_params.file_format='mp3'"):
        sts(STSRequest(audio=b"RIFF0000WAVE", voice_id=VOICE, file_format="mp3"))


# ---------------------------------------------------------------- ownership and models
def test_other_providers_get_none() -> None:
    config = AudioGenerationConfig(provider="openai")
    request = TTSRequest(text="x", voice_id="v")
    assert tarash_map_fields("openai", "tts-1", "tts", request, config) is None
    assert tarash_supports_modality("openai", "tts-1", "tts") is None


@pytest.mark.parametrize(
    ("model", "modality", "supported"),
    [
        ("eleven_multilingual_v2", "tts", True),
        ("eleven_v3", "tts", True),
        ("eleven_flash_v2_5", "tts", True),
        ("eleven_multilingual_v2", "sts", False),
        ("eleven_multilingual_sts_v2", "sts", True),
        ("eleven_english_sts_v2", "sts", True),
        ("eleven_english_sts_v2", "tts", False),
        ("eleven_multilingual_v2", "video", False),
        ("eleven_multilingual_v2", "image", False),
    ],
)
def test_supports_modality(model: str, modality: str, supported: bool) -> None:
    assert tarash_supports_modality("elevenlabs", model, modality) is supported


def test_field_mapping_tables_are_published() -> None:
    tables = get_provider_field_mapping("elevenlabs")
    assert tables is not None
    assert set(tables) == {"eleven_", "eleven_multilingual_sts", "eleven_english_sts"}
    assert "text" in tables["eleven_"] and "audio" in tables["eleven_english_sts"]
