"""docs/providers/google.md: its python blocks run as written against the fake, and it
lists every model id and retired id the plugin knows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tarash.tarash_gateway import configure_http
from tarash_google import FAMILIES, RETIRED
from tests.plugins.google.fake_google import FakeGoogleServer

PAGE = Path(__file__).parents[3] / "docs" / "providers" / "google.md"
TEXT = PAGE.read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
GOOGLE_HOSTS = ("generativelanguage.googleapis.com", "aiplatform.googleapis.com")


class _ToFake(httpx.HTTPTransport):
    """Sends Google's hosts (and example.com images) to the fake server instead."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "example.com":
            request.url = request.url.copy_with(path="/assets/input.png")
        if request.url.host in GOOGLE_HOSTS or request.url.host == "example.com":
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return super().handle_request(request)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeGoogleServer]:
    with FakeGoogleServer(polls=1) as server:
        configure_http(transport=_ToFake(int(server.url.rsplit(":", 1)[1])))
        monkeypatch.setenv("GEMINI_API_KEY", "AIza-docs-key")
        server.refresh_tokens["1//docs"] = ("docs-client", "docs-secret")
        adc = tmp_path / "adc.json"
        adc.write_text(
            json.dumps(
                {
                    "type": "authorized_user",
                    "client_id": "docs-client",
                    "client_secret": "docs-secret",
                    "refresh_token": "1//docs",
                    "token_uri": f"{server.url}/token",
                }
            )
        )
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
        monkeypatch.chdir(tmp_path)
        yield server


def test_the_page_has_examples() -> None:
    assert BLOCKS


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_page_example_runs(code: str, fake: FakeGoogleServer) -> None:
    exec(compile(code, str(PAGE), "exec"), {"__name__": "__docs__"})
    assert Path("fox.mp4").read_bytes()[4:8] == b"ftyp"
    assert Path("fox.png").read_bytes().startswith(b"\x89PNG")
    assert fake.count("POST", r"/token") == 1


def test_every_model_and_retired_id_is_documented() -> None:
    for model in [m for f in FAMILIES for m in f.models]:
        assert f"`{model}`" in TEXT, model
    for family in FAMILIES:
        assert family.name in TEXT, family.name
    for model, record in RETIRED.items():
        assert model.rsplit("-", 1)[0] in TEXT or "preview" in TEXT, model
        assert record.replacement in TEXT, record.replacement
