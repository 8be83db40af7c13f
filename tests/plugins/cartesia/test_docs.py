"""docs/providers/cartesia.md: its examples run against the fake, its tables match the data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tarash.tarash_gateway import _mock_media, configure_http
from tarash_cartesia._formats import FORMATS, MP3_BITRATES_KBPS, SAMPLE_RATES
from tarash_cartesia._models import EMOTIONS, MODELS, SUNSET
from tests.plugins.cartesia.fake_cartesia import FakeCartesiaServer
from tests.support.docs_pages import ToFakes, page_text, python_blocks

PAGE = "providers/cartesia.md"
BLOCKS = python_blocks(PAGE)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeCartesiaServer]:
    with FakeCartesiaServer() as server:
        configure_http(transport=ToFakes({"api.cartesia.ai": server.url}))
        monkeypatch.setenv("CARTESIA_API_KEY", "sk_car_docs")
        monkeypatch.chdir(tmp_path)
        (tmp_path / "me.wav").write_bytes(_mock_media.wav(0.5))
        yield server


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_page_example_runs(code: str, fake: FakeCartesiaServer) -> None:
    exec(compile(code, PAGE, "exec"), {"__name__": "__docs__"})
    assert fake.generated, "the example made no Cartesia call"
    assert all(r.headers["authorization"] == "Bearer sk_car_docs" for r in fake.requests)


def test_the_page_lists_every_model_language_and_format() -> None:
    text = " ".join(page_text(PAGE).split())
    for model in MODELS:
        for model_id in model.ids:
            assert f"`{model_id}`" in text
        assert ", ".join(model.languages) in text
    assert all(f"`{model_id}`" in text for model_id in SUNSET)
    assert all(f"`{name}`" in text for name in FORMATS)
    assert all(str(rate) in text for rate in SAMPLE_RATES)
    assert all(str(rate) in text for rate in MP3_BITRATES_KBPS)
    assert f"Cartesia's {len(EMOTIONS)}" in text
