"""Request → Cartesia payload: one field table per Sonic model, one for the voice changer.

The tables are the catalog's families (``__init__.CATALOG``). tts payloads are the JSON
body of ``POST /tts/bytes`` as sent; sts payloads keep the nested ``voice`` /
``output_format`` objects, which the submit flow flattens into Cartesia's multipart
names (``voice[id]``, ``output_format[container]``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tarash.tarash_gateway.capabilities import Catalog, ExtraField, Family
from tarash.tarash_gateway.plugin import is_url, to_bytes
from tarash.tarash_gateway.providers.field_mappers import (
    Accepts,
    FieldMapper,
    FieldValueError,
)
from tarash_cartesia._formats import (
    ENCODINGS,
    FORMATS,
    MP3_BITRATES_KBPS,
    SAMPLE_RATES,
    output_format,
)
from tarash_cartesia._models import (
    EMOTIONS,
    GENERATION_RANGES,
    MODELS,
    VOICE_CHANGER,
    SonicModel,
)

SOURCE = (
    "https://docs.cartesia.ai/build-with-cartesia/tts-models/api-changes and the official SDK "
    "cartesia-ai/cartesia-python types (checked 2026-11-28)"
)
MODEL_SPEEDS = ("slow", "normal", "fast")
CONSUMED_EXTRAS = frozenset({"encoding"})
"""``extra_params`` read into ``output_format``, never sent as they are."""

_FORMATS_NOTE = (
    f"format {', '.join(FORMATS)}; sample_rate {', '.join(map(str, SAMPLE_RATES))} Hz "
    f"(default 44100, 8000 for mu-law/A-law); mp3 bitrate "
    f"{', '.join(map(str, MP3_BITRATES_KBPS))} kbps, sent in bits/s"
)
_ENCODING = ExtraField(
    name="encoding",
    type="string",
    description="output_format.encoding of wav / raw formats",
    values=ENCODINGS,
)
TTS_EXTRAS = (
    ExtraField(
        name="speed", type="string", description="Cartesia's speed preset", values=MODEL_SPEEDS
    ),
    ExtraField(
        name="pronunciation_dict_id", type="string", description="a pronunciation dictionary"
    ),
    ExtraField(name="save", type="boolean", description="keep the audio (Cartesia-File-ID)"),
    _ENCODING,
)
STS_EXTRAS = (_ENCODING,)


# ---------------------------------------------------------------- converters
def voice_id(value: Any) -> str:
    """A Cartesia voice id (non-empty string)."""
    if not isinstance(value, str) or not value.strip():
        raise FieldValueError("voice_id", value, "accepted: a Cartesia voice id (GET /voices)")
    return value.strip()


def tts_voice(value: Any) -> dict[str, str]:
    """``voice_id`` → ``{"mode": "id", "id": ...}``."""
    return {"mode": "id", "id": voice_id(value)}


def sts_voice(value: Any) -> dict[str, str]:
    """``voice_id`` → ``{"id": ...}`` (flattened to ``voice[id]``)."""
    return {"id": voice_id(value)}


def _output_format(request: Any, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return output_format(value, (request.extra_params or {}).get("encoding"))


def _language(model: SonicModel) -> Any:
    """``language_code`` → Cartesia's two-letter ``language`` ("hi-IN" → "hi")."""

    def convert(_request: Any, value: Any) -> str | None:
        if value is None:
            return None
        code = str(value).strip().lower().replace("_", "-")
        for candidate in (code, code.split("-", 1)[0]):
            if candidate in model.languages:
                return candidate
        raise FieldValueError(
            "language_code", value, f"{model.name} speaks: " + ", ".join(model.languages)
        )

    return convert


