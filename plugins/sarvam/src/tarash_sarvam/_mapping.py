"""Request → Sarvam payload: one field-mapper table per Bulbul model (the JSON body as sent).

Sarvam answers 422 to field names it does not know, so only documented fields are sent:
``extra_params`` keys this plugin does not read are left out of the body (the response
lists them in ``raw_response["unsent_extra_params"]``), which keeps a request shared by a
fallback chain working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import AudioOutputFormat
from tarash.tarash_gateway.providers.field_mappers import (
    FieldMapper,
    FieldValueError,
    apply_field_mappers,
)
from tarash_sarvam._models import (
    BITRATES_KBPS,
    BY_ID,
    CODECS,
    LANGUAGE_ALIASES,
    LANGUAGES,
    LOSSY,
    MODELS,
    OPUS_RATES,
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


def language_code(value: Any) -> str:
    """``language_code`` → Sarvam's ``xx-IN`` code ("hi" → "hi-IN", "or" → "od-IN").

    Raises:
        FieldValueError: Bulbul does not speak it.
    """
    code = str(value).strip().replace("_", "-")
    primary = code.split("-", 1)[0].lower()
    for candidate in (code, primary, f"{primary}-IN"):
        if candidate in LANGUAGES:
            return candidate
        if candidate in LANGUAGE_ALIASES:
            return LANGUAGE_ALIASES[candidate]
    raise FieldValueError("language_code", value, "Bulbul speaks: " + ", ".join(LANGUAGES))


def _language(_request: Any, value: Any) -> str:
    if value is None:
        raise FieldValueError(
            "language_code",
            None,
            "Sarvam requires the language (target_language_code); set language_code to one "
            "of: " + ", ".join(LANGUAGES),
        )
    return language_code(value)


def _speaker(model: BulbulModel) -> Any:
    def convert(_request: Any, value: Any) -> str | None:
        if value is None:
            return None
        speaker = str(value).strip().lower()
        if not model.accepts_speaker(speaker):
            raise FieldValueError(
                "voice_id", value, f"{model.model} speakers: " + model.speakers_text()
            )
        return speaker

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


def _extra(name: str, check: Any, accepted: str) -> FieldMapper:
    def convert(_request: Any, extra: Any) -> Any:
        if not isinstance(extra, Mapping) or extra.get(name) is None:
            return None
        if not check(extra[name]):
            raise FieldValueError(f"extra_params[{name!r}]", extra[name], "accepted: " + accepted)
        return extra[name]

    return FieldMapper("extra_params", convert)


SPREAD = frozenset({"voice_settings", "output_format"})
"""Table entries whose converted dict is spread into the body's top level."""


def tts_fields(model: BulbulModel) -> dict[str, FieldMapper]:
    """The table of one Bulbul model: ``POST /text-to-speech`` JSON body."""
    table = {
        "text": FieldMapper("text", _text(model), required=True),
        "target_language_code": FieldMapper("language_code", _language),  # refuses None itself
        "speaker": FieldMapper("voice_id", _speaker(model)),
        "voice_settings": FieldMapper("voice_settings", _settings(model)),
        "output_format": FieldMapper("output_format", _output(model)),
    }
    if model.model == "bulbul:v2":
        table["enable_preprocessing"] = _extra(
            "enable_preprocessing", lambda v: isinstance(v, bool), "true or false"
        )
    else:
        table["dict_id"] = _extra(
            "dict_id", lambda v: isinstance(v, str) and v, "a pronunciation dictionary id"
        )
    return table


TABLES: dict[str, dict[str, FieldMapper]] = {m.model: tts_fields(m) for m in MODELS}


def extra_params_of(table: Mapping[str, FieldMapper]) -> list[str]:
    """The ``extra_params`` names a table reads."""
    return [name for name, mapper in table.items() if mapper.source_field == "extra_params"]


def map_request(
    model: str, request: Any, provider_config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Sarvam body of a tts request.

    ``provider_config["voice_id"]`` replaces ``request.voice_id`` for this config only.

    Raises:
        ValidationError: A model, speaker, language or value Sarvam does not accept.
    """
    if model not in BY_ID:
        raise ValidationError(
            f"model={model!r} is not a Sarvam TTS model; accepted: " + ", ".join(BY_ID)
        )
    table = TABLES[model]
    voice = (provider_config or {}).get("voice_id")
    if voice is not None:
        request = request.model_copy(update={"voice_id": voice})
    mapped = apply_field_mappers(table, request)
    body: dict[str, Any] = {"model": model}
    for name, value in mapped.items():
        if name in SPREAD:
            body.update(value)
        else:
            body[name] = value
    return body


def unsent_extra_params(model: str, request: Any) -> list[str]:
    """The ``extra_params`` keys the body leaves out (Sarvam refuses unknown fields)."""
    read = set(extra_params_of(TABLES.get(model, {})))
    return sorted(k for k, v in request.extra_params.items() if k not in read and v is not None)


__all__ = [
    "TABLES",
    "extra_params_of",
    "language_code",
    "map_request",
    "unsent_extra_params",
]
