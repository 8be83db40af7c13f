"""Shared fixtures: a tiny in-test provider plugin speaking HTTP to a FakeServer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tarash.tarash_gateway import _journal, _plugins, _registry, _transport
from tarash.tarash_gateway.testing import DRIVERS
from tests.support.echo_provider import EchoServer, echo_plugin


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    """``sync`` or ``async``: a test taking it runs through both (``testing.generate``)."""
    return str(request.param)


@pytest.fixture
def echo_server() -> Iterator[EchoServer]:
    """The fake server of the 'echo' provider, with the echo plugin registered."""
    _plugins.registry.register(echo_plugin, "echo-test", distribution="tarash-echo-test")
    try:
        with EchoServer() as server:
            yield server
    finally:
        _plugins.registry.unregister("echo-test")


@pytest.fixture(autouse=True)
def _clean_registrations() -> Iterator[None]:
    yield
    _registry._handlers.clear()
    _registry._field_mappings.clear()
    _transport.reset_http()


@pytest.fixture(autouse=True)
def _private_journal(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The CLI journals into the user's state directory: keep it (and its
    subprocesses) in a temporary one, and forget ``configure_jobs`` afterwards."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    monkeypatch.delenv("TARASH_JOURNAL", raising=False)
    yield
    _journal.reset_jobs()
