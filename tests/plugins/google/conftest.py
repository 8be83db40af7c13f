"""Fixtures of the google plugin tests: a running fake Google server, a clean token cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tarash_google import _adc
from tests.plugins.google.fake_google import FakeGoogleServer


@pytest.fixture
def server() -> Iterator[FakeGoogleServer]:
    with FakeGoogleServer(polls=3) as fake:
        yield fake


@pytest.fixture(autouse=True)
def _fresh_tokens(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No cached tokens, and no ADC or project settings leaking in from the machine."""
    for name in (
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_CLOUD_LOCATION",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    _adc.clear_cache()
    yield
    _adc.clear_cache()
