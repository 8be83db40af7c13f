"""Calling the public API against a fake server: configs aimed at it, sync or async drivers.

::

    config = config_for(server, "acme", "video", model="acme-1", api_key=KEY)
    response = generate("async", "video", config, VideoGenerationRequest(prompt="fox"))
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal, overload

from tarash.tarash_gateway import api
from tarash.tarash_gateway.models import (
    CONFIG_TYPES,
    AudioGenerationConfig,
    ImageGenerationConfig,
    Modality,
    VideoGenerationConfig,
)
from tarash.tarash_gateway.testing.fake_server import FakeServer

__all__ = ["DRIVERS", "FAST_POLLING", "Driver", "config_for", "generate"]

Driver = Literal["sync", "async"]
"""How :func:`generate` calls the public API: ``generate_*`` or ``generate_*_async``."""

DRIVERS: tuple[Driver, Driver] = ("sync", "async")
"""Both drivers, for ``pytest.mark.parametrize("driver", DRIVERS)``."""

FAST_POLLING: dict[str, Any] = {"poll_interval": 0.01, "timeout": 10}
"""What :func:`config_for` sets unless overridden: polls 10 ms apart, a 10 s timeout
(``timeout=None``: the config type's default)."""


@overload
def config_for(
    server: FakeServer,
    provider: str,
    modality: Literal["video"],
    /,
    *,
    base_path: str = "",
    timeout: float | None = 10,
    **overrides: Any,
) -> VideoGenerationConfig: ...


@overload
def config_for(
    server: FakeServer,
    provider: str,
    modality: Literal["image"],
    /,
    *,
    base_path: str = "",
    timeout: float | None = 10,
    **overrides: Any,
) -> ImageGenerationConfig: ...


@overload
def config_for(
    server: FakeServer,
    provider: str,
    modality: Literal["tts", "sts"],
    /,
    *,
    base_path: str = "",
    timeout: float | None = 10,
    **overrides: Any,
) -> AudioGenerationConfig: ...


@overload
def config_for(
    server: FakeServer,
    provider: str,
    modality: Modality,
    /,
    *,
    base_path: str = "",
    timeout: float | None = 10,
    **overrides: Any,
) -> Any: ...


def config_for(
    server: FakeServer,
    provider: str,
    modality: Modality,
    /,
    *,
    base_path: str = "",
    timeout: float | None = 10,
    **overrides: Any,
) -> Any:
    """The config of ``provider`` for ``modality`` that talks to the running ``server``.

    ``base_url`` is ``server.url + base_path`` (``base_path="/v1"`` for an API whose
    official base URL ends in a version); :data:`FAST_POLLING` comes next, then
    ``overrides`` (``model``, ``api_key``, ``provider_config``, ... — any field of
    the modality's config type, which validates them as usual; a ``provider`` or
    ``base_url`` among them wins too). ``timeout`` is 10 s unless given; None
    leaves the config type's own default (240 s for speech): for a stream, which
    polls nothing and whose length a test does not bound.
    """
    values: dict[str, Any] = {
        "provider": provider,
        "base_url": server.url + base_path,
        **FAST_POLLING,
        "timeout": timeout,
        **overrides,
    }
    if timeout is None:
        del values["timeout"]
    return CONFIG_TYPES[modality](**values)


def generate(
    driver: Driver,
    modality: Modality,
    config: Any,
    request: Any,
    on_progress: Callable[[Any], Any] | None = None,
) -> Any:
    """Call ``generate_<modality>`` (``driver="sync"``) or run ``generate_<modality>_async``.

    The async driver runs the call in a fresh event loop (``asyncio.run``), as an
    application's ``main`` would.
    """
    if driver == "sync":
        return getattr(api, f"generate_{modality}")(config, request, on_progress)
    coroutine = getattr(api, f"generate_{modality}_async")(config, request, on_progress)
    return asyncio.run(coroutine)
