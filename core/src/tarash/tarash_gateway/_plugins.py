"""Plugin discovery: entry points of group ``tarash.providers``, loaded in isolation.

Discovery is two steps, so that importing the gateway stays cheap: the entry
points are *enumerated* when ``tarash.tarash_gateway`` is imported (no plugin
module is imported then), and *loaded* together the first time any provider is
needed (a generate call, ``installed_providers()``, ``load_plugins()``).

A plugin that fails to import or breaks the contract produces one
:class:`TarashPluginWarning` naming its distribution; every other provider keeps
working. ``TARASH_STRICT_PLUGINS=1`` raises instead (plugin CI uses it).
``TARASH_PLUGINS`` (comma-separated entry-point names) is an allow-list and
``TARASH_DISABLE_PLUGINS`` a deny-list (``*`` = every plugin).
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

import pluggy

from tarash.tarash_gateway import hookspecs
from tarash.tarash_gateway.exceptions import TarashException, TarashPluginWarning

if TYPE_CHECKING:
    from tarash.tarash_gateway._plugin_types import ProviderInfo

logger = logging.getLogger("tarash.plugins")

ENTRY_POINT_GROUP = "tarash.providers"
REQUIRED_HOOKS = ("tarash_supports_modality", "tarash_map_fields", "tarash_submit", "tarash_poll")
OPTIONAL_HOOKS = ("tarash_cancel", "tarash_webhook_verifier", "tarash_parse_webhook")

# Provider ids published by this project, and the distribution that adds each.
KNOWN_DISTRIBUTIONS = {
    "fal": "tarash-fal",
    "openai": "tarash-openai",
    "azure-openai": "tarash-openai",
    "google": "tarash-google",
    "runway": "tarash-runway",
    "replicate": "tarash-replicate",
    "stability": "tarash-stability",
    "xai": "tarash-xai",
    "elevenlabs": "tarash-elevenlabs",
}


@dataclass
class LoadedProvider:
    """A provider id with the plugin that owns it and that plugin's hook functions."""

    info: ProviderInfo
    plugin_name: str
    hooks: dict[str, tuple[Callable[..., Any], tuple[str, ...]]]

    def call(self, hook: str, **kwargs: Any) -> Any:
        """Call this provider's implementation of ``hook`` (None when it has none).

        Like pluggy, pass only the arguments the implementation declares, so
        hook specifications can gain arguments without breaking plugins.
        """
        entry = self.hooks.get(hook)
        if entry is None:
            return None
        function, argnames = entry
        try:
            return function(*[kwargs[name] for name in argnames])
        except TarashException:
            raise
        except Exception as exc:
            raise self.hook_error(hook, exc) from exc

    def describe(self) -> str:
        """``plugin 'fal' (tarash-fal 1.2.0)``: who to blame in an error message."""
        where = " ".join(p for p in (self.info.distribution, self.info.version) if p)
        return f"plugin {self.plugin_name!r} ({where or 'no distribution'})"

    def hook_error(self, hook: str, exc: BaseException) -> TarashException:
        """The TarashException for a bug in this plugin's ``hook`` (names plugin and version)."""
        return TarashException(
            f"{self.describe()} failed in {hook}: {type(exc).__name__}: {exc}",
            provider=self.info.name,
        )


@dataclass
class BrokenPlugin:
    """A plugin that could not be loaded, and why."""

    name: str
    distribution: str | None
    version: str | None
    error: str


