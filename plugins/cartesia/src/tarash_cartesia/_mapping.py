"""Request → Cartesia payload: one field-mapper table per Sonic model, one for the voice changer.

tts payloads are the JSON body of ``POST /tts/bytes`` as it is sent. sts payloads keep
the nested ``voice`` / ``output_format`` objects; the submit flow flattens them into
Cartesia's multipart names (``voice[id]``, ``output_format[container]``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.plugin import is_url, to_bytes
from tarash.tarash_gateway.providers.field_mappers import (
    FieldMapper,
    FieldValueError,
    apply_field_mappers,
    passthrough_field_mapper,
)
from tarash_cartesia._formats import output_format
from tarash_cartesia._models import (
    EMOTIONS,
    GENERATION_RANGES,
    MODELS,
    SUNSET,
    VOICE_CHANGER,
    SonicModel,
    model_of,
)

MODEL_SPEEDS = ("slow", "normal", "fast")
CONSUMED_EXTRAS = frozenset({"encoding"})
"""``extra_params`` read into other fields, never sent as they are."""


# ---------------------------------------------------------------- converters
def _voice_id(_request: Any, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise FieldValueError("voice_id", value, "accepted: a Cartesia voice id (GET /voices)")
    return value.strip()


def _tts_voice(request: Any, value: Any) -> dict[str, str] | None:
    voice = _voice_id(request, value)
    return None if voice is None else {"mode": "id", "id": voice}


def _sts_voice(request: Any, value: Any) -> dict[str, str] | None:
    voice = _voice_id(request, value)
    return None if voice is None else {"id": voice}


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


def _extra(name: str, check: Any, accepted: str) -> FieldMapper:
    """Send ``extra_params[name]`` when present and ``check(value)`` accepts it."""

    def convert(_request: Any, extra: Any) -> Any:
        if not isinstance(extra, Mapping) or extra.get(name) is None:
            return None
        if not check(extra[name]):
            raise FieldValueError(f"extra_params[{name!r}]", extra[name], "accepted: " + accepted)
        return extra[name]

    return FieldMapper("extra_params", convert)


# ---------------------------------------------------------------- tables
def tts_fields(model: SonicModel) -> dict[str, FieldMapper]:
    """The table of one Sonic model: ``POST /tts/bytes`` JSON body."""
    return {
        "transcript": passthrough_field_mapper("text", required=True),
        "voice": FieldMapper("voice_id", _tts_voice, required=True),
        "output_format": FieldMapper("output_format", _output_format, required=True),
        "language": FieldMapper("language_code", _language(model)),
        "generation_config": FieldMapper("voice_settings", _generation_config(model)),
        "speed": _extra("speed", lambda v: v in MODEL_SPEEDS, ", ".join(map(repr, MODEL_SPEEDS))),
        "pronunciation_dict_id": _extra(
            "pronunciation_dict_id", lambda v: isinstance(v, str) and v, "a dictionary id"
        ),
        "save": _extra("save", lambda v: isinstance(v, bool), "true or false"),
    }


STS_FIELDS: dict[str, FieldMapper] = {
    "clip": FieldMapper("audio", _clip, required=True),
    "voice": FieldMapper("voice_id", _sts_voice, required=True),
    "output_format": FieldMapper("output_format", _output_format, required=True),
}
"""The voice changer: ``POST /voice-changer/bytes``, multipart."""

TTS_TABLES: dict[str, dict[str, FieldMapper]] = {m.ids[0]: tts_fields(m) for m in MODELS}
"""Base model id → table (what ``get_provider_field_mapping('cartesia')`` shows)."""


def extra_params_of(table: Mapping[str, FieldMapper]) -> list[str]:
    """The ``extra_params`` names a table reads."""
    names = [name for name, mapper in table.items() if mapper.source_field == "extra_params"]
    return names + sorted(CONSUMED_EXTRAS)


def map_request(
    modality: str, model: str, request: Any, provider_config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Cartesia payload of a tts or sts request.

    Documented ``extra_params`` are checked; other keys are sent as they are (tts)
    so a request shared by a fallback chain may carry another provider's parameters.
    ``provider_config["voice_id"]`` replaces ``request.voice_id`` for this config only.

    Raises:
        ValidationError: A model, value or combination Cartesia does not accept.
    """
    payload: dict[str, Any] = {}
    if modality == "sts":
        table = STS_FIELDS
    else:
        sonic = model_of(model)
        if model in SUNSET or sonic is None:
            known = ", ".join(m.ids[0] for m in MODELS)
            why = "was sunset by Cartesia on 2026-06-01" if model in SUNSET else "is not known"
            raise ValidationError(f"model={model!r} {why}; Cartesia TTS models: {known}")
        table, payload["model_id"] = TTS_TABLES[sonic.ids[0]], model
    payload.update(apply_field_mappers(table, request))
    voice = (provider_config or {}).get("voice_id")
    if voice is not None:
        try:
            payload["voice"] = (_sts_voice if modality == "sts" else _tts_voice)(request, voice)
        except FieldValueError as exc:
            raise ValidationError(f"provider_config['voice_id']: {exc}") from exc
    if modality != "sts":
        reserved = set(table) | {"model_id"} | CONSUMED_EXTRAS
        for name, value in request.extra_params.items():
            if name not in reserved and value is not None:
                payload[name] = value
    return payload


__all__ = ["STS_FIELDS", "TTS_TABLES", "VOICE_CHANGER", "extra_params_of", "map_request"]
