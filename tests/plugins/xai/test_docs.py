"""docs/providers/xai.md: its examples run against the fake, its tables match the data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tarash.tarash_gateway import configure_http, list_models
from tests.plugins.xai.fake_xai import FakeXAIServer
from tests.support.docs_pages import ToFakes, page_text, python_blocks

PAGE = "providers/xai.md"
TEXT = page_text(PAGE)
BLOCKS = python_blocks(PAGE)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeXAIServer]:
    with FakeXAIServer(polls=1) as server:
        configure_http(transport=ToFakes({"api.x.ai": server.url}))
        monkeypatch.setenv("XAI_API_KEY", "xai-docs-key")
        monkeypatch.chdir(tmp_path)
        yield server


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_page_example_runs(code: str, fake: FakeXAIServer) -> None:
    exec(compile(code, PAGE, "exec"), {"__name__": "__docs__"})
    assert fake.count("POST", r"/v1/.*") >= 1


def test_the_page_lists_what_the_capabilities_say() -> None:
    assert len(BLOCKS) == 3
    for caps in list_models("xai"):
        assert f"`{caps.model}`" in TEXT, caps.model
        for variant in caps.variants or [caps]:
            assert f"`{variant.endpoint}`" in TEXT, variant.endpoint
            for field in variant.fields:
                for value in field.values or []:
                    if field.name != "number_of_videos":
                        assert f"`{value}`" in TEXT, (caps.model, field.name, value)
        for extra in caps.extra_fields:
            assert f'extra_params["{extra.name}"]' in TEXT, extra.name
            for value in extra.values or ():
                assert f"`{value}`" in TEXT, (extra.name, value)
