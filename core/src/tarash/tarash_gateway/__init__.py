"""tarash: one Python API for AI media generation across hosted providers.

Importing this package discovers every installed provider plugin (entry-point
group ``tarash.providers``) without importing any of them; they are loaded
together the first time a provider is needed. A broken plugin is then reported
with one ``TarashPluginWarning`` and skipped. The public functions, and the
models and exceptions re-exported here as tarash-gateway 0.1 did, are imported on
first access, so ``import tarash.tarash_gateway`` stays cheap.
"""

# ruff: noqa: F405  (the api and jobs names of __all__ come from their modules' __all__)
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tarash.tarash_gateway import _plugins
from tarash.tarash_gateway._version import __version__
from tarash.tarash_gateway.hookspecs import hookimpl

if TYPE_CHECKING:
    from tarash.tarash_gateway._describe import describe_model, list_models
    from tarash.tarash_gateway._registry import unregister_provider
    from tarash.tarash_gateway._transport import configure_http
    from tarash.tarash_gateway.api import *  # noqa: F403
    from tarash.tarash_gateway.exceptions import (
        ContentModerationError,
        GenerationFailedError,
        HTTPConnectionError,
        HTTPError,
        MalformedResponseError,
        TarashException,
        TimeoutError,
        UnsupportedModalityError,
        ValidationError,
        WebhookVerificationError,
    )
    from tarash.tarash_gateway.jobs import *  # noqa: F403
    from tarash.tarash_gateway.models import (
        AspectRatio,
        AudioGenerationConfig,
        AudioOutputFormat,
        GenerationJob,
        ImageGenerationConfig,
        ImageGenerationRequest,
        ImageGenerationResponse,
        ImageGenerationUpdate,
        ImageType,
        Resolution,
        STSRequest,
        STSResponse,
        STSUpdate,
        TTSRequest,
        TTSResponse,
        TTSUpdate,
        VideoGenerationConfig,
        VideoGenerationRequest,
        VideoGenerationResponse,
        VideoGenerationUpdate,
        WebhookEvent,
        format_to_content_type,
    )
    from tarash.tarash_gateway.plugin import ProviderInfo
    from tarash.tarash_gateway.streaming import (
        stream_sts,
        stream_sts_async,
        stream_tts,
        stream_tts_async,
    )

__all__ = [
    "AspectRatio",
    "AudioGenerationConfig",
    "AudioOutputFormat",
    "ContentModerationError",
    "GenerationFailedError",
    "GenerationJob",
    "HTTPConnectionError",
    "HTTPError",
    "ImageGenerationConfig",
    "ImageGenerationRequest",
    "ImageGenerationResponse",
    "ImageGenerationUpdate",
    "ImageType",
    "MalformedResponseError",
    "Resolution",
    "STSRequest",
    "STSResponse",
    "STSUpdate",
    "TTSRequest",
    "TTSResponse",
    "TTSUpdate",
    "TarashException",
    "TimeoutError",
    "UnsupportedModalityError",
    "ValidationError",
    "VideoGenerationConfig",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "VideoGenerationUpdate",
    "WebhookEvent",
    "WebhookVerificationError",
    "__version__",
    "broken_plugins",
    "cancel_job",
    "cancel_job_async",
    "configure_http",
    "configure_jobs",
    "describe_model",
    "format_to_content_type",
    "generate_image",
    "generate_image_async",
    "generate_sts",
    "generate_sts_async",
    "generate_tts",
    "generate_tts_async",
    "generate_video",
    "generate_video_async",
    "get_job_status",
    "get_job_status_async",
    "get_provider_field_mapping",
    "hookimpl",
    "installed_providers",
    "list_models",
    "load_plugins",
    "parse_webhook",
    "parse_webhook_async",
    "register_provider",
    "register_provider_field_mapping",
    "stream_sts",
    "stream_sts_async",
    "stream_tts",
    "stream_tts_async",
    "submit_image",
    "submit_image_async",
    "submit_sts",
    "submit_sts_async",
    "submit_tts",
    "submit_tts_async",
    "submit_video",
    "submit_video_async",
    "unregister_provider",
    "wait_for_job",
    "wait_for_job_async",
]

# Where the names of __all__ not defined here live. The models, types and exceptions
# are re-exported as tarash-gateway 0.1 did; api, jobs and streaming are searched in
# this order (their own __all__ lists their names), the rest named one by one.
_HOMES = ("exceptions", "models", "api", "jobs", "streaming")
_ELSEWHERE = {
    "configure_http": "_transport",
    "describe_model": "_describe",
    "list_models": "_describe",
    "unregister_provider": "_registry",
}
_MISSING = object()


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first access."""
    if name in __all__:
        for module in (_ELSEWHERE[name],) if name in _ELSEWHERE else _HOMES:
            value = getattr(importlib.import_module(f"{__name__}.{module}"), name, _MISSING)
            if value is not _MISSING:
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_plugins() -> None:
    """Load every discovered plugin now (warnings for broken ones are emitted here).

    Loading otherwise happens on first use; call this at start-up to surface
    broken plugins early.
    """
    _plugins.registry.load_pending()


def installed_providers() -> dict[str, ProviderInfo]:
    """Provider id → ProviderInfo of every loaded plugin (broken ones: ``broken_plugins()``)."""
    return {name: lp.info for name, lp in sorted(_plugins.registry.providers.items())}


def broken_plugins() -> list[_plugins.BrokenPlugin]:
    """Plugins that failed to load, with their errors."""
    return list(_plugins.registry.broken)


_plugins.registry.discover()
