"""tarash: one Python API for AI media generation across hosted providers.

Importing this package discovers every installed provider plugin (entry-point
group ``tarash.providers``); a broken plugin is reported with a warning and
skipped.
"""

from tarash.tarash_gateway import _plugins
from tarash.tarash_gateway._registry import unregister_provider
from tarash.tarash_gateway._transport import configure_http
from tarash.tarash_gateway._version import __version__
from tarash.tarash_gateway.api import (
    generate_image,
    generate_image_async,
    generate_sts,
    generate_sts_async,
    generate_tts,
    generate_tts_async,
    generate_video,
    generate_video_async,
    get_provider_field_mapping,
    register_provider,
    register_provider_field_mapping,
)
from tarash.tarash_gateway.hookspecs import hookimpl
from tarash.tarash_gateway.plugin import ProviderInfo

__all__ = [
    "__version__",
    "broken_plugins",
    "configure_http",
    "generate_image",
    "generate_image_async",
    "generate_sts",
    "generate_sts_async",
    "generate_tts",
    "generate_tts_async",
    "generate_video",
    "generate_video_async",
    "get_provider_field_mapping",
    "hookimpl",
    "installed_providers",
    "register_provider",
    "register_provider_field_mapping",
    "unregister_provider",
]


def installed_providers() -> dict[str, ProviderInfo]:
    """Provider id → ProviderInfo of every loaded plugin (broken ones: ``broken_plugins()``)."""
    return {name: lp.info for name, lp in sorted(_plugins.registry.providers.items())}


def broken_plugins() -> list[_plugins.BrokenPlugin]:
    """Plugins that failed to load, with their errors."""
    return list(_plugins.registry.broken)


_plugins.registry.load_entry_points()
