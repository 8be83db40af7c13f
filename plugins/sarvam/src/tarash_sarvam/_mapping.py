"""Request → Sarvam payload: one family (field table) per Bulbul model, as the catalog.

Sarvam answers 422 to field names it does not know, so only documented fields are sent:
``extra_params`` keys the model's family does not document are left out of the body (the
response lists them in ``raw_response["unsent_extra_params"]``), which keeps a request
shared by a fallback chain working. ``voice_settings`` and ``output_format`` map to
several top-level fields: their converters return dicts the plugin spreads into the body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tarash.tarash_gateway.capabilities import Catalog, ExtraField, Family
from tarash.tarash_gateway.models import AudioOutputFormat
from tarash.tarash_gateway.providers.field_mappers import (
    Accepts,
    FieldMapper,
    FieldValueError,
)
from tarash_sarvam._models import (
    BITRATES_KBPS,
    CODECS,
    LANGUAGE_ALIASES,
    LANGUAGES,
    LOSSY,
    MODELS,
    OPUS_RATES,
    V4_PERSONA,
    BulbulModel,
)


def _text(model: BulbulModel) -> Any:
    def convert(_request: Any, value: Any) -> str | None:
        if value is not None and len(value) > model.max_characters:
            raise FieldValueError(
                "text",
                f"<{len(value)} characters>",
                f"{model.model} takes at most {model.max_characters} characters a request; "
                "split the text (or use another model)",
            )
        return value  # type: ignore[no-any-return]

    return convert


LANGUAGE_ACCEPTS = Accepts(
    values=LANGUAGES,
    language_tags=True,
    aliases=LANGUAGE_ALIASES,
    note="required; sent as the listed xx-IN code ('or' is Odia, od-IN)",
)
"""Bulbul's languages: a bare code, another case or region is sent as the listed tag."""


def language_code(value: Any) -> str:
    """``language_code`` → Sarvam's ``xx-IN`` code ("hi" → "hi-IN", "or" → "od-IN").

    Raises:
        FieldValueError: Bulbul does not speak it.
    """
    LANGUAGE_ACCEPTS.check("language_code", value)
    return str(LANGUAGE_ACCEPTS.canonical(value))


def _language(_request: Any, value: Any) -> str:
    if value is None:
        raise FieldValueError(
            "language_code",
            None,
            "Sarvam requires the language (target_language_code); set language_code to one "
            "of: " + ", ".join(LANGUAGES),
        )
    return str(value)  # already the listed code: LANGUAGE_ACCEPTS maps "hi", "or"...


def speaker_of(model: BulbulModel, value: Any, field: str = "voice_id") -> str:
    """``voice_id`` → the model's speaker (lower-cased, as Sarvam requires).

    Raises:
        FieldValueError: The model has no such speaker.
    """
    speaker = str(value).strip().lower()
    if not model.accepts_speaker(speaker):
        raise FieldValueError(field, value, f"{model.model} speakers: " + model.speakers_text())
    return speaker


def _speaker(model: BulbulModel) -> Any:
    def convert(_request: Any, value: Any) -> str | None:
        return None if value is None else speaker_of(model, value)

    return convert


def _settings(model: BulbulModel) -> Any:
    """``voice_settings`` → the model's own top-level fields (pace, temperature, ...)."""
    accepted = (
        "accepted keys for "
        + model.model
        + ": "
        + ", ".join(f"{key} ({low}-{high})" for key, (low, high) in model.settings.items())
    )

    def convert(_request: Any, value: Any) -> dict[str, float] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise FieldValueError("voice_settings", value, accepted)
        settings: dict[str, float] = {}
        for key, setting in value.items():
            if setting is None:
                continue
            field = f"voice_settings[{key!r}]"
            if key not in model.settings:
                raise FieldValueError(field, setting, accepted)
            low, high = model.settings[key]
            number = isinstance(setting, int | float) and not isinstance(setting, bool)
            if not number or not low <= setting <= high:
                raise FieldValueError(field, setting, f"accepted: a number from {low} to {high}")
            settings[key] = setting
        return settings

    return convert


