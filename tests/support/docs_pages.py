"""Running a provider page's python blocks against fake servers (tests/plugins/*/test_docs.py)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

DOCS = Path(__file__).parents[2] / "docs"


def python_blocks(page: str) -> list[str]:
    """The ```python blocks of ``docs/<page>``."""
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), flags=re.S)


def page_text(page: str) -> str:
    """The text of ``docs/<page>``."""
    return (DOCS / page).read_text()


class ToFakes(httpx.HTTPTransport):
    """Sends requests for the given hosts to local fake servers (``{host: server.url}``)."""

    def __init__(self, fakes: dict[str, str]) -> None:
        super().__init__()
        self.fakes = {host: httpx.URL(url) for host, url in fakes.items()}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fake = self.fakes.get(request.url.host)
        if fake is not None:
            request.url = request.url.copy_with(scheme="http", host=fake.host, port=fake.port)
        return super().handle_request(request)
