"""docs/providers/stability.md: its example runs against the fake, its tables match the data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tarash.tarash_gateway import configure_http, list_models
from tarash_stability._families import FAMILIES, OUTPUT_FORMATS
from tests.plugins.stability.fake_stability import FakeStabilityServer
from tests.support.docs_pages import ToFakes, page_text, python_blocks

PAGE = "providers/stability.md"
TEXT = page_text(PAGE)
BLOCKS = python_blocks(PAGE)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeStabilityServer]:
    with FakeStabilityServer() as server:
        configure_http(transport=ToFakes({"api.stability.ai": server.url}))
        monkeypatch.setenv("STABILITY_API_KEY", "sk-docs-key")
        monkeypatch.chdir(tmp_path)
        yield server


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_page_example_runs(code: str, fake: FakeStabilityServer, tmp_path: Path) -> None:
    exec(compile(code, PAGE, "exec"), {"__name__": "__docs__"})
    assert fake.count("POST", r"/v2beta/.*") >= 1
    assert (tmp_path / "lighthouse.jpg").read_bytes().startswith(b"\xff\xd8")


def test_the_page_lists_what_the_capabilities_say() -> None:
    """Every model, endpoint, accepted value and extra field of describe_model is on the page."""
    assert BLOCKS
    models = list_models("stability")
    assert {caps.model for caps in models} == {m for f in FAMILIES for m in f.models}
    for caps in models:
        assert f"`{caps.model}`" in TEXT, caps.model
        for variant in caps.variants or [caps]:
            assert variant.endpoint and variant.endpoint in TEXT, variant.endpoint
            for field in variant.fields:
                for value in field.values or []:
                    assert f"`{value}`" in TEXT, (caps.model, field.name, value)
                if field.maximum is not None and field.name != "seed":
                    assert f"{field.maximum:g}" in TEXT, (caps.model, field.name)
        for extra in caps.extra_fields:
            assert f'extra_params["{extra.name}"]' in TEXT or f'["{extra.name}"]' in TEXT, extra
    for value in OUTPUT_FORMATS:
        assert f"`{value}`" in TEXT, value