def _output(model: BulbulModel) -> Any:
    """``output_format`` → ``output_audio_codec``, ``speech_sample_rate``, bitrate."""

    def convert(_request: Any, value: AudioOutputFormat | None) -> dict[str, Any] | None:
        if value is None:
            return None
        name = value.format.lower()
        if name not in CODECS:
            raise FieldValueError(
                "output_format", value.model_dump(), "accepted formats: " + ", ".join(CODECS)
            )
        fields: dict[str, Any] = {"output_audio_codec": CODECS[name][0]}
        rate = value.sample_rate
        if rate is not None:
            rates = OPUS_RATES if name == "opus" else model.sample_rates
            if rate not in rates:
                raise FieldValueError(
                    "output_format.sample_rate",
                    rate,
                    f"{model.model} {name}: " + ", ".join(map(str, rates)),
                )
            fields["speech_sample_rate"] = rate
        if value.bitrate is not None:
            if name not in LOSSY:
                raise FieldValueError(
                    "output_format.bitrate", value.bitrate, f"{name} takes no bitrate"
                )
            if value.bitrate not in BITRATES_KBPS:
                raise FieldValueError(
                    "output_format.bitrate",
                    value.bitrate,
                    "accepted (kbps): " + ", ".join(map(str, BITRATES_KBPS)),
                )
            fields["output_audio_bitrate"] = f"{value.bitrate}k"
        return fields

    return convert


SPREAD = frozenset({"voice_settings", "output_format"})
"""Table entries whose converted dict is spread into the body's top level."""


def _speaker_accepts(model: BulbulModel) -> Accepts:
    if model.speakers:
        return Accepts(
            values=model.speakers,
            ignore_case=True,
            note=f"the {model.model} speakers (default {model.default_speaker})",
        )
    return Accepts(
        pattern=V4_PERSONA.pattern,
        note=f"a {model.model} persona id such as 'simran_en_customer' "
        f"(default {model.default_speaker})",
    )


def tts_fields(model: BulbulModel) -> dict[str, FieldMapper]:
    """The table of one Bulbul model: ``POST /text-to-speech`` JSON body."""
    rates = model.sample_rates
    return {
        "text": FieldMapper(
            "text",
            _text(model),
            required=True,
            accepts=Accepts(note=f"at most {model.max_characters} characters"),
        ),
        "target_language_code": FieldMapper(
            "language_code",  # required: the converter refuses None with the list
            _language,
            accepts=LANGUAGE_ACCEPTS,
        ),
        "speaker": FieldMapper("voice_id", _speaker(model), accepts=_speaker_accepts(model)),
        "voice_settings": FieldMapper(
            "voice_settings",
            _settings(model),
            accepts=Accepts(note=", ".join(model.settings)),
            also_reads=tuple(
                (f"voice_settings.{key}", Accepts.range(low, high))
                for key, (low, high) in model.settings.items()
            ),
        ),
        "output_format": FieldMapper(
            "output_format",
            _output(model),
            accepts=Accepts(
                note=f"opus only at {', '.join(map(str, OPUS_RATES))} Hz; bitrate only for "
                "mp3, opus, aac"
            ),
            also_reads=(
                ("output_format.format", Accepts(values=tuple(CODECS), ignore_case=True)),
                ("output_format.sample_rate", Accepts(values=rates, note=f"on {model.model}")),
                ("output_format.bitrate", Accepts(values=BITRATES_KBPS, note="kbps")),
            ),
        ),
    }


def _extras(model: BulbulModel) -> tuple[ExtraField, ...]:
    if model.model == "bulbul:v2":
        return (
            ExtraField(
                name="enable_preprocessing",
                type="boolean",
                description="normalise English words and numbers (v3 always does)",
            ),
        )
    return (ExtraField(name="dict_id", type="string", description="a pronunciation dictionary id"),)


FAMILIES = [
    Family(
        name=f"Sarvam {model.model}",
        modality="tts",
        models=(model.model,),
        fields=tts_fields(model),
        endpoint="/text-to-speech",
        source="https://docs.sarvam.ai/api-reference-docs/getting-started/models/bulbul "
        "and the text-to-speech how-to pages (checked 2026-11-28)",
        notes=model.notes,
        extra_fields=_extras(model),
        model_field="model",
    )
    for model in MODELS
]
CATALOG = Catalog(FAMILIES)
"""Every Bulbul model tarash maps, as data."""


def unsent_extra_params(model: str, request: Any) -> list[str]:
    """The ``extra_params`` keys the body leaves out (Sarvam refuses unknown fields)."""
    families = CATALOG.find(model, "tts")
    documented = {extra.name for family in families for extra in family.extra_fields}
    return sorted(
        k for k, v in request.extra_params.items() if k not in documented and v is not None
    )


__all__ = ["CATALOG", "FAMILIES", "SPREAD", "language_code", "speaker_of", "unsent_extra_params"]
