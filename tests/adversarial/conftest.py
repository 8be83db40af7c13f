"""Fixtures of the adversarial suite: drivers, the echo provider, hostile plugins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import _plugins
from tarash.tarash_gateway.models import VideoGenerationConfig
from tarash.tarash_gateway.testing import Driver, config_for, generate
from tests.support.echo_provider import EchoServer, echo_plugin

KEY = "sk-adversarial-4f1d9c2e7b"
"""The secret every test hunts for."""


def run(driver: Driver, config: Any, request: Any, on_progress: Any = None) -> Any:
    """One generate_video call through the public API, sync or async."""
    return generate(driver, "video", config, request, on_progress)


def echo_config(server: EchoServer, **overrides: Any) -> VideoGenerationConfig:
    return config_for(server, "echo", "video", **{"api_key": KEY, **overrides})


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    """An EchoServer (not started: ``with echo as server``), the echo plugin registered."""
    _plugins.registry.register(echo_plugin, "echo-test", distribution="tarash-echo-test")
    try:
        yield EchoServer(polls=3)
    finally:
        _plugins.registry.unregister("echo-test")


@pytest.fixture
def plugin_slot() -> Iterator[list[str]]:
    """Names of plugins a test registers; unregistered afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        _plugins.registry.unregister(name)
