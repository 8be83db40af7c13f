"""Reserve: a backlogged poll takes its in-flight slot before its request is built."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Generator, Iterator
from typing import Any

import httpx
import pytest

from tarash.tarash_gateway import _transport, configure_http, generate_image_async
from tarash.tarash_gateway._flow import Reserve, Send, run_async, run_sync
from tarash.tarash_gateway._transport import reset_http
from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest
from tarash.tarash_gateway.plugin import Sleep
from tests.support.echo_provider import EchoServer

LIMIT = 2


@pytest.fixture(autouse=True)
def _two_slots() -> Iterator[list[int]]:
    free_while_sending: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        free_while_sending.append(_limiter().free)
        return httpx.Response(200, json={"ok": True})

    configure_http(
        max_in_flight=LIMIT,
        transport=httpx.MockTransport(answer),
        async_transport=httpx.MockTransport(answer),
    )
    yield free_while_sending
    reset_http()


def _limiter() -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _transport.sync_limiter("p")
    return _transport.async_limiter("p")


def _run(driver: str, program: Generator[Any, Any, Any]) -> Any:
    if driver == "sync":
        return run_sync(program)

    async def main() -> Any:
        return await run_async(program)

    return asyncio.run(main())


def _request() -> httpx.Request:
    return httpx.Request("GET", "http://provider.test/status")


def test_the_send_after_a_reserve_uses_the_reserved_slot(driver, _two_slots):
    seen: list[int] = []

    def program() -> Generator[Any, Any, int]:
        held = yield Reserve("p", time.monotonic() + 5)
        assert held is True
        seen.append(_limiter().free)  # one slot taken, no request built yet
        response = yield Send(_request(), "p")
        seen.append(_limiter().free)
        return response.status_code

    assert _run(driver, program()) == 200
    # the Send took no second slot, and gave the reserved one back
    assert seen == [LIMIT - 1, LIMIT] and _two_slots == [LIMIT - 1]


def test_a_reserved_slot_is_given_back_when_the_next_effect_is_not_its_send(driver):
    seen: list[int] = []

    def program() -> Generator[Any, Any, None]:
        yield Reserve("p", time.monotonic() + 5)
        yield Sleep(0.01)  # e.g. a flow that waits before its first request
        seen.append(_limiter().free)
        yield Reserve("p", time.monotonic() + 5)
        yield Send(_request(), "other")  # another provider's request
        seen.append(_limiter().free)

    _run(driver, program())
    assert seen == [LIMIT, LIMIT]


def test_a_reserved_slot_is_given_back_when_the_program_ends_or_fails(driver):
    limiters: list[Any] = []

    def ends() -> Generator[Any, Any, None]:
        yield Reserve("p", time.monotonic() + 5)
        limiters.append(_limiter())

    def fails() -> Generator[Any, Any, None]:
        yield Reserve("p", time.monotonic() + 5)
        raise ValueError("a plugin bug")

    _run(driver, ends())
    with pytest.raises(ValueError):
        _run(driver, fails())
    assert limiters[0].free == LIMIT


def test_a_reserve_past_its_deadline_answers_false_and_holds_nothing(driver):
    def program() -> Generator[Any, Any, Any]:
        held = yield Reserve("p", time.monotonic() + 0.05)
        return held, _limiter().free

    if driver == "sync":
        limiter = _transport.sync_limiter("p")
        for _ in range(LIMIT):
            limiter.acquire()
        outcome = run_sync(program())
    else:

        async def main() -> Any:
            limiter = _transport.async_limiter("p")
            for _ in range(LIMIT):
                await limiter.acquire()
            return await run_async(program())

        outcome = asyncio.run(main())
    assert outcome == (False, 0)


def test_backlogged_jobs_hold_no_poll_request_while_they_wait(echo_server: EchoServer):
    """One slot, a slow fake, 20 jobs: while they queue, only the poll on the wire exists."""
    reset_http()
    configure_http(max_in_flight=1)
    echo_server.polls = 3
    echo_server.poll_delay = 0.02
    config = ImageGenerationConfig(
        provider="echo", api_key="k", base_url=echo_server.url, poll_interval=0.05, timeout=60
    )
    live: list[int] = []

    async def count_polls() -> None:
        for _ in range(40):
            await asyncio.sleep(0.05)
            gc.collect()
            live.append(
                sum(
                    1
                    for o in gc.get_objects()
                    if isinstance(o, httpx.Request) and o.method == "GET"
                )
            )

    async def main() -> list[Any]:
        counter = asyncio.create_task(count_polls())
        jobs = [
            generate_image_async(config, ImageGenerationRequest(prompt=str(n))) for n in range(20)
        ]
        results = await asyncio.gather(*jobs)
        counter.cancel()
        return results

    results = asyncio.run(main())
    assert all(r.status == "completed" for r in results)
    assert live and max(live) <= 2  # the poll on the wire (and one just answered)
