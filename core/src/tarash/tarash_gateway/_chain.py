"""Resolving a config (and its fallbacks) into the links of a chain, before any I/O.

Every link is checked up front: unknown providers, missing keys, missing
base URLs and bad input raise ValidationError here, so a mistake in a fallback
config surfaces at once rather than when the primary provider fails. A model
that cannot produce the modality becomes a *skipped* link.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from tarash.tarash_gateway._media_check import check_request_media
from tarash.tarash_gateway._plugin_types import ProviderInfo
from tarash.tarash_gateway._plugins import LoadedProvider, install_hint
from tarash.tarash_gateway._plugins import registry as plugin_registry
from tarash.tarash_gateway._redact import redact_url
from tarash.tarash_gateway._registry import (
    handler_for,
    handler_modalities,
    user_field_mappers,
    user_mappings_applied,
)
from tarash.tarash_gateway._validation import did_you_mean, warn_user
from tarash.tarash_gateway.exceptions import (
    TarashException,
    UnsupportedModalityError,
    ValidationError,
)
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.providers.field_mappers import (
    adjustments_var,
    apply_field_mappers,
    media_route_var,
)

MOCK_PROVIDER = "mock"


@dataclass
class Link:
    """One config of the chain, resolved."""

    config: GenerationConfig
    provider: str
    model: str
    loaded: LoadedProvider | None = None
    handler: Any | None = None
    api_key: str | None = None
    base_url: str = ""
    payload: dict[str, Any] | None = None
    skip: UnsupportedModalityError | None = None
    adjustments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_mock(self) -> bool:
        """True when the mock provider serves this link."""
        return self.provider == MOCK_PROVIDER


def flatten(config: GenerationConfig) -> list[GenerationConfig]:
    """The config followed by its fallbacks, depth-first."""
    chain: list[GenerationConfig] = [config]
    for fallback in config.fallback_configs or []:
        chain.extend(flatten(fallback))
    return chain


def resolve_chain(
    modality: Modality, config: GenerationConfig, request: GenerationRequest
) -> list[Link]:
    """Resolve every config of the chain; raise for the first real mistake."""
    check_extra_params(request)
    try:
        check_request_media(request)
    except ValidationError as exc:
        exc.provider, exc.model = config.provider, config.model
        raise
    links = [resolve(modality, cfg, request) for cfg in flatten(config)]
    if all(link.skip is not None for link in links):
        first = links[0].skip
        assert first is not None
        raise first
    return links


def resolve(modality: Modality, config: GenerationConfig, request: GenerationRequest) -> Link:
    """Resolve one config into a link (provider, model, key, base URL, payload)."""
    mocked = config.mock is not None and config.mock.enabled
    # config.mock on a real provider's config: that plugin checks and maps, the mock answers.
    real = plugin_registry.provider(config.provider) if mocked else None
    provider = MOCK_PROVIDER if mocked else config.provider
    handler = None if mocked else handler_for(provider)
    if handler is not None:
        link = Link(config=config, provider=provider, model=config.model or "", handler=handler)
        if modality not in handler_modalities(handler):
            link.skip = UnsupportedModalityError(
                f"the handler registered for {provider!r} has no generate_{modality} method",
                provider=provider,
                model=config.model,
            )
        return link

    loaded = provider_or_error(provider)
    checker = real or loaded
    named = checker.info.name
    info = checker.info
    model = config.model or info.default_models.get(modality)
    if not model:
        raise ValidationError(
            f"config.model is required: provider {named!r} has no default {modality} model",
            provider=named,
        )
    _check_provider_config(config, info)
    link = Link(config=config, provider=provider, model=model, loaded=loaded)
    supported = checker.call(
        "tarash_supports_modality", provider=named, model=model, modality=modality
    )
    if not supported:
        offers = ", ".join(info.modalities)
        link.skip = UnsupportedModalityError(
            f"model {model!r} of provider {named!r} does not support {modality} "
            f"(the provider offers: {offers})",
            provider=named,
            model=model,
        )
        return link
    if real is not None and real is not loaded:
        # No key and no base URL needed: nothing is sent. The payload is the plugin's own.
        link.base_url = loaded.info.default_base_url or "http://mock.invalid"
        checked = Link(config=config, provider=named, model=model, loaded=real)
        link.payload = map_fields(checked, modality, request)
        return link

    if config.webhook_url and loaded.call("tarash_webhook_verifier", provider=provider) is None:
        raise ValidationError(
            f"config.webhook_url: provider {provider!r} has no webhooks; "
            "remove webhook_url or poll the job (get_job_status / wait_for_job)",
            provider=provider,
            model=model,
        )
    _credentials(link)
    link.payload = map_fields(link, modality, request)
    return link


def resolve_for_job(config: GenerationConfig, provider: str, model: str) -> Link:
    """A link that can poll, fetch and cancel an existing job of ``provider``.

    Like :func:`resolve` without the request: the config gives the key and base URL.
    """
    mocked = config.mock is not None and config.mock.enabled
    actual = MOCK_PROVIDER if mocked else config.provider
    if actual != provider:
        raise ValidationError(
            f"the job belongs to provider {provider!r}, the config is for {actual!r}",
            provider=provider,
        )
    loaded = plugin_registry.providers.get(provider)
    if loaded is None:
        installed = ", ".join(plugin_registry.names()) or "none"
        raise ValidationError(
            f"unknown provider {provider!r}. Installed providers: {installed}. "
            + install_hint(provider),
            provider=provider,
        )
    link = Link(config=config, provider=provider, model=model, loaded=loaded)
    _credentials(link)
    return link


def _credentials(link: Link) -> None:
    """Fill the link's API key and base URL from its config (or the environment)."""
    assert link.loaded is not None
    info, config, provider, model = link.loaded.info, link.config, link.provider, link.model
    link.api_key = _api_key(config, info.api_key_env)
    if info.requires_api_key and not link.api_key:
        env = " or ".join(info.api_key_env) or "the provider's key variable"
        raise ValidationError(
            f"no API key for provider {provider!r}: pass api_key= in the config or set {env}",
            provider=provider,
            model=model,
        )
    base_url = config.base_url or info.default_base_url
    if not base_url:
        raise ValidationError(
            f"config.base_url is required for provider {provider!r}", provider=provider, model=model
        )
    if not base_url.startswith(("http://", "https://")):
        raise ValidationError(
            f"config.base_url={redact_url(base_url)!r} is not an http(s) URL",
            provider=provider,
            model=model,
        )
    link.base_url = base_url


