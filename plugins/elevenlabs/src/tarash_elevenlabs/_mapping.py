"""Request → ElevenLabs payload: the field-mapper tables of tts and sts.

A payload is flat and keyed by ElevenLabs' own names. The flows split it:
``voice_id`` goes into the path, ``output_format`` / ``enable_logging`` /
``optimize_streaming_latency`` into the query string, ``audio`` is the uploaded
file (sts), and everything else is the JSON body (tts) or multipart fields (sts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.plugin import is_url, to_bytes
from tarash.tarash_gateway.providers.field_mappers import (
    Accepts,
    FieldMapper,
    FieldValueError,
    apply_field_mappers,
    passthrough_field_mapper,
)
from tarash_elevenlabs._formats import OFFERED, OFFERED_NAMES, output_format_converter

QUERY_FIELDS = ("output_format", "enable_logging", "optimize_streaming_latency")
UPLOAD_FIELD = "audio"

SEED_MAX = 4294967295
MAX_REQUEST_IDS = 3
MAX_DICTIONARIES = 3

# name → (low, high) for numbers, or bool
VOICE_SETTINGS: dict[str, tuple[float, float] | type[bool]] = {
    "stability": (0.0, 1.0),
    "similarity_boost": (0.0, 1.0),
    "style": (0.0, 1.0),
    "use_speaker_boost": bool,
    "speed": (0.7, 1.2),
}


# ---------------------------------------------------------------- converters
def _voice_id(_request: Any, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise FieldValueError(
            "voice_id", value, "accepted: an ElevenLabs voice id (GET /v1/voices)"
        )
    return value.strip()


def _voice_settings(_request: Any, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise FieldValueError("voice_settings", value, "accepted: a dict of " + _settings_text())
    settings: dict[str, Any] = {}
    for key, setting in value.items():
        rule = VOICE_SETTINGS.get(key)
        field = f"voice_settings.{key}"
        if rule is None:
            raise FieldValueError(field, setting, "accepted keys: " + _settings_text())
        if setting is None:
            continue
        if rule is bool:
            if not isinstance(setting, bool):
                raise FieldValueError(field, setting, "accepted: true or false")
        else:
            low, high = rule  # type: ignore[misc]
            if isinstance(setting, bool) or not isinstance(setting, int | float):
                raise FieldValueError(field, setting, f"accepted: a number from {low} to {high}")
            if not low <= setting <= high:
                raise FieldValueError(field, setting, f"accepted: a number from {low} to {high}")
        settings[key] = setting
    return settings


def _settings_text() -> str:
    return ", ".join(
        f"{name} (true/false)" if rule is bool else f"{name} ({rule[0]}-{rule[1]})"  # type: ignore[index]
        for name, rule in VOICE_SETTINGS.items()
    )


def _source_audio(_request: Any, value: Any) -> str | dict[str, Any] | None:
    """A URL stays a URL (the submit flow downloads it); inline audio becomes bytes."""
    if value is None:
        return None
    if is_url(value):
        return str(value)
    content, content_type = to_bytes(value, "application/octet-stream")
    if not content:
        raise FieldValueError("audio", "<empty>", "accepted: non-empty audio")
    return {"content": content, "content_type": content_type}


# ---------------------------------------------------------------- extra_params mappers
def _extra(name: str, check: Any, accepted: str, accepts: Accepts | None = None) -> FieldMapper:
    """Send ``extra_params[name]`` when present and ``check(value)`` accepts it.

    ``accepts`` publishes what is accepted (describe_model); without it, ``accepted``.
    """
    field = f"extra_params.{name}"

    def convert(_request: Any, extra: Any) -> Any:
        if not isinstance(extra, Mapping) or extra.get(name) is None:
            return None
        value = extra[name]
        if not check(value):
            raise FieldValueError(field, value, "accepted: " + accepted)
        return value

    published = accepts or Accepts(note=accepted)
    return FieldMapper("extra_params", convert, also_reads=((f"extra_params.{name}", published),))


def _int_in(low: int, high: int) -> Any:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _ids(limit: int) -> Any:
    return lambda v: (
        isinstance(v, Sequence)
        and not isinstance(v, str)
        and len(v) <= limit
        and all(isinstance(i, str) and i for i in v)
    )


def _locators(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) <= MAX_DICTIONARIES
        and all(
            isinstance(item, Mapping)
            and isinstance(item.get("pronunciation_dictionary_id"), str)
            and set(item) <= {"pronunciation_dictionary_id", "version_id"}
            for item in value
        )
    )


_BOOL = Accepts(values=(True, False))

_QUERY_EXTRAS: dict[str, FieldMapper] = {
    "enable_logging": _extra(
        "enable_logging", _is_bool, "true or false (false = zero retention)", _BOOL
    ),
    "optimize_streaming_latency": _extra(
        "optimize_streaming_latency", _int_in(0, 4), "0 to 4", Accepts.range(0, 4, 1)
    ),
}
_SEED = _extra(
    "seed", _int_in(0, SEED_MAX), f"an integer from 0 to {SEED_MAX}", Accepts.range(0, SEED_MAX, 1)
)

# ---------------------------------------------------------------- tables
_VOICE_ID = FieldMapper(
    "voice_id",
    _voice_id,
    required=True,
    accepts=Accepts(note="an ElevenLabs voice id (GET /v1/voices)"),
)
_OUTPUT_FORMAT = FieldMapper(
    "output_format",
    output_format_converter,
    accepts=Accepts(note="ElevenLabs offers: " + ", ".join(OFFERED_NAMES)),
    also_reads=(("output_format.format", Accepts(values=tuple(OFFERED), ignore_case=True)),),
)
_VOICE_SETTINGS = FieldMapper(
    "voice_settings",
    _voice_settings,
    also_reads=tuple(
        (f"voice_settings.{name}", _BOOL if rule is bool else Accepts.range(*rule))  # type: ignore[misc]
        for name, rule in VOICE_SETTINGS.items()
    ),
)
TTS_FIELDS: dict[str, FieldMapper] = {
    "voice_id": _VOICE_ID,
    "output_format": _OUTPUT_FORMAT,
    **_QUERY_EXTRAS,
    "text": passthrough_field_mapper("text", required=True),
    "language_code": passthrough_field_mapper("language_code"),
    "voice_settings": _VOICE_SETTINGS,
    "seed": _SEED,
    "previous_text": _extra("previous_text", _is_text, "a string"),
    "next_text": _extra("next_text", _is_text, "a string"),
    "previous_request_ids": _extra(
        "previous_request_ids", _ids(MAX_REQUEST_IDS), f"a list of at most {MAX_REQUEST_IDS} ids"
    ),
    "next_request_ids": _extra(
        "next_request_ids", _ids(MAX_REQUEST_IDS), f"a list of at most {MAX_REQUEST_IDS} ids"
    ),
    "pronunciation_dictionary_locators": _extra(
        "pronunciation_dictionary_locators",
        _locators,
        f"a list of at most {MAX_DICTIONARIES} "
        "{'pronunciation_dictionary_id': ..., 'version_id': ...} dicts",
    ),
    "apply_text_normalization": _extra(
        "apply_text_normalization",
        lambda v: v in ("auto", "on", "off"),
        "'auto', 'on', 'off'",
        Accepts(values=("auto", "on", "off")),
    ),
    "apply_language_text_normalization": _extra(
        "apply_language_text_normalization", _is_bool, "true or false", _BOOL
    ),
}
"""text-to-speech: ``POST /v1/text-to-speech/{voice_id}`` with a JSON body."""

STS_FIELDS: dict[str, FieldMapper] = {
    "voice_id": _VOICE_ID,
    "output_format": _OUTPUT_FORMAT,
    **_QUERY_EXTRAS,
    "audio": FieldMapper("audio", _source_audio, required=True),
    "voice_settings": _VOICE_SETTINGS,
    "seed": _SEED,
    "remove_background_noise": _extra("remove_background_noise", _is_bool, "true or false", _BOOL),
    "file_format": _extra(
        "file_format",
        lambda v: v in ("pcm_s16le_16", "other"),
        "'pcm_s16le_16', 'other'",
        Accepts(values=("pcm_s16le_16", "other")),
    ),
}
"""speech-to-speech: ``POST /v1/speech-to-speech/{voice_id}`` with a multipart body."""

FIELDS = {"tts": TTS_FIELDS, "sts": STS_FIELDS}


def extra_params_of(table: Mapping[str, FieldMapper]) -> list[str]:
    """The ``extra_params`` names a table reads."""
    return [name for name, mapper in table.items() if mapper.source_field == "extra_params"]


def map_request(
    modality: str, model: str, request: Any, provider_config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the ElevenLabs payload of a tts or sts request.

    ``extra_params`` that ElevenLabs documents are checked; other keys are sent
    as they are (ElevenLabs ignores fields it does not know), so a request shared
    by a fallback chain may carry another provider's parameters.
    ``provider_config["voice_id"]`` replaces ``request.voice_id`` for this config
    only (voice ids differ between providers of a chain).

    Raises:
        ValidationError: A value ElevenLabs does not accept.
    """
    table = FIELDS.get(modality)
    if table is None:
        raise ValidationError(f"ElevenLabs does not generate {modality}; it offers tts and sts")
    payload: dict[str, Any] = {"model_id": model, **apply_field_mappers(table, request)}
    voice = (provider_config or {}).get("voice_id")
    if voice is not None:
        try:
            payload["voice_id"] = _voice_id(request, voice)
        except FieldValueError as exc:
            raise ValidationError(f"provider_config['voice_id']: {exc}") from exc
    reserved = set(table) | {"model_id"}
    for name, value in request.extra_params.items():
        if name not in reserved and value is not None:
            payload[name] = value
    return payload
