"""Fixtures of the Replicate plugin tests: a running fake Replicate API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.plugins.replicate.fake_replicate import FakeReplicateServer


@pytest.fixture
def replicate_server() -> Iterator[FakeReplicateServer]:
    with FakeReplicateServer(polls=3) as server:
        yield server
