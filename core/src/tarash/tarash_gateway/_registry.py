"""What users register at run time: provider handlers and field-mapping overrides."""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any

from tarash.tarash_gateway._plugins import registry as plugin_registry
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import MODALITIES
from tarash.tarash_gateway.providers.field_mappers import (
    FieldMapper,
    get_field_mappers_from_registry,
)

# Copy-on-write: registration builds new dicts under the lock and swaps them in, so
# a generate call on another thread reads (and iterates) a snapshot, lock-free.
_lock = threading.Lock()
_handlers: dict[str, Any] = {}
_field_mappings: dict[str, dict[str, dict[str, FieldMapper]]] = {}


def register_provider(provider: str, handler: Any) -> None:
    """Register a custom provider handler.

    The handler implements any of ``generate_video`` / ``generate_video_async``,
    ``generate_image`` / ``generate_image_async``, ``generate_tts`` /
    ``generate_tts_async`` and ``generate_sts`` / ``generate_sts_async``; it is
    used for every later call whose config names ``provider`` and takes part in
    fallback chains like any plugin. A handler replaces a plugin of the same name.

    Args:
        provider: Provider id used in configs.
        handler: The handler object (see ``ProviderHandler``).

    Raises:
        ValidationError: The handler implements none of the generate methods.
    """
    if not handler_modalities(handler):
        raise ValidationError(
            f"handler for provider {provider!r} implements none of "
            + ", ".join(f"generate_{m}[_async]" for m in MODALITIES)
        )
    global _handlers
    with _lock:
        _handlers = {**_handlers, provider: handler}


def unregister_provider(provider: str) -> None:
    """Remove a handler added with :func:`register_provider` (no error if absent)."""
    global _handlers
    with _lock:
        _handlers = {name: h for name, h in _handlers.items() if name != provider}


def handler_for(provider: str) -> Any | None:
    """Return the registered handler of ``provider``, if any."""
    return _handlers.get(provider)


def handler_modalities(handler: Any) -> list[str]:
    """Modalities a handler serves (it has the sync or the async method)."""
    return [
        m
        for m in MODALITIES
        if callable(getattr(handler, f"generate_{m}", None))
        or callable(getattr(handler, f"generate_{m}_async", None))
    ]


def register_provider_field_mapping(
    provider: str, model_mappings: dict[str, dict[str, FieldMapper]]
) -> None:
    """Register field mappings for a provider's models.

    Keys are model ids or prefixes; a model uses the longest key it starts with.
    These mappings take precedence over the plugin's own for matching models,
    built-in providers included.

    Args:
        provider: Provider id (e.g. ``"fal"``).
        model_mappings: Model id or prefix → ``{api_field: FieldMapper}``.
    """
    for prefix, mappers in model_mappings.items():
        bad = [name for name, m in mappers.items() if not isinstance(m, FieldMapper)]
        if bad:
            raise ValidationError(
                f"field mapping for {provider!r}/{prefix!r}: {', '.join(bad)} "
                "must be FieldMapper instances"
            )
    global _field_mappings
    with _lock:
        table = {**_field_mappings.get(provider, {}), **model_mappings}
        _field_mappings = {**_field_mappings, provider: table}


def get_provider_field_mapping(provider: str) -> dict[str, dict[str, FieldMapper]] | None:
    """Return model prefix → field mappers for ``provider`` (plugin's, then user's).

    Returns None when neither the plugin nor the user registered any.
    """
    loaded = plugin_registry.provider(provider)
    merged: dict[str, dict[str, FieldMapper]] = dict(loaded.info.field_mappings) if loaded else {}
    merged.update(_field_mappings.get(provider, {}))
    return merged or None


user_mappings_applied: ContextVar[bool] = ContextVar("tarash_user_mappings_applied", default=False)
"""Set by a plugin's mapping that applied the user's mappings inside its own table
(``ProviderPlugin.map_fields``): the core then does not lay them over the payload."""


def user_field_mappers(provider: str, model: str) -> dict[str, FieldMapper] | None:
    """The user's mappers for ``model`` (longest matching prefix), if any."""
    table = _field_mappings.get(provider)
    if not table:
        return None
    return get_field_mappers_from_registry(model, table)
