"""docs/jobs.md runs as written: the handle example, and both webhook receivers
(the FastAPI app through httpx's ASGI transport, the WSGI app on a real wsgiref
server) against deliveries signed with keys generated here."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tarash.tarash_gateway.webhooks import _JWKS, public_keys
from tarash_fal import JWKS_URL
from tests.core.test_webhooks import fal_delivery, jwk, ok_body

PAGE = Path(__file__).parents[2] / "docs" / "jobs.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


def block(marker: str) -> str:
    return next(code for code in BLOCKS if marker in code)


@pytest.fixture
def signing_key() -> Iterator[Ed25519PrivateKey]:
    """fal's key set as if fetched and cached: the receivers use the default URL."""
    key = Ed25519PrivateKey.generate()
    _JWKS.clear()
    _JWKS.put(JWKS_URL, public_keys({"keys": [jwk(key, "k1")]}))
    yield key
    _JWKS.clear()


def run_block(code: str, **names: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__docs__", **names}
    exec(compile(code, str(PAGE), "exec"), namespace)
    return namespace


def test_the_page_has_its_examples():
    assert len(BLOCKS) == 4


def test_handles_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = run_block(block("submit_video(config"))
    assert namespace["video"].request_id == namespace["job"].request_id
    assert (tmp_path / "fox.mp4").stat().st_size > 0


def test_webhook_config_example_builds():
    config = run_block(block("webhook_url=")).get("config")
    assert config.webhook_url == "https://example.com/hooks/fal"


def test_fastapi_receiver(signing_key):
    events: list[Any] = []
    app = run_block(block("FastAPI()"), save_result=events.append)["app"]
    body, headers = fal_delivery(signing_key, ok_body())

    async def deliver() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            accepted = await client.post("/hooks/fal", content=body, headers=headers)
            tampered = body.replace(b"out", b"evil")
            forged = await client.post("/hooks/fal", content=tampered, headers=headers)
            return accepted, forged

    accepted, forged = asyncio.run(deliver())
    assert accepted.status_code == 200 and accepted.json() == {"ok": True}
    assert forged.status_code == 401
    [event] = events
    assert event.status == "completed" and event.result.video.endswith("/out.mp4")


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_wsgi_receiver(signing_key):
    events: list[Any] = []
    application = run_block(block("def application"), save_result=events.append)["application"]
    server = make_server("127.0.0.1", 0, application, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hooks/fal"
        body, headers = fal_delivery(signing_key, ok_body())
        accepted = httpx.post(url, content=body, headers=headers)
        stranger_body, stranger_headers = fal_delivery(Ed25519PrivateKey.generate(), ok_body())
        refused = httpx.post(url, content=stranger_body, headers=stranger_headers)
    finally:
        server.shutdown()
        server.server_close()
    assert accepted.status_code == 200 and accepted.text == "ok"
    assert refused.status_code == 401
    [event] = events
    assert event.request_id == ok_body()["request_id"] and event.result is not None
