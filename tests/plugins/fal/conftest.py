"""Fixtures of the fal plugin tests: a running fake fal queue server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.plugins.fal.fake_fal import FakeFalServer


@pytest.fixture
def fal_server() -> Iterator[FakeFalServer]:
    with FakeFalServer(polls=3) as server:
        yield server
