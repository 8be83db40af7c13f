"""Hostile plugins and racing registrations cannot take the host down or steal a key.

Regression tests of issue 11, items 10 (SystemExit at import killed the host),
12 (every plugin was imported for any provider), 13 (another distribution could
take over ``fal`` silently) and 14 (registering a field mapping while another
thread generated raised "dictionary changed size during iteration").
"""

from __future__ import annotations

import sys
import threading
import time
from importlib.metadata import EntryPoint
from types import SimpleNamespace

import pytest

from tarash.tarash_gateway import _plugins, _registry, register_provider_field_mapping
from tarash.tarash_gateway.exceptions import TarashPluginWarning
from tarash.tarash_gateway.plugin import ProviderInfo
from tarash.tarash_gateway.providers.field_mappers import passthrough_field_mapper
from tests.support.echo_provider import EchoPlugin


def _entry_point(name: str, value: str, dist: str, version: str = "1.0") -> EntryPoint:
    ep = EntryPoint(name, value, _plugins.ENTRY_POINT_GROUP)
    return ep._for(SimpleNamespace(name=dist, version=version))  # type: ignore[arg-type]


@pytest.fixture
def lenient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TARASH_STRICT_PLUGINS", raising=False)


@pytest.mark.parametrize("exc", [SystemExit, GeneratorExit])
def test_system_exit_at_import_is_isolated(lenient, exc, monkeypatch):
    """#10: reported like any broken plugin; the host lives on."""
    registry = _plugins.PluginRegistry()
    value = "tests.adversarial._exits_at_import"
    if exc is GeneratorExit:
        monkeypatch.setattr(EntryPoint, "load", lambda self: (_ for _ in ()).throw(GeneratorExit))
    registry._pending.append(_entry_point("exiter", value, "tarash-exiter", "0.1"))
    with pytest.warns(TarashPluginWarning, match=r"tarash-exiter 0\.1"):
        registry.load_pending()
    assert [b.name for b in registry.broken] == ["exiter"]


def test_system_exit_at_import_in_strict_mode_is_an_error_not_an_exit(monkeypatch):
    monkeypatch.setenv("TARASH_STRICT_PLUGINS", "1")
    registry = _plugins.PluginRegistry()
    registry._pending.append(
        _entry_point("exiter", "tests.adversarial._exits_at_import", "tarash-exiter")
    )
    with pytest.raises(RuntimeError, match="SystemExit"):
        registry.load_pending()


def test_only_the_plugin_owning_the_provider_is_imported(lenient):
    """#12: asking for 'echo' imports the echo plugin, not the others."""
    registry = _plugins.PluginRegistry()
    registry._pending += [
        _entry_point("other", "tests.adversarial._must_not_import", "tarash-other"),
        _entry_point("echo", "tests.support.echo_provider:echo_plugin", "tarash-echo"),
    ]
    loaded = registry.provider("echo")
    assert loaded is not None and loaded.info.distribution == "tarash-echo"
    assert [ep.name for ep in registry._pending] == ["other"]
    assert registry._broken == []


class Impostor(EchoPlugin):
    """Claims the 'fal' provider id (and would receive FAL_KEY)."""

    name = "fal"

    def info(self) -> ProviderInfo:
        return super().info().model_copy(update={"name": "fal", "api_key_env": ["FAL_KEY"]})


@pytest.mark.parametrize("impostor_first", [True, False])
def test_a_duplicate_provider_id_keeps_the_first_party_and_names_both(lenient, impostor_first):
    """#13: the built-in distribution wins whatever the load order; the warning blames the other."""
    from tarash_fal import plugin as fal_plugin

    registry = _plugins.PluginRegistry()
    steps = [
        (Impostor(), "evil", "tarash-evil", "6.6.6"),
        (fal_plugin, "fal", "tarash-fal", "1.0"),
    ]
    if not impostor_first:
        steps.reverse()
    with pytest.warns(TarashPluginWarning) as record:
        for plugin, name, dist, version in steps:
            registry.register(plugin, name, distribution=dist, version=version)
    assert registry.providers["fal"].info.distribution == "tarash-fal"
    (warning,) = [str(w.message) for w in record]
    assert "tarash-evil 6.6.6" in warning and "tarash-fal" in warning
    assert warning.startswith("tarash: provider plugin 'evil' from tarash-evil")
    assert [b.distribution for b in registry.broken] == ["tarash-evil"]


def test_a_duplicate_provider_id_is_an_error_in_strict_mode(monkeypatch):
    monkeypatch.setenv("TARASH_STRICT_PLUGINS", "1")
    registry = _plugins.PluginRegistry()
    registry.register(EchoPlugin(), "one", distribution="tarash-one")
    with pytest.raises(ValueError, match="tarash-one.*tarash-two"):
        registry.register(EchoPlugin(), "two", distribution="tarash-two")


def test_registering_mappings_while_another_thread_resolves_them():
    """#14: no "dictionary changed size during iteration" under concurrent registration."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                _registry.user_field_mappers("echo", "echo-video-xyz")
        except BaseException as exc:  # noqa: BLE001 - the failure under test
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often: make the race likely
    for thread in readers:
        thread.start()
    try:
        for i in range(4000):
            register_provider_field_mapping(
                "echo", {f"echo-video-{i}": {"prompt": passthrough_field_mapper("prompt")}}
            )
    finally:
        stop.set()
        for thread in readers:
            thread.join()
        sys.setswitchinterval(interval)
    assert errors == []


def test_mapping_lookups_stay_lock_free_and_fast():
    """#14: the hot path (one lookup per generate call) is not slowed by the copy-on-write."""
    register_provider_field_mapping(
        "echo", {f"m{i}": {"prompt": passthrough_field_mapper("prompt")} for i in range(50)}
    )
    started = time.perf_counter()
    for _ in range(20_000):
        _registry.user_field_mappers("echo", "m7-model")
        _registry.handler_for("echo")
    per_call = (time.perf_counter() - started) / 20_000
    assert per_call < 200e-6, per_call
