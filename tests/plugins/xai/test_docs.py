"""docs/providers/xai.md: its examples run against the fake, its tables match the data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tarash.tarash_gateway import configure_http, list_models
from tests.plugins.xai.fake_xai import FakeXAIServer

PAGE = Path(__file__).parents[3] / "docs" / "providers" / "xai.md"
TEXT = PAGE.read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


class _ToFake(httpx.HTTPTransport):
    """Sends requests for api.x.ai to the fake server instead."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.x.ai":
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return super().handle_request(request)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeXAIServer]:
    with FakeXAIServer(polls=1) as server:
        configure_http(transport=_ToFake(int(server.url.rsplit(":", 1)[1])))
        monkeypatch.setenv("XAI_API_KEY", "xai-docs-key")
        monkeypatch.chdir(tmp_path)
        yield server


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_page_example_runs(code: str, fake: FakeXAIServer) -> None:
    exec(compile(code, str(PAGE), "exec"), {"__name__": "__docs__"})
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