@dataclass
class PluginRegistry:
    """The plugin manager plus the provider-id → owner map built from it."""

    pm: pluggy.PluginManager = field(default_factory=lambda: _new_manager())
    _providers: dict[str, LoadedProvider] = field(default_factory=dict)
    _broken: list[BrokenPlugin] = field(default_factory=list)
    _pending: list[EntryPoint] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def providers(self) -> dict[str, LoadedProvider]:
        """Provider id → owner, every discovered plugin loaded."""
        if self._pending:
            self.load_pending()
        return self._providers

    @property
    def broken(self) -> list[BrokenPlugin]:
        """Plugins that failed to load."""
        if self._pending:
            self.load_pending()
        return self._broken

    # ------------------------------------------------------------ discovery
    def discover(self) -> None:
        """Enumerate the allowed entry points of ``tarash.providers`` (imports none)."""
        allow = _names_from_env("TARASH_PLUGINS")
        deny = _names_from_env("TARASH_DISABLE_PLUGINS")
        with self._lock:
            known = {ep.name for ep in self._pending}
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                if self.pm.has_plugin(ep.name) or ep.name in self._providers or ep.name in known:
                    continue
                if (allow is not None and ep.name not in allow) or (
                    deny is not None and ("*" in deny or ep.name in deny)
                ):
                    logger.debug(
                        "plugin %s skipped by TARASH_PLUGINS/TARASH_DISABLE_PLUGINS", ep.name
                    )
                    continue
                self._pending.append(ep)
                known.add(ep.name)

    def load_pending(self) -> None:
        """Import and register every discovered plugin not loaded yet."""
        with self._lock:
            while self._pending:
                self._load_entry_point(self._pending.pop(0))

    def load_entry_points(self) -> None:
        """Discover and load every allowed entry point."""
        self.discover()
        self.load_pending()

    def _load_entry_point(self, ep: EntryPoint) -> None:
        dist = ep.dist.name if ep.dist else None
        version = ep.dist.version if ep.dist else None
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not break the gateway
            self._report(ep.name, dist, version, exc)
            return
        self.register(plugin, ep.name, distribution=dist, version=version)

    def register(
        self,
        plugin: object,
        name: str,
        distribution: str | None = None,
        version: str | None = None,
    ) -> list[str]:
        """Register a plugin object and the providers it declares.

        Returns the provider ids added. A contract violation is reported like a
        failed import (warning, or error under TARASH_STRICT_PLUGINS=1).
        """
        try:
            self.pm.register(plugin, name=name)
            infos = self._validate(plugin, name)
        except Exception as exc:
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self._report(name, distribution, version, exc)
            return []
        hooks = {
            caller.name: (impl.function, tuple(impl.argnames))
            for caller in self.pm.get_hookcallers(plugin) or []
            for impl in caller.get_hookimpls()
            if impl.plugin is plugin
        }
        added: list[str] = []
        for info in infos:
            if info.name in self._providers:
                owner = self._providers[info.name]
                self._warn(
                    f"tarash: provider {info.name!r} of plugin {name!r} ({distribution}) is "
                    f"already provided by {owner.info.distribution or owner.plugin_name!r}; "
                    "the first one loaded is kept."
                )
                continue
            info = info.model_copy(update={"distribution": distribution, "version": version})
            self._providers[info.name] = LoadedProvider(info=info, plugin_name=name, hooks=hooks)
            added.append(info.name)
        return added

    def unregister(self, name: str) -> None:
        """Remove a plugin and every provider it owns (used by tests)."""
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        for provider in [p for p, lp in self._providers.items() if lp.plugin_name == name]:
            del self._providers[provider]

    def _validate(self, plugin: object, name: str) -> list[ProviderInfo]:
        from tarash.tarash_gateway._plugin_types import ProviderInfo

        self.pm.check_pending()
        implemented = {
            caller.name
            for caller in self.pm.get_hookcallers(plugin) or []
            if any(impl.plugin is plugin for impl in caller.get_hookimpls())
        }
        if "tarash_providers" not in implemented:
            raise TypeError(f"plugin {name!r} does not implement tarash_providers()")
        missing = [hook for hook in REQUIRED_HOOKS if hook not in implemented]
        if missing:
            raise TypeError(f"plugin {name!r} does not implement {', '.join(missing)}")
        function = next(
            impl.function
            for impl in self.pm.hook.tarash_providers.get_hookimpls()
            if impl.plugin is plugin
        )
        infos = function()
        if not isinstance(infos, list) or not all(isinstance(i, ProviderInfo) for i in infos):
            raise TypeError(f"plugin {name!r}: tarash_providers() must return list[ProviderInfo]")
        return infos

    def _report(self, name: str, dist: str | None, version: str | None, exc: Exception) -> None:
        if os.environ.get("TARASH_STRICT_PLUGINS") == "1":
            raise exc
        self._broken.append(BrokenPlugin(name, dist, version, f"{type(exc).__name__}: {exc}"))
        logger.debug("plugin %s failed to load", name, exc_info=exc)
        where = f"{dist} {version}" if dist else "an unknown distribution"
        remedy = f"pip uninstall {dist}" if dist else "remove it"
        self._warn(
            f"tarash: provider plugin {name!r} from {where} failed to load and was skipped "
            f"({type(exc).__name__}: {exc}). Other providers keep working. "
            f"To silence this, fix it, {remedy}, or set TARASH_DISABLE_PLUGINS={name}."
        )

    @staticmethod
    def _warn(message: str) -> None:
        warnings.warn(message, TarashPluginWarning, stacklevel=2)

    # ------------------------------------------------------------ lookup
    def names(self) -> list[str]:
        """Installed provider ids, sorted."""
        return sorted(self.providers)


def _new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def _names_from_env(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None or not value.strip():
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def install_hint(provider: str) -> str:
    """Tell how to add ``provider``: the first-party distribution, or the naming rule."""
    dist = KNOWN_DISTRIBUTIONS.get(provider)
    if dist:
        return f"Install it with `pip install {dist}`."
    return f"Third-party providers are published as `tarash-{provider}` (pip install tarash-{provider})."


registry = PluginRegistry()
"""The process-wide plugin registry, filled when ``tarash.tarash_gateway`` is imported."""
