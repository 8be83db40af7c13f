"""Every family of every installed plugin: described, round-tripped, and validated by its data.

For each model ``list_models`` reports, ``describe_model`` round-trips to JSON,
every enumerated value it publishes is accepted by the plugin's own mapping, and
a value outside the published ones is refused before any request. New plugins
are covered as soon as they are installed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tarash.tarash_gateway import _plugins, describe_model, list_models
from tarash.tarash_gateway.capabilities import FieldCapability, ModelCapabilities
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import CONFIG_TYPES, REQUEST_TYPES

IMAGE = "https://example.com/frame.png"
VIDEO = "https://example.com/clip.mp4"
AUDIO = "https://example.com/voice.wav"
OUTSIDE = "zz-not-a-value"


def _providers() -> list[str]:
    return [name for name in _plugins.registry.names() if name != "mock"]


def _models() -> list[tuple[str, ModelCapabilities]]:
    return [(p, caps) for p in _providers() for caps in list_models(p)]


def _ids(cases: list[tuple[str, ModelCapabilities]]) -> list[str]:
    return [f"{p}:{caps.model}:{caps.modality}" for p, caps in cases]


CASES = _models()


def _base(caps: ModelCapabilities, fields: list[FieldCapability]) -> dict[str, Any]:
    """The smallest request the model takes: its required fields filled in."""
    values: dict[str, Any] = {}
    images: list[dict[str, Any]] = []
    modality = caps.modality
    if modality in ("video", "image"):
        values["prompt"] = "a fox"
    if modality == "tts":
        values["text"] = "hello"
    if modality == "sts":
        values["audio"] = AUDIO
    if modality in ("tts", "sts"):
        voice = next((f for f in fields if f.name == "voice_id"), None)
        values["voice_id"] = voice.values[0] if voice and voice.values else "voice"
    for field in fields:
        if not field.required or field.name in values:
            continue
        if field.name == "image_list":
            images.append({"image": IMAGE, "type": (field.roles or ["reference"])[0]})
        elif field.name == "video":
            values["video"] = VIDEO
        elif field.name == "mask_image":
            values["mask_image"] = IMAGE
        elif field.values:
            values[field.name] = field.values[0]
        elif field.name == "language_code":
            values[field.name] = "en"
    if images:
        values["image_list"] = images
    return values


def _map(provider: str, caps: ModelCapabilities, values: dict[str, Any]) -> dict[str, Any]:
    request = REQUEST_TYPES[caps.modality](**values)
    config = CONFIG_TYPES[caps.modality](
        provider=provider, model=caps.model, api_key="k", base_url="https://example.test/v1"
    )
    payload = _plugins.registry.providers[provider].call(
        "tarash_map_fields",
        provider=provider,
        model=caps.model,
        modality=caps.modality,
        request=request,
        config=config,
    )
    assert isinstance(payload, dict)
    return payload


def _variants(caps: ModelCapabilities) -> list[list[FieldCapability]]:
    return [variant.fields for variant in caps.variants] or [caps.fields]


def _enumerated(fields: list[FieldCapability]) -> list[FieldCapability]:
    standard = {"image_list", "video", "mask_image", "audio"}
    return [f for f in fields if f.values is not None and f.name not in standard]


def _set(values: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """``values`` with ``name`` set; dotted names reach into a dict or sub-model field."""
    if "." not in name:
        return {**values, name: value}
    field, key = name.split(".", 1)
    default: dict[str, Any] = {"format": "mp3"} if field == "output_format" else {}
    current = values.get(field) or default
    container = dict(current) if isinstance(current, dict) else current.model_dump()
    container[key] = value
    return {**values, field: container}


def test_every_plugin_lists_models() -> None:
    assert _providers(), "no provider plugin installed"
    for provider in _providers():
        assert list_models(provider), f"{provider} lists no models"


@pytest.mark.parametrize(("provider", "caps"), CASES, ids=_ids(CASES))
def test_description_round_trips_and_matches_describe_model(
    provider: str, caps: ModelCapabilities
) -> None:
    assert ModelCapabilities.model_validate_json(caps.model_dump_json()) == caps
    assert describe_model(provider, caps.model, caps.modality).family == caps.family


@pytest.mark.parametrize(("provider", "caps"), CASES, ids=_ids(CASES))
def test_every_published_value_is_accepted(provider: str, caps: ModelCapabilities) -> None:
    for fields in _variants(caps):
        base = _base(caps, fields)
        for field in _enumerated(fields):
            for value in field.values or []:
                values = _set(base, field.name, value)
                try:
                    _map(provider, caps, values)
                except ValidationError as exc:
                    # A combination rule may refuse it; the value itself must not be.
                    assert f"{field.name}={value!r} is not accepted" not in str(exc), (
                        f"{provider}/{caps.model}: published {field.name}={value!r} is refused"
                    )


@pytest.mark.parametrize(("provider", "caps"), CASES, ids=_ids(CASES))
def test_values_outside_the_published_ones_are_refused(
    provider: str, caps: ModelCapabilities
) -> None:
    for fields in _variants(caps):
        base = _base(caps, fields)
        for field in _enumerated(fields):
            values = field.values or []
            outside: Any = OUTSIDE
            if all(isinstance(v, int) and not isinstance(v, bool) for v in values) and values:
                outside = max(values) + 1
            try:
                request_values = _set(base, field.name, outside)
                REQUEST_TYPES[caps.modality](**request_values)
            except (ValidationError, ValueError):
                continue  # the request model itself refuses it: nothing can reach the plugin
            with pytest.raises(ValidationError):
                _map(provider, caps, request_values)
