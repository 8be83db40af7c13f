"""Text-to-speech families on fal: one mapping table per endpoint (data, not code).

Facts from fal's typed endpoint list (``@fal-ai/client`` ``libs/client/src/types/endpoints.ts``,
fal-ai/fal-js 2026-08-02) and fal's model pages, checked 2026-11-28. Every result is
``{"audio": File, ...}``; the poll flow downloads ``audio.url`` (``_speech.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tarash.tarash_gateway.capabilities import ExtraField
from tarash.tarash_gateway.providers.field_mappers import (
    Accepts,
    FieldMapper,
    FieldValueError,
    constant_field_mapper,
    passthrough_field_mapper,
)
from tarash_fal._mapping import Mappers

TEXT = passthrough_field_mapper("text", required=True)

# ---------------------------------------------------------------- MiniMax Speech
MINIMAX_LANGUAGES: dict[str, str] = {
    "zh": "Chinese", "yue": "Chinese,Yue", "en": "English", "ar": "Arabic", "ru": "Russian",
    "es": "Spanish", "fr": "French", "pt": "Portuguese", "de": "German", "tr": "Turkish",
    "nl": "Dutch", "uk": "Ukrainian", "vi": "Vietnamese", "id": "Indonesian", "ja": "Japanese",
    "it": "Italian", "ko": "Korean", "th": "Thai", "pl": "Polish", "ro": "Romanian",
    "el": "Greek", "cs": "Czech", "fi": "Finnish", "hi": "Hindi", "bg": "Bulgarian",
    "da": "Danish", "he": "Hebrew", "ms": "Malay", "sk": "Slovak", "sv": "Swedish",
    "hr": "Croatian", "hu": "Hungarian", "no": "Norwegian", "sl": "Slovenian", "ca": "Catalan",
    "nn": "Nynorsk", "af": "Afrikaans", "auto": "auto",
}  # fmt: skip
"""ISO 639 code → MiniMax ``language_boost`` (37 languages and ``auto``)."""

MINIMAX_VOICES = (
    "Wise_Woman", "Friendly_Person", "Inspirational_girl", "Deep_Voice_Man", "Calm_Woman",
    "Casual_Guy", "Lively_Girl", "Patient_Man", "Young_Knight", "Determined_Man",
    "Lovely_Girl", "Decent_Boy", "Imposing_Manner", "Elegant_Man", "Abbess", "Sweet_Girl_2",
    "Exuberant_Girl",
)  # fmt: skip
"""MiniMax system voices (fal's default is ``Wise_Woman``); cloned voice ids work too."""

MINIMAX_EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")
MINIMAX_SETTINGS: dict[str, tuple[float, float]] = {
    "speed": (0.5, 2.0),
    "vol": (0.0, 10.0),
    "pitch": (-12, 12),
}
MINIMAX_FORMATS = ("mp3", "pcm", "flac")
MINIMAX_RATES = (8000, 16000, 22050, 24000, 32000, 44100)
MINIMAX_BITRATES_KBPS = (32, 64, 128, 256)


def language_of(table: Mapping[str, str], value: Any, what: str) -> str:
    """``language_code`` ("hi", "hi-IN", "Hindi") → the endpoint's language name.

    Raises:
        FieldValueError: The endpoint has no such language.
    """
    code = str(value).strip()
    if code in table.values():
        return code
    primary = code.replace("_", "-").split("-", 1)[0].lower()
    if primary in table:
        return table[primary]
    accepted = ", ".join(f"{k} ({v})" for k, v in table.items())
    raise FieldValueError("language_code", value, f"{what} takes: {accepted}")


def language_accepts(table: Mapping[str, str]) -> Accepts:
    """ISO 639 codes (a region suffix is ignored) or the endpoint's own names."""
    codes = "|".join(code for code in table if code != "auto")
    return Accepts(
        values=tuple(dict.fromkeys([*table, *table.values()])),
        pattern=rf"(?i)({codes})([-_][A-Za-z0-9]+)+",
        note="a region suffix such as -IN is ignored",
    )


def _settings(
    value: Any, rules: Mapping[str, Any], field: str = "voice_settings"
) -> dict[str, Any]:
    """Check a ``voice_settings`` dict against ``rules`` ({key: (low, high) | tuple of values})."""
    accepted = "accepted keys: " + ", ".join(rules)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise FieldValueError(field, value, accepted)
    settings: dict[str, Any] = {}
    for key, setting in value.items():
        if setting is None:
            continue
        rule = rules.get(key)
        name = f"{field}[{key!r}]"
        if rule is None:
            raise FieldValueError(name, setting, accepted)
        if isinstance(rule[0], str):
            if setting not in rule:
                raise FieldValueError(name, setting, "accepted: " + ", ".join(rule))
        else:
            low, high = rule
            number = isinstance(setting, int | float) and not isinstance(setting, bool)
            if not number or not low <= setting <= high:
                raise FieldValueError(name, setting, f"accepted: a number from {low} to {high}")
        settings[key] = setting
    return settings


_MINIMAX_RULES: dict[str, Any] = {**MINIMAX_SETTINGS, "emotion": MINIMAX_EMOTIONS}


def _minimax_voice(request: Any, value: Any) -> dict[str, Any] | None:
    settings = _settings(getattr(request, "voice_settings", None), _MINIMAX_RULES)
    voice = {"voice_id": value} if value else {}
    return {**voice, **settings} or None


def _minimax_audio(_request: Any, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    fmt = value.format.lower()
    if fmt not in MINIMAX_FORMATS:
        raise FieldValueError("output_format.format", fmt, "accepted: mp3, pcm, flac")
    if value.sample_rate is not None and value.sample_rate not in MINIMAX_RATES:
        accepted = "accepted: " + ", ".join(map(str, MINIMAX_RATES))
        raise FieldValueError("output_format.sample_rate", value.sample_rate, accepted)
    if value.bitrate is not None and value.bitrate not in MINIMAX_BITRATES_KBPS:
        accepted = "accepted (kbps): " + ", ".join(map(str, MINIMAX_BITRATES_KBPS))
        raise FieldValueError("output_format.bitrate", value.bitrate, accepted)
    setting: dict[str, Any] = {"format": fmt}
    if value.sample_rate is not None:
        setting["sample_rate"] = value.sample_rate
    if value.bitrate is not None and fmt == "mp3":
        setting["bitrate"] = value.bitrate * 1000
    return setting


def _minimax_language(_request: Any, value: Any) -> str | None:
    return None if value is None else language_of(MINIMAX_LANGUAGES, value, "MiniMax")


def _minimax(text_field: str, max_characters: int | None) -> Mappers:
    limit = f"at most {max_characters} characters; " if max_characters else ""
    return {
        text_field: FieldMapper(
            "text",
            lambda _req, value: value,
            required=True,
            accepts=Accepts(note=limit + "'<#0.5#>' marks a pause"),
        ),
        "voice_setting": FieldMapper(
            "voice_id",
            _minimax_voice,
            accepts=Accepts(
                note="a MiniMax system voice (" + ", ".join(MINIMAX_VOICES) + ") or a cloned id"
            ),
            also_reads=(
                *(
                    (f"voice_settings.{key}", Accepts.range(low, high))
                    for key, (low, high) in MINIMAX_SETTINGS.items()
                ),
                ("voice_settings.emotion", Accepts.one_of(MINIMAX_EMOTIONS)),
            ),
        ),
        "audio_setting": FieldMapper(
            "output_format",
            _minimax_audio,
            accepts=Accepts(note="bitrate only for mp3, sent in bits/s"),
            also_reads=(
                ("output_format.format", Accepts(values=MINIMAX_FORMATS, ignore_case=True)),
                ("output_format.sample_rate", Accepts(values=MINIMAX_RATES)),
                ("output_format.bitrate", Accepts(values=MINIMAX_BITRATES_KBPS, note="kbps")),
            ),
        ),
        "language_boost": FieldMapper(
            "language_code",
            _minimax_language,
            accepts=language_accepts(MINIMAX_LANGUAGES),
        ),
        "output_format": constant_field_mapper("url"),
    }


MINIMAX: dict[str, Mappers] = {
    "fal-ai/minimax/speech-02-hd": _minimax("text", 5000),
    "fal-ai/minimax/speech-02-turbo": _minimax("text", 5000),
    "fal-ai/minimax/preview/speech-2.5-hd": _minimax("text", 5000),
    "fal-ai/minimax/preview/speech-2.5-turbo": _minimax("text", 5000),
    "fal-ai/minimax/speech-2.6-hd": _minimax("prompt", None),
    "fal-ai/minimax/speech-2.6-turbo": _minimax("prompt", None),
    "fal-ai/minimax/speech-2.8-hd": _minimax("prompt", None),
    "fal-ai/minimax/speech-2.8-turbo": _minimax("prompt", None),
}
MINIMAX_EXTRAS = (
    ExtraField(
        name="pronunciation_dict",
        type="object",
        description="custom pronunciation: {'tone': [...]}",
    ),
    ExtraField(
        name="normalization_setting", type="object", description="loudness normalisation (2.6, 2.8)"
    ),
    ExtraField(name="voice_modify", type="object", description="pitch / intensity / timbre (2.8)"),
)

# ---------------------------------------------------------------- Qwen3-TTS
QWEN_VOICES = (
    "Vivian", "Serena", "Uncle_Fu", "Dylan", "Eric", "Ryan", "Aiden", "Ono_Anna", "Sohee",
)  # fmt: skip
QWEN_LANGUAGES: dict[str, str] = {
    "auto": "Auto", "en": "English", "zh": "Chinese", "es": "Spanish", "fr": "French",
    "de": "German", "it": "Italian", "ja": "Japanese", "ko": "Korean", "pt": "Portuguese",
    "ru": "Russian",
}  # fmt: skip


def _qwen_language(_request: Any, value: Any) -> str | None:
    return None if value is None else language_of(QWEN_LANGUAGES, value, "Qwen3-TTS")


_QWEN: Mappers = {
    "text": TEXT,
    "voice": FieldMapper(
        "voice_id", lambda _req, value: value, accepts=Accepts.one_of(QWEN_VOICES)
    ),
    "language": FieldMapper(
        "language_code", _qwen_language, accepts=language_accepts(QWEN_LANGUAGES)
    ),
}
QWEN: dict[str, Mappers] = {
    "fal-ai/qwen-3-tts/text-to-speech/1.7b": _QWEN,
    "fal-ai/qwen-3-tts/text-to-speech/0.6b": _QWEN,
}
QWEN_EXTRAS = (
    ExtraField(name="prompt", type="string", description="voice direction, e.g. 'Very happy.'"),
    ExtraField(
        name="speaker_voice_embedding_file_url",
        type="string",
        description="a clone from qwen-3-tts/clone-voice",
    ),
    ExtraField(
        name="reference_text",
        type="string",
        description="the text the cloned voice was recorded with",
    ),
    ExtraField(name="temperature", type="number", description="sampling temperature (default 0.9)"),
    ExtraField(name="top_k", type="integer", description="default 50"),
    ExtraField(name="top_p", type="number", description="default 1"),
    ExtraField(name="repetition_penalty", type="number", description="default 1.05"),
    ExtraField(name="max_new_tokens", type="integer", description="default 200"),
)


# ---------------------------------------------------------------- ElevenLabs on fal
def _setting(key: str, low: float, high: float) -> FieldMapper:
    """One key of ``voice_settings`` as a top-level field (the table refuses unknown keys)."""

    def convert(_request: Any, value: Any) -> Any:
        return (value or {}).get(key)

    return FieldMapper(
        "voice_settings", convert, also_reads=((f"voice_settings.{key}", Accepts.range(low, high)),)
    )


def _eleven(settings: dict[str, tuple[float, float]]) -> Mappers:
    def check(request: Any, value: Any) -> str | None:
        _settings(getattr(request, "voice_settings", None), settings)
        return None if value is None else str(value)

    table: Mappers = {
        "text": TEXT,
        "voice": FieldMapper(
            "voice_id",
            check,
            accepts=Accepts(note="an ElevenLabs voice name (e.g. 'Rachel') or voice id"),
        ),
        "language_code": FieldMapper(
            "language_code",
            lambda _req, value: None if value is None else str(value).split("-")[0].lower(),
            accepts=Accepts(note="ISO 639-1 code"),
        ),
    }
    table.update({key: _setting(key, low, high) for key, (low, high) in settings.items()})
    return table


_ELEVEN_V2 = {
    "stability": (0.0, 1.0),
    "similarity_boost": (0.0, 1.0),
    "style": (0.0, 1.0),
    "speed": (0.7, 1.2),
}
ELEVENLABS: dict[str, Mappers] = {
    "fal-ai/elevenlabs/tts/multilingual-v2": _eleven(_ELEVEN_V2),
    "fal-ai/elevenlabs/tts/turbo-v2.5": _eleven(_ELEVEN_V2),
    "fal-ai/elevenlabs/tts/eleven-v3": _eleven({"stability": (0.0, 1.0)}),
}

# ---------------------------------------------------------------- Kokoro
KOKORO_VOICES: dict[str, tuple[str, ...]] = {
    "american-english": (
        "af_heart", "af_alloy", "af_aoede", "af_bella", "af_jessica", "af_kore", "af_nicole",
        "af_nova", "af_river", "af_sarah", "af_sky", "am_adam", "am_echo", "am_eric",
        "am_fenrir", "am_liam", "am_michael", "am_onyx", "am_puck", "am_santa",
    ),
    "brazilian-portuguese": ("pf_dora", "pm_alex", "pm_santa"),
    "british-english": (
        "bf_alice", "bf_emma", "bf_isabella", "bf_lily", "bm_daniel", "bm_fable", "bm_george",
        "bm_lewis",
    ),
    "french": (),
    "hindi": ("hf_alpha", "hf_beta", "hm_omega", "hm_psi"),
    "italian": ("if_sara", "im_nicola"),
    "japanese": ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"),
    "mandarin-chinese": (
        "zf_xiaobei", "zf_xiaoni", "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi",
        "zm_yunxia", "zm_yunyang",
    ),
    "spanish": ("ef_dora", "em_alex", "em_santa"),
}  # fmt: skip
"""Voices per Kokoro endpoint (fal types them as a closed list; French: any string)."""


def _speed_only(request: Any, value: Any) -> Any:
    return _settings(value, {"speed": (0.1, 5.0)}).get("speed")


def _kokoro(voices: tuple[str, ...]) -> Mappers:
    voice_accepts = Accepts.one_of(voices) if voices else Accepts(note="a Kokoro voice id")
    return {
        "prompt": FieldMapper("text", lambda _req, value: value, required=True),
        "voice": FieldMapper("voice_id", lambda _req, value: value, accepts=voice_accepts),
        "speed": FieldMapper(
            "voice_settings",
            _speed_only,
            also_reads=(("voice_settings.speed", Accepts.range(0.1, 5.0)),),
        ),
    }


KOKORO: dict[str, Mappers] = {
    f"fal-ai/kokoro/{language}": _kokoro(voices) for language, voices in KOKORO_VOICES.items()
}

DEFAULT_TTS_MODEL = "fal-ai/minimax/speech-02-hd"
