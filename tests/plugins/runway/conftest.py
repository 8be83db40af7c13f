"""Fixtures of the Runway plugin tests: a running fake Runway API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.plugins.runway.fake_runway import FakeRunwayServer


@pytest.fixture
def runway_server() -> Iterator[FakeRunwayServer]:
    with FakeRunwayServer(polls=3) as server:
        yield server
