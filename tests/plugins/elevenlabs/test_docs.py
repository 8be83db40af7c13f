"""Every python block of docs/providers/elevenlabs.md runs as written, against the fake."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tarash.tarash_gateway import _mock_media, configure_http
from tests.plugins.elevenlabs.fake_elevenlabs import FakeElevenLabsServer

PAGE = Path(__file__).parents[3] / "docs" / "providers" / "elevenlabs.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


class _ToFake(httpx.HTTPTransport):
    """Sends requests for api.elevenlabs.io to the fake server instead."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.elevenlabs.io":
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return super().handle_request(request)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeElevenLabsServer]:
    with FakeElevenLabsServer() as server:
        configure_http(transport=_ToFake(int(server.url.rsplit(":", 1)[1])))
        monkeypatch.setenv("ELEVENLABS_API_KEY", "xi-docs-key")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-docs-key")
        monkeypatch.chdir(tmp_path)
        (tmp_path / "me.wav").write_bytes(_mock_media.wav(0.5))
        yield server


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_page_example_runs(code: str, fake: FakeElevenLabsServer, tmp_path: Path) -> None:
    exec(compile(code, str(PAGE), "exec"), {"__name__": "__docs__"})
    assert fake.generated, "the example made no ElevenLabs call"
    assert all(r.headers["xi-api-key"] == "xi-docs-key" for r in fake.requests)
