"""fal text-to-speech: exact inputs per family, the audio download, faults (sync and async)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tarash.tarash_gateway import (
    _mock_media,
    configure_http,
    describe_model,
    generate_tts,
    generate_tts_async,
)
from tarash.tarash_gateway.exceptions import (
    GenerationFailedError,
    HTTPError,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    AudioOutputFormat,
    TTSRequest,
    TTSResponse,
)
from tarash.tarash_gateway.testing import config_for, generate
from tarash_fal import plugin
from tarash_fal._speech_models import (
    ELEVENLABS,
    KOKORO,
    KOKORO_VOICES,
    MINIMAX_LANGUAGES,
    MINIMAX_VOICES,
    QWEN_LANGUAGES,
    QWEN_VOICES,
)
from tarash_fal._speech_models import MINIMAX as MINIMAX_TABLES
from tarash_fal._speech_models import QWEN as QWEN_TABLES
from tests.plugins.fal.fake_fal import FakeFalServer
from tests.support.docs_pages import ToFakes, page_text, python_blocks

MP3 = _mock_media.sample("sample.mp3")
MINIMAX = "fal-ai/minimax/speech-02-hd"
QWEN = "fal-ai/qwen-3-tts/text-to-speech/1.7b"


def config(server: FakeFalServer, model: str = MINIMAX, **overrides: Any) -> AudioGenerationConfig:
    values = {"api_key": "fal-key-id:secret", **overrides}
    return config_for(server, "fal", "tts", model=model, **values)


def mapped(model: str, **fields: Any) -> dict[str, Any]:
    values = {"text": "Hello there", "voice_id": "Wise_Woman", **fields}
    return plugin.map_fields(
        model, "tts", TTSRequest(**values), AudioGenerationConfig(provider="fal")
    )


# ---------------------------------------------------------------- exact inputs
def test_minimax_02_input() -> None:
    assert mapped(
        MINIMAX,
        language_code="hi-IN",
        voice_settings={"speed": 1.2, "vol": 2, "pitch": -3, "emotion": "happy"},
        output_format=AudioOutputFormat(format="flac", sample_rate=24000),
        pronunciation_dict={"tone": ["omg/oh my god"]},
    ) == {
        "text": "Hello there",
        "voice_setting": {
            "voice_id": "Wise_Woman",
            "speed": 1.2,
            "vol": 2,
            "pitch": -3,
            "emotion": "happy",
        },
        "audio_setting": {"format": "flac", "sample_rate": 24000},
        "language_boost": "Hindi",
        "output_format": "url",
        "pronunciation_dict": {"tone": ["omg/oh my god"]},
    }


def test_a_documented_extra_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        mapped(MINIMAX, extra_params={"pronunciation_dict": "tone"})
    assert refused.value.message == (
        "extra_params['pronunciation_dict']='tone' is not accepted; accepted: a JSON object"
    )
    sent = mapped(MINIMAX, extra_params={"pronunciation_dict": {"tone": ["x/y"]}})
    assert sent["pronunciation_dict"] == {"tone": ["x/y"]}


def test_minimax_28_sends_the_text_as_prompt_and_mp3_bitrate_in_bits() -> None:
    assert mapped("fal-ai/minimax/speech-2.8-turbo", voice_id="Calm_Woman") == {
        "prompt": "Hello there",
        "voice_setting": {"voice_id": "Calm_Woman"},
        "audio_setting": {"format": "mp3", "sample_rate": 44100, "bitrate": 128000},
        "output_format": "url",
    }


def test_qwen_input_with_voice_direction_from_extras() -> None:
    assert mapped(QWEN, voice_id="Vivian", language_code="ja", prompt="Very happy.") == {
        "text": "Hello there",
        "voice": "Vivian",
        "language": "Japanese",
        "prompt": "Very happy.",
    }


def test_elevenlabs_on_fal_and_kokoro_inputs() -> None:
    assert mapped(
        "fal-ai/elevenlabs/tts/multilingual-v2",
        voice_id="Rachel",
        language_code="de-DE",
        voice_settings={"stability": 0.4, "similarity_boost": 0.8, "speed": 1.1},
    ) == {
        "text": "Hello there",
        "voice": "Rachel",
        "language_code": "de",
        "stability": 0.4,
        "similarity_boost": 0.8,
        "speed": 1.1,
    }
    assert mapped(
        "fal-ai/kokoro/british-english", voice_id="bf_emma", voice_settings={"speed": 1.3}
    ) == {
        "prompt": "Hello there",
        "voice": "bf_emma",
        "speed": 1.3,
    }


@pytest.mark.parametrize(
    ("model", "fields", "words"),
    [
        (MINIMAX, {"voice_settings": {"speed": 3}}, ["voice_settings.speed=3", "0.5 to 2"]),
        (MINIMAX, {"voice_settings": {"emotion": "bored"}}, ["'bored'", "happy", "neutral"]),
        (MINIMAX, {"voice_settings": {"stability": 0.5}}, ["stability", "speed, vol, pitch"]),
        (MINIMAX, {"language_code": "xx"}, ["'xx'", "'hi'", "'Hindi'", "'Afrikaans'"]),
        (
            MINIMAX,
            {"output_format": AudioOutputFormat(format="wav")},
            ["'wav'", "'mp3', 'pcm', 'flac'"],
        ),
        (
            MINIMAX,
            {"output_format": AudioOutputFormat(format="mp3", sample_rate=48000)},
            ["48000", "44100"],
        ),
        (QWEN, {"voice_id": "Wise_Woman"}, ["'Wise_Woman'", "'Vivian'", "'Sohee'"]),
        (QWEN, {"voice_id": "Vivian", "language_code": "hi"}, ["'hi'", "'ru'", "'Russian'"]),
        (
            QWEN,
            {"voice_id": "Vivian", "voice_settings": {"speed": 1.1}},
            ["voice_settings", "not taken"],
        ),
        (
            QWEN,
            {"voice_id": "Vivian", "output_format": AudioOutputFormat(format="wav")},
            ["output_format", "not taken"],
        ),
        ("fal-ai/kokoro/hindi", {"voice_id": "af_heart"}, ["'af_heart'", "'hf_alpha'"]),
        (
            "fal-ai/elevenlabs/tts/eleven-v3",
            {"voice_id": "Rachel", "voice_settings": {"speed": 1.1}},
            ["speed", "stability"],
        ),
    ],
)
def test_refusals_before_any_request(model: str, fields: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        mapped(model, **fields)
    for word in words:
        assert word in str(caught.value)


def test_speech_models_do_only_tts_and_unknown_ids_are_refused() -> None:
    assert plugin.supports_modality(MINIMAX, "tts")
    assert not plugin.supports_modality(MINIMAX, "video")  # not the Hailuo video family
    assert plugin.supports_modality("fal-ai/minimax/hailuo-02/standard/text-to-video", "video")
    assert not plugin.supports_modality("fal-ai/some-new-tts", "tts")


def test_capabilities_publish_voices_and_languages() -> None:
    qwen = describe_model("fal", QWEN, "tts")
    voice = qwen.field("voice_id")
    assert voice is not None and voice.values == list(QWEN_VOICES)
    assert {e.name for e in qwen.extra_fields} >= {"prompt", "temperature"}
    kokoro = describe_model("fal", "fal-ai/kokoro/japanese", "tts").field("voice_id")
    assert kokoro is not None and kokoro.values == list(KOKORO_VOICES["japanese"])
    minimax = describe_model("fal", MINIMAX, "tts")
    language = minimax.field("language_code")
    assert language is not None and language.values is not None
    assert set(MINIMAX_LANGUAGES) | set(MINIMAX_LANGUAGES.values()) == set(language.values)
    emotion = minimax.field("voice_settings.emotion")
    assert emotion is not None and emotion.values == [
        "happy",
        "sad",
        "angry",
        "fearful",
        "disgusted",
        "surprised",
        "neutral",
    ]
    assert minimax.source and "fal.ai/models/fal-ai/minimax/speech-02-hd" in minimax.source


# ---------------------------------------------------------------- end to end
def test_tts_sync_queue_protocol_and_downloaded_audio(fal_server: FakeFalServer) -> None:
    response = generate_tts(
        config(fal_server), TTSRequest(text="Hello there", voice_id="Wise_Woman")
    )
    assert isinstance(response, TTSResponse)
    assert fal_server.payload()["output_format"] == "url"
    assert base64.b64decode(response.audio) == MP3
    assert response.content_type == "audio/mpeg" and response.duration == 1.25
    assert response.raw_response["audio"]["url"].endswith(".mp3")
    download = [r for r in fal_server.requests if r.path.startswith("/files/")]
    assert len(download) == 1 and "authorization" not in download[0].headers
    submit = fal_server.last("POST", r"/fal-ai/minimax/speech-02-hd")
    assert submit.headers["authorization"] == "Key fal-key-id:secret"
    assert fal_server.submits == 1


@pytest.mark.anyio
async def test_tts_async_qwen_wav_duration_from_header(fal_server: FakeFalServer) -> None:
    request = TTSRequest(text="Hello there", voice_id="Ryan", language_code="en", prompt="calm")
    response = await generate_tts_async(config(fal_server, QWEN), request)
    assert fal_server.payload() == {
        "text": "Hello there",
        "voice": "Ryan",
        "language": "English",
        "prompt": "calm",
    }
    assert base64.b64decode(response.audio).startswith(b"RIFF")
    assert response.content_type == "audio/wav"
    assert response.duration == pytest.approx(0.5, abs=0.01)


def test_default_tts_model_is_minimax(
    fal_server: FakeFalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAL_KEY", "fal-key-id:secret")
    response = generate_tts(
        config(fal_server, model=None, api_key=None), TTSRequest(text="Hi", voice_id="Wise_Woman")
    )
    assert response.model == MINIMAX


# ---------------------------------------------------------------- faults
def test_result_without_audio_is_a_failed_generation(fal_server: FakeFalServer) -> None:
    fal_server.outputs[MINIMAX] = {"duration_ms": 10}
    with pytest.raises(GenerationFailedError, match="without audio") as caught:
        generate_tts(config(fal_server), TTSRequest(text="Hi", voice_id="Wise_Woman"))
    assert is_retryable_error(caught.value) and fal_server.submits == 1


def test_audio_url_that_fails_to_download(fal_server: FakeFalServer) -> None:
    fal_server.outputs[MINIMAX] = {"audio": {"url": f"{fal_server.url}/missing/speech.mp3"}}
    with pytest.raises(GenerationFailedError, match="could not be downloaded.*404"):
        generate_tts(config(fal_server), TTSRequest(text="Hi", voice_id="Wise_Woman"))
    assert fal_server.submits == 1


def test_transient_download_fault_is_retried_without_resubmitting(
    fal_server: FakeFalServer,
) -> None:
    fal_server.inject("GET", r"/files/.*\.mp3", status=503, json_body={"detail": "busy"})
    response = generate_tts(config(fal_server), TTSRequest(text="Hi", voice_id="Wise_Woman"))
    assert base64.b64decode(response.audio) == MP3
    assert fal_server.submits == 1


def test_submit_5xx_is_retryable_and_not_resubmitted(fal_server: FakeFalServer) -> None:
    fal_server.inject("POST", r"/fal-ai/minimax/speech-02-hd", status=502)
    with pytest.raises(HTTPError) as caught:
        generate_tts(config(fal_server), TTSRequest(text="Hi", voice_id="Wise_Woman"))
    assert is_retryable_error(caught.value) and fal_server.submits == 0


def test_timeout_cancels_the_fal_job(driver: str) -> None:
    with FakeFalServer(polls=1000) as server:
        slow = config(server, timeout=0.3)
        request = TTSRequest(text="Hi", voice_id="Wise_Woman")
        with pytest.raises(TimeoutError):
            generate(driver, "tts", slow, request)
        assert server.count("PUT", r".*/cancel") == 1 and server.submits == 1


# ---------------------------------------------------------------- docs
def test_fal_page_lists_every_speech_model_voice_and_language() -> None:
    text = " ".join(page_text("providers/fal.md").split())
    for model in (*MINIMAX_TABLES, *QWEN_TABLES, *ELEVENLABS, *KOKORO):
        assert f"`{model}`" in text
    assert ", ".join(MINIMAX_VOICES) in text and ", ".join(QWEN_VOICES) in text
    for voices in KOKORO_VOICES.values():
        assert ", ".join(voices) in text
    for table in (MINIMAX_LANGUAGES, QWEN_LANGUAGES):
        assert ", ".join(f"{code} {name}" for code, name in table.items()) in text


def test_fal_page_speech_example_runs(
    fal_server: FakeFalServer, monkeypatch: Any, tmp_path: Any
) -> None:
    block = next(b for b in python_blocks("providers/fal.md") if "generate_tts" in b)
    configure_http(transport=ToFakes({"queue.fal.run": fal_server.url}))
    monkeypatch.setenv("FAL_KEY", "fal-docs:key")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "fal.md", "exec"), {"__name__": "__docs__"})
    assert fal_server.payload()["prompt"].startswith("Welcome back!")
    assert (tmp_path / "order.mp3").read_bytes() == MP3
