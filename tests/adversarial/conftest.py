"""Fixtures of the adversarial suite: drivers, the echo provider, hostile plugins."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tarash.tarash_gateway import _plugins, generate_video, generate_video_async
from tarash.tarash_gateway.models import VideoGenerationConfig
from tests.support.echo_provider import EchoServer, echo_plugin

KEY = "sk-adversarial-4f1d9c2e7b"
"""The secret every test hunts for."""


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(driver: str, config: Any, request: Any, on_progress: Any = None) -> Any:
    """One generate_video call through the public API, sync or async."""
    if driver == "sync":
        return generate_video(config, request, on_progress)
    return asyncio.run(generate_video_async(config, request, on_progress))


def echo_config(server: EchoServer, **overrides: Any) -> VideoGenerationConfig:
    values: dict[str, Any] = {
        "provider": "echo",
        "api_key": KEY,
        "base_url": server.url,
        "poll_interval": 0.01,
        "timeout": 10,
    }
    return VideoGenerationConfig(**{**values, **overrides})


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
