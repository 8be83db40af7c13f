"""Asking an installed plugin for its payload the way the core does (exact-payload tests).

::

    assert mapped("acme", "acme-1", VideoGenerationRequest(prompt="fox")) == {...}
    message = refused("acme", "acme-1", VideoGenerationRequest(prompt="fox", duration_seconds=7),
                      "duration_seconds=7", "accepted: 5, 10")
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway import _plugins
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import CONFIG_TYPES, MODALITIES, REQUEST_TYPES, Modality

__all__ = ["mapped", "modality_of", "refused"]


def modality_of(request: Any) -> Modality:
    """The modality whose request type ``request`` is (``TTSRequest`` → ``"tts"``, ...)."""
    for modality in MODALITIES:
        if type(request) is REQUEST_TYPES[modality]:
            return modality
    raise TypeError(f"{type(request).__name__} is not a tarash request type")


def mapped(provider: str, model: str, request: Any, **config: Any) -> Any:
    """The payload ``provider``'s plugin maps ``request`` to, through its ``tarash_map_fields``.

    The plugin is the one registered for ``provider`` (installed through its entry
    point). It is called as the core calls it: with the request's modality and a
    config of ``provider`` and ``model`` that also holds ``config`` (its other fields,
    e.g. ``provider_config``). Bad input raises the plugin's ``ValidationError``.
    """
    modality = modality_of(request)
    return _plugins.registry.providers[provider].call(
        "tarash_map_fields",
        provider=provider,
        model=model,
        modality=modality,
        request=request,
        config=CONFIG_TYPES[modality](provider=provider, model=model, **config),
    )


def refused(provider: str, model: str, request: Any, *needles: str, **config: Any) -> str:
    """Assert :func:`mapped` refuses ``request`` with a ValidationError naming every needle.

    Returns the error's message, for further checks. Raises AssertionError when the
    request maps, or when a needle is missing from the message.
    """
    try:
        payload = mapped(provider, model, request, **config)
    except ValidationError as error:
        message = str(error)
    else:
        raise AssertionError(f"{provider}/{model} accepted the request, mapped to {payload!r}")
    for needle in needles:
        assert needle in message, message
    return message
