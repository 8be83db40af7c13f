"""docs/providers/sarvam.md: its examples run against the fake, its tables match the data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tarash.tarash_gateway import configure_http
from tarash_sarvam._models import CODECS, LANGUAGES, MODELS
from tests.plugins.sarvam.fake_sarvam import FakeSarvamServer
from tests.support.docs_pages import ToFakes, page_text, python_blocks

PAGE = "providers/sarvam.md"
BLOCKS = python_blocks(PAGE)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeSarvamServer]:
    with FakeSarvamServer() as server:
        configure_http(transport=ToFakes({"api.sarvam.ai": server.url}))
        monkeypatch.setenv("SARVAM_API_KEY", "sk_sarvam_docs")
        monkeypatch.chdir(tmp_path)
        yield server


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_page_example_runs(code: str, fake: FakeSarvamServer) -> None:
    exec(compile(code, PAGE, "exec"), {"__name__": "__docs__"})
    assert fake.generated, "the example made no Sarvam call"
    assert all(r.headers["api-subscription-key"] == "sk_sarvam_docs" for r in fake.requests)


def test_the_page_lists_every_model_speaker_language_and_format() -> None:
    text = " ".join(page_text(PAGE).split())
    for model in MODELS:
        assert f"`{model.model}`" in text and f"{model.max_characters} characters" in text
        assert ", ".join(map(str, model.sample_rates[:4])) in text
        if model.speakers:
            assert ", ".join(model.speakers) in text
    assert all(f"`{code}`" in text for code in LANGUAGES)
    assert all(f"`{codec}`" in text for codec, _ in CODECS.values())