def _generation_config(model: SonicModel) -> Any:
    """``voice_settings`` {speed, volume, emotion} → ``generation_config``."""
    accepted = (
        "accepted keys: "
        + ", ".join(f"{k} ({low}-{high})" for k, (low, high) in GENERATION_RANGES.items())
        + ", emotion (one of Cartesia's emotions, e.g. 'calm', 'excited')"
    )

    def convert(_request: Any, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise FieldValueError("voice_settings", value, accepted)
        settings = {k: v for k, v in value.items() if v is not None}
        if settings and not model.generation_config:
            raise FieldValueError(
                "voice_settings", dict(value), f"{model.name} has no speed/volume/emotion "
                "controls (sonic-3 and sonic-3.5 have them)"
            )  # fmt: skip
        for key, setting in settings.items():
            field = f"voice_settings[{key!r}]"
            if key == "emotion":
                if setting not in EMOTIONS:
                    raise FieldValueError(field, setting, "accepted: " + ", ".join(EMOTIONS))
            elif key in GENERATION_RANGES:
                low, high = GENERATION_RANGES[key]
                number = isinstance(setting, int | float) and not isinstance(setting, bool)
                if not number or not low <= setting <= high:
                    raise FieldValueError(
                        field, setting, f"accepted: a number from {low} to {high}"
                    )
            else:
                raise FieldValueError(field, setting, accepted)
        return settings

    return convert


def _clip(_request: Any, value: Any) -> str | dict[str, Any] | None:
    """A URL stays a URL (the submit flow downloads it); inline audio becomes bytes."""
    if value is None:
        return None
    if is_url(value):
        return str(value)
    content, content_type = to_bytes(value, "application/octet-stream")
    if not content:
        raise FieldValueError("audio", "<empty>", "accepted: non-empty audio")
    return {"content": content, "content_type": content_type}


_VOICE_NOTE = Accepts(note="a Cartesia voice id (GET /voices), e.g. Katie f786b574-…")
_OUTPUT = FieldMapper(
    "output_format",
    _output_format,
    required=True,
    accepts=Accepts(note=_FORMATS_NOTE),
    also_reads=(
        ("output_format.format", Accepts(values=tuple(FORMATS), ignore_case=True)),
        ("output_format.sample_rate", Accepts(values=SAMPLE_RATES)),
        (
            "output_format.bitrate",
            Accepts(values=MP3_BITRATES_KBPS, note="kbps, mp3 only; sent in bits/s"),
        ),
    ),
)


def language_accepts(languages: tuple[str, ...]) -> Accepts:
    """The codes, or a code with a region (``hi-IN``): the region is dropped."""
    codes = "|".join(languages)
    return Accepts(
        values=languages,
        pattern=rf"(?i)({codes})([-_][A-Za-z0-9]+)+",
        note="a region suffix such as -IN is dropped",
    )


# ---------------------------------------------------------------- tables
def tts_fields(model: SonicModel) -> dict[str, FieldMapper]:
    """The table of one Sonic model: ``POST /tts/bytes`` JSON body."""
    controls: tuple[tuple[str, Accepts], ...] = ()
    if model.generation_config:
        controls = (
            *(
                (f"voice_settings.{key}", Accepts.range(low, high))
                for key, (low, high) in GENERATION_RANGES.items()
            ),
            ("voice_settings.emotion", Accepts.one_of(EMOTIONS)),
        )
    return {
        "transcript": FieldMapper("text", lambda _r, v: v, required=True),
        "voice": FieldMapper("voice_id", lambda _r, v: tts_voice(v), True, _VOICE_NOTE),
        "output_format": _OUTPUT,
        "language": FieldMapper(
            "language_code", _language(model), accepts=language_accepts(model.languages)
        ),
        "generation_config": FieldMapper(
            "voice_settings",
            _generation_config(model),
            accepts=Accepts(
                note="speed, volume, emotion" if model.generation_config else "none on this model"
            ),
            also_reads=controls,
        ),
    }


STS_FIELDS: dict[str, FieldMapper] = {
    "clip": FieldMapper("audio", _clip, required=True, accepts=Accepts(media="audio")),
    "voice": FieldMapper("voice_id", lambda _r, v: sts_voice(v), True, _VOICE_NOTE),
    "output_format": _OUTPUT,
}
"""The voice changer: ``POST /voice-changer/bytes``, multipart."""

FAMILIES: list[Family] = [
    Family(
        name=f"Cartesia {model.name}",
        modality="tts",
        models=model.ids,
        fields=tts_fields(model),
        endpoint="/tts/bytes",
        source=SOURCE,
        notes=model.notes,
        extra_fields=TTS_EXTRAS,
        model_field="model_id",
    )
    for model in MODELS
]
FAMILIES.append(
    Family(
        name="Cartesia voice changer",
        modality="sts",
        models=(VOICE_CHANGER,),
        fields=STS_FIELDS,
        endpoint="/voice-changer/bytes",
        source="https://docs.cartesia.ai/api-reference/voice-changer/bytes (checked 2026-11-28)",
        notes="Takes no model; priced at 15 characters per second of input audio.",
        extra_fields=STS_EXTRAS,
    )
)
CATALOG = Catalog(FAMILIES)
"""Every Cartesia model tarash maps, as data."""
