"""Deadlines hold against slow servers; answers are size-capped; cancellation sends nothing new.

Regression tests of issue 11, items 7 (a status reply trickling a byte every
0.5 s held timeout=3 for 20 s), 8 (a reply declaring 3 GB was read into memory)
and 9 (cancelled tasks still sent submits while waiting for an in-flight slot).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tarash.tarash_gateway import _engine, configure_http, generate_video_async
from tarash.tarash_gateway.exceptions import MalformedResponseError, TimeoutError
from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest
from tests.adversarial.conftest import KEY, run
from tests.adversarial.sockets import SocketFake, echo_script, trickle

REQUEST = VideoGenerationRequest(prompt="a cat")
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"


def _config(url: str, **overrides: object) -> VideoGenerationConfig:
    values = {"provider": "echo", "api_key": KEY, "base_url": url, "poll_interval": 0.01}
    return VideoGenerationConfig(**{**values, "timeout": 1.5, **overrides})


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            lambda: [(0, HEAD), *trickle(b'{"status": "running"' + b" " * 300, 0.2)], id="body"
        ),
        pytest.param(lambda: trickle(HEAD, 0.2), id="headers"),
    ],
)
def test_a_trickling_status_reply_cannot_outlast_the_timeout(driver, echo, answer):
    """#7: the whole call ends by its timeout, then the job is cancelled."""
    with SocketFake(echo_script(answer)) as fake:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            run(driver, _config(fake.url), REQUEST)
        elapsed = time.monotonic() - started
        assert fake.count("DELETE", "/v1/jobs/job-1") == 1
    assert elapsed < 3.5


def test_a_declared_huge_body_is_refused_before_reading(driver, echo, monkeypatch):
    """#8: Content-Length: 3 GB is refused at the headers; the job is cancelled."""
    monkeypatch.setattr(_engine, "POLL_FAILURE_BUDGET", 0.2)
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3000000000\r\n\r\n"
    )
    with SocketFake(echo_script(lambda: [(0, head), (5, b"{")])) as fake:
        started = time.monotonic()
        with pytest.raises(MalformedResponseError) as caught:
            run(driver, _config(fake.url, timeout=10), REQUEST)
        assert fake.count("DELETE", "/v1/jobs/job-1") == 1
    assert time.monotonic() - started < 3
    assert "3000000000" in caught.value.message and "max_response_bytes" in caught.value.message


def test_an_endless_chunked_body_is_cut_at_the_cap(driver, echo, monkeypatch):
    """#8: no Content-Length, chunks beyond max_response_bytes: refused once over."""
    monkeypatch.setattr(_engine, "POLL_FAILURE_BUDGET", 0.2)
    configure_http(max_response_bytes=4096)
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"400\r\n" + b" " * 1024 + b"\r\n"
    with SocketFake(echo_script(lambda: [(0, head), *[(0, chunk)] * 64])) as fake:
        with pytest.raises(MalformedResponseError) as caught:
            run(driver, _config(fake.url, timeout=10), REQUEST)
        assert fake.count("DELETE", "/v1/jobs/job-1") == 1
    assert "4096" in caught.value.message


def test_a_compressed_body_is_capped_as_decoded(echo):
    """A 10 kB gzip answer that inflates to 4 MiB: the cap counts decoded bytes."""
    import gzip

    import httpx

    from tarash.tarash_gateway import _transport

    configure_http(max_response_bytes=65536)
    body = gzip.compress(b" " * (4 << 20))
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    with SocketFake(lambda m, p: [(0, head + body)]) as fake:
        with pytest.raises(MalformedResponseError) as caught:
            _transport.send_sync(httpx.Request("GET", f"{fake.url}/status"))
    assert "65536" in caught.value.message and len(body) < 65536


def test_no_cookie_goes_back_to_a_provider(echo, tmp_path):
    """An API call keeps no cookies: what one key's answer set never rides on the next call."""
    import httpx

    from tarash.tarash_gateway import _transport
    from tarash.tarash_gateway._media import save_media

    def answer(method: str, path: str) -> list[tuple[float, bytes]]:
        return [
            (
                0,
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Connection: close\r\nSet-Cookie: session=alice-key-session; Path=/\r\n"
                b"Content-Length: 2\r\n\r\n{}",
            )
        ]

    with SocketFake(answer) as fake:
        for _ in range(2):  # flows' requests
            _transport.send_sync(httpx.Request("GET", f"{fake.url}/v1/jobs"))
        for _ in range(2):  # media downloads, on the shared client
            save_media(f"{fake.url}/a.json", tmp_path / "a.json")
    sent = [set(headers) for _, _, headers in fake.requests]
    assert len(sent) == 4 and not any("cookie" in names for names in sent)


def test_media_answers_are_not_capped(echo, monkeypatch):
    """The cap is for JSON and text; a video download is not cut by it."""
    configure_http(max_response_bytes=16)
    from tarash.tarash_gateway import _transport

    with SocketFake(
        lambda m, p: [
            (
                0,
                b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 64\r\n\r\n"
                + b"v" * 64,
            )
        ]
    ) as fake:
        import httpx

        response = _transport.send_sync(httpx.Request("GET", f"{fake.url}/v.mp4"))
    assert response.content == b"v" * 64


def test_cancelled_tasks_send_no_new_submits(echo):
    """#9: 20 tasks, 2 in-flight slots, a slow submit: cancelling sends nothing more."""
    configure_http(max_in_flight=2)

    async def main(url: str) -> None:
        config = _config(url, timeout=20)
        tasks = [asyncio.create_task(generate_video_async(config, REQUEST)) for _ in range(20)]
        await asyncio.sleep(0.3)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    with echo as server:
        server.submit_delay = 0.6
        asyncio.run(main(server.url))
        submits = server.count("POST", r"/v1/jobs")
        cancels = server.count("DELETE", r"/v1/jobs/job-\d+")
    assert submits == 2
    assert cancels == submits
