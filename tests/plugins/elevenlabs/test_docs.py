"""Every python block of docs/providers/elevenlabs.md runs as written, against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tarash.tarash_gateway import _mock_media, configure_http
from tests.plugins.elevenlabs.fake_elevenlabs import FakeElevenLabsServer
from tests.support.docs_pages import ToFakes, python_blocks

PAGE = "providers/elevenlabs.md"
BLOCKS = python_blocks(PAGE)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeElevenLabsServer]:
    with FakeElevenLabsServer() as server:
        configure_http(transport=ToFakes({"api.elevenlabs.io": server.url}))
        monkeypatch.setenv("ELEVENLABS_API_KEY", "xi-docs-key")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-docs-key")
        monkeypatch.chdir(tmp_path)
        (tmp_path / "me.wav").write_bytes(_mock_media.wav(0.5))
        yield server


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_page_example_runs(code: str, fake: FakeElevenLabsServer, tmp_path: Path) -> None:
    exec(compile(code, PAGE, "exec"), {"__name__": "__docs__"})
    assert fake.generated, "the example made no ElevenLabs call"
    assert all(r.headers["xi-api-key"] == "xi-docs-key" for r in fake.requests)
