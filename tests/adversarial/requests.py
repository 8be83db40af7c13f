"""What the adversarial mapping tests walk: every installed provider, model and enumerated value.

Written against the installed plugins (entry points), so a new plugin is
covered by installing it: nothing here names a provider.
"""

from __future__ import annotations

import typing
from typing import Any

from tarash.tarash_gateway import _chain, _plugins, list_models
from tarash.tarash_gateway.exceptions import TarashException, ValidationError
from tarash.tarash_gateway.models import CONFIG_TYPES, REQUEST_TYPES

KEY = "sk-adversarial-mapping-key"
BASE: dict[str, dict[str, Any]] = {
    "video": {"prompt": "a cat on a skateboard"},
    "image": {"prompt": "a cat on a skateboard"},
    "tts": {"text": "Hello there.", "voice_id": "voice"},
    "sts": {"audio": b"RIFF\x00\x00\x00\x00WAVEfmt ", "voice_id": "voice"},
}
"""The smallest request of each modality."""
CONFIG = {"api_version": "2025-04-01-preview", "timeout": 30}
UNKNOWN_MODEL = "tarash-walk-unknown-model"


def targets() -> list[tuple[str, str, str]]:
    """(provider, modality, model) for every model every installed plugin declares."""
    found: set[tuple[str, str, str]] = set()
    for name, loaded in sorted(_plugins.registry.providers.items()):
        for modality, model in loaded.info.default_models.items():
            found.add((name, modality, model))
        for caps in list_models(name):
            found.add((name, caps.modality, caps.model))
    for name, modality in {(name, modality) for name, modality, _ in found}:
        found.add(
            (name, modality, UNKNOWN_MODEL)
        )  # the plugin's path for models it has no table for
    return sorted(found)


def provider_modalities() -> list[tuple[str, str]]:
    """(provider, modality) pairs of the installed plugins."""
    return sorted({(provider, modality) for provider, modality, _ in targets()})


def enumerated_fields(modality: str) -> dict[str, list[Any]]:
    """Request field → every value its type enumerates (Literal values, True/False)."""
    fields: dict[str, list[Any]] = {}
    for name, info in REQUEST_TYPES[modality].model_fields.items():
        values = _values(info.annotation)
        if values:
            fields[name] = values
    return fields


def _values(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if annotation is bool:
        return [True, False]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return [v for arg in typing.get_args(annotation) for v in _values(arg)]
    return []


def resolve(provider: str, modality: str, model: str, fields: dict[str, Any]) -> Any:
    """The request mapped for ``provider`` (a Link), before any network call.

    Raises ValidationError for refused input; anything else is a defect.
    """
    config = CONFIG_TYPES[modality](
        provider=provider, model=model, api_key=KEY, base_url="http://127.0.0.1:9", **CONFIG
    )
    request = REQUEST_TYPES[modality](**{**BASE[modality], **fields})
    return _chain.resolve_chain(modality, config, request)[0]


def outcome(provider: str, modality: str, model: str, fields: dict[str, Any]) -> str:
    """``mapped``, ``refused`` (ValidationError) or ``skipped`` (model lacks the modality).

    Any other exception propagates: the test fails naming it.
    """
    try:
        link = resolve(provider, modality, model, fields)
    except ValidationError:
        return "refused"
    except TarashException as exc:
        raise AssertionError(
            f"{provider}/{model} {modality} {fields!r}: {type(exc).__name__}, "
            f"not a ValidationError: {exc.message}"
        ) from exc
    return "skipped" if link.skip is not None else "mapped"