def map_fields(link: Link, modality: Modality, request: GenerationRequest) -> dict[str, Any]:
    """The provider payload: the plugin's, with the user's mapped fields over it.

    A user mapping (``register_provider_field_mapping``) overrides or adds only
    the API fields it names; everything else the plugin sends (fixed fields,
    ``extra_params``) still goes out. Catalog-based plugins apply the override
    inside their table, so their own checks see it too. Adjustments a mapping
    made (``Adjusted``) are recorded on ``link.adjustments``.
    """
    assert link.loaded is not None
    adjustments: list[dict[str, Any]] = []
    token = adjustments_var.set(adjustments)
    applied = user_mappings_applied.set(False)
    route = media_route_var.set((link.model, upload_threshold(link.config, link.loaded.info)))
    try:
        payload = link.loaded.call(
            "tarash_map_fields",
            provider=link.provider,
            model=link.model,
            modality=modality,
            request=request,
            config=link.config,
        )
        mappers = user_field_mappers(link.provider, link.model)
        if mappers is not None and isinstance(payload, dict) and not user_mappings_applied.get():
            payload.update(apply_field_mappers(mappers, request, refuse_unsent=False))
    except TarashException as exc:
        exc.provider = exc.provider or link.provider
        exc.model = exc.model or link.model
        raise
    finally:
        media_route_var.reset(route)
        user_mappings_applied.reset(applied)
        adjustments_var.reset(token)
    if not isinstance(payload, dict):
        raise TarashException(
            f"plugin {link.loaded.plugin_name!r} returned no payload from tarash_map_fields",
            provider=link.provider,
            model=link.model,
        )
    link.adjustments = _unique(adjustments)
    return payload


def upload_threshold(config: GenerationConfig, info: ProviderInfo) -> int | None:
    """Inline media larger than this the plugin uploads: the user's override, else the plugin's."""
    value = config.provider_config.get("upload_threshold_bytes", info.upload_threshold_bytes)
    if info.upload_threshold_bytes is None or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            f"provider_config['upload_threshold_bytes']={value!r} is not accepted; "
            "accepted: a number of bytes"
        ) from None


def _unique(adjustments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    unique: list[dict[str, Any]] = []
    for item in adjustments:
        if item not in unique:
            unique.append(item)
    return unique


def provider_or_error(provider: str) -> LoadedProvider:
    """The loaded plugin owning ``provider``, or a ValidationError naming the installed ones."""
    loaded = plugin_registry.provider(provider)
    if loaded is None:
        installed = ", ".join(plugin_registry.names()) or "none"
        raise ValidationError(
            f"Unsupported provider: unknown provider {provider!r}. "
            f"Installed providers: {installed}. " + install_hint(provider),
            provider=provider,
        )
    return loaded


def check_extra_params(request: GenerationRequest) -> None:
    """Refuse ``extra_params`` values that cannot go into a JSON body (before any request)."""
    for name, value in request.extra_params.items():
        try:
            json.dumps(value, ensure_ascii=False, allow_nan=False).encode()
        except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as exc:
            problem = str(exc).split(":")[0] if isinstance(exc, UnicodeEncodeError) else exc
            raise ValidationError(
                f"extra_params[{name!r}] is not JSON-serialisable ({type(exc).__name__}: "
                f"{problem}); extra parameters go into the provider's JSON body"
            ) from None


def _api_key(config: GenerationConfig, env_names: list[str]) -> str | None:
    """The key from the config, else from the environment, without surrounding whitespace.

    A key read from a file often ends in a newline; other control characters are
    refused naming where the key came from, never the key itself.
    """
    source, key = "config.api_key", config.api_key
    if not key:
        source, key = next(
            ((f"${name}", os.environ[name]) for name in env_names if os.environ.get(name)),
            ("", None),
        )
    if key is None:
        return None
    key = key.strip()
    if any(ord(char) < 32 or ord(char) == 127 for char in key):
        raise ValidationError(
            f"{source} contains control characters (a key is one line of printable text)",
            provider=config.provider,
        )
    return key or None


def _check_provider_config(config: GenerationConfig, info: ProviderInfo) -> None:
    """Warn about provider_config keys a plugin that declares its keys does not read."""
    declared = info.provider_config_keys
    if declared is None:
        return
    for key in config.provider_config:
        if key not in declared:
            accepted = ", ".join(declared) or "none"
            warn_user(
                f"provider_config key {key!r} is not read by provider {info.name!r} "
                f"and is ignored{did_you_mean(key, declared)} (keys it reads: {accepted})"
            )
