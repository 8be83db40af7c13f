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
    "google-vertex": "tarash-google",
    "runway": "tarash-runway",
    "replicate": "tarash-replicate",
    "stability": "tarash-stability",
    "xai": "tarash-xai",
    "elevenlabs": "tarash-elevenlabs",
    "cartesia": "tarash-cartesia",
    "sarvam": "tarash-sarvam",
    "mock": "tarash-core",
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
        """Provider id → owner, every discovered plugin loaded.

        The dict is never changed in place (registration replaces it), so
        callers may iterate it while other threads register plugins.
        """
        if self._pending:
            self.load_pending()
        return self._providers

    def provider(self, name: str) -> LoadedProvider | None:
        """The owner of provider ``name``, importing only the plugin that should own it.

        A generate call needs one provider: its entry point (same name, or the
        first-party distribution known to publish it) is loaded first; every
        other discovered plugin is loaded only when that does not find it.
        """
        loaded = self._providers.get(name)
        if loaded is not None or not self._pending:
            return loaded
        owner = KNOWN_DISTRIBUTIONS.get(name)
        with self._lock:
            for ep in [ep for ep in self._pending if _may_own(ep, name, owner)]:
                if ep in self._pending:
                    self._pending.remove(ep)
                    self._load_entry_point(ep)
        return self._providers.get(name) or self.providers.get(name)

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
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit & co. must not end the host
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
            info = info.model_copy(update={"distribution": distribution, "version": version})
            new = LoadedProvider(info=info, plugin_name=name, hooks=hooks)
            existing = self._providers.get(info.name)
            if existing is not None:
                kept, dropped = _duplicate(existing, new)
                self._replace(info.name, kept)
                self._report(
                    dropped.plugin_name,
                    dropped.info.distribution,
                    dropped.info.version,
                    ValueError(
                        f"provider id {info.name!r} is claimed by both {_who(existing)} and "
                        f"{_who(new)}; {_who(kept)} is used. Select one with "
                        "TARASH_PLUGINS / TARASH_DISABLE_PLUGINS, or uninstall the other."
                    ),
                )
                if kept is new:
                    added.append(info.name)
                continue
            self._replace(info.name, new)
            added.append(info.name)
        return added

    def _replace(self, provider: str, loaded: LoadedProvider | None) -> None:
        """Copy-on-write: readers keep iterating the dict they hold."""
        with self._lock:
            providers = dict(self._providers)
            if loaded is None:
                providers.pop(provider, None)
            else:
                providers[provider] = loaded
            self._providers = providers

    def unregister(self, name: str) -> None:
        """Remove a plugin and every provider it owns (used by tests)."""
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        for provider in [p for p, lp in self._providers.items() if lp.plugin_name == name]:
            self._replace(provider, None)

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

    def _report(self, name: str, dist: str | None, version: str | None, exc: BaseException) -> None:
        if os.environ.get("TARASH_STRICT_PLUGINS") == "1":
            if not isinstance(exc, Exception):  # never SystemExit out of an import
                raise RuntimeError(f"plugin {name!r} raised {type(exc).__name__}: {exc}") from exc
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


def _may_own(ep: EntryPoint, provider: str, distribution: str | None) -> bool:
    """Whether entry point ``ep`` is the one expected to provide ``provider``."""
    return ep.name == provider or (
        distribution is not None and ep.dist is not None and ep.dist.name == distribution
    )


def _duplicate(
    existing: LoadedProvider, new: LoadedProvider
) -> tuple[LoadedProvider, LoadedProvider]:
    """(kept, dropped) of two owners of one provider id: the first-party one, else the first."""
    first_party = KNOWN_DISTRIBUTIONS.get(new.info.name)
    if (
        first_party is not None
        and new.info.distribution == first_party != existing.info.distribution
    ):
        return new, existing
    return existing, new


def _who(loaded: LoadedProvider) -> str:
    where = " ".join(p for p in (loaded.info.distribution, loaded.info.version) if p)
    return f"plugin {loaded.plugin_name!r} ({where or 'no distribution'})"


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
