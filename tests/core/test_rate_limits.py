"""Per-provider request rates, 429 pauses of a provider's whole queue, adaptive polling."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from tarash.tarash_gateway import configure_http, generate_image, generate_image_async
from tarash.tarash_gateway._transport import reset_http
from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse
from tests.support.echo_provider import EchoServer


class TimedEcho(EchoServer):
    """The echo fake, recording when each request arrived; optionally enforcing a rate."""

    def __init__(self, polls: int = 2, max_rate: float | None = None) -> None:
        super().__init__(polls=polls)
        self.arrivals: list[tuple[float, str]] = []
        self.max_rate = max_rate
        self.refused = 0

    def dispatch(self, request: FakeRequest) -> FakeResponse:
        now = time.monotonic()
        if self.max_rate is not None and self.arrivals:
            # Refuse bursts: arrivals closer than half the allowed spacing (the client's
            # spacing is exact when sent; loopback and thread scheduling add jitter).
            if now - self.arrivals[-1][0] < 0.5 / self.max_rate:
                self.refused += 1
                return FakeResponse.json({"error": "rate"}, 429, {"Retry-After": "1"})
        self.arrivals.append((now, request.method))
        return super().dispatch(request)


@pytest.fixture(autouse=True)
def _echo_and_reset(echo_server: EchoServer) -> Iterator[None]:
    # echo_server registers the echo plugin; each test starts its own timed fake.
    yield
    reset_http()


def config(server: EchoServer, **overrides: object) -> ImageGenerationConfig:
    values = {"provider": "echo", "api_key": "k", "base_url": server.url, "poll_interval": 0.01}
    return ImageGenerationConfig(**{**values, "timeout": 30, **overrides})


def test_a_rate_limit_spaces_every_request_of_the_provider() -> None:
    configure_http(rate_limits={"echo": 20})
    with TimedEcho(polls=2, max_rate=20) as server:

        async def main() -> None:
            request = ImageGenerationRequest(prompt="fox")
            await asyncio.gather(*(generate_image_async(config(server), request) for _ in range(5)))

        asyncio.run(main())
    times = [t for t, _ in server.arrivals]
    assert len(times) == 15 and server.refused == 0  # 5 submits + 10 polls, none refused
    # 15 requests at 20/s take at least 14 spacings of 50 ms.
    assert times[-1] - times[0] >= 14 * 0.05 * 0.9


def test_without_the_limit_the_same_fake_refuses_requests() -> None:
    with TimedEcho(polls=2, max_rate=20) as server:

        async def main() -> None:
            request = ImageGenerationRequest(prompt="fox")
            await asyncio.gather(
                *(generate_image_async(config(server), request) for _ in range(5)),
                return_exceptions=True,
            )

        asyncio.run(main())
    assert server.refused > 0


def test_a_429_pauses_the_whole_provider_queue() -> None:
    with TimedEcho(polls=3) as server:
        server.inject("GET", r"/v1/jobs/job-1", status=429, headers={"Retry-After": "1"})
        started = time.monotonic()

        async def main() -> None:
            request = ImageGenerationRequest(prompt="fox")
            await asyncio.gather(*(generate_image_async(config(server), request) for _ in range(3)))

        asyncio.run(main())
    refused_at = next(t for t, m in server.arrivals if m == "GET") - started
    # (requests already on the wire when the 429 arrived may land just after it)
    later = [t - started for t, _ in server.arrivals if t - started > refused_at + 0.1]
    # After job-1's poll got the 429, no request of any job went out for about a second.
    assert later and min(later) >= refused_at + 0.9


def test_polls_start_short_and_space_out_toward_the_interval() -> None:
    with TimedEcho(polls=6) as server:
        generate_image(config(server, poll_interval=1.0), ImageGenerationRequest(prompt="fox"))
    polls = [t for t, m in server.arrivals if m == "GET"]
    gaps = [b - a for a, b in zip(polls, polls[1:], strict=False)]
    assert len(gaps) == 5
    assert gaps[0] < 0.5  # a fast job is seen fast
    # spacing grows, never past the interval (+10% jitter; scheduling adds a little)
    assert gaps[-1] > gaps[0] and max(gaps) <= 1.2


def test_polls_skip_the_short_waits_while_the_provider_is_backlogged() -> None:
    """One in-flight slot, three jobs, slow submits: while submits queue, a started job
    does not poll at once (nor after 0.25 s) but after the interval, leaving the slot to them."""
    configure_http(max_in_flight=1)

    async def main(server: EchoServer) -> None:
        calls = [
            generate_image_async(
                config(server, poll_interval=0.6), ImageGenerationRequest(prompt=p)
            )
            for p in ("a", "b", "c")
        ]
        await asyncio.gather(*calls)

    with TimedEcho(polls=1) as server:
        server.submit_delay = 0.3
        asyncio.run(main(server))
    first_submit = next(t for t, m in server.arrivals if m == "POST")
    first_poll = next(t for t, m in server.arrivals if m == "GET")
    # answered at +0.3 s; then 0.6 s ± 10% of waiting (at once, it would be at +0.6 s)
    assert first_poll - first_submit >= 0.8


def test_a_throttled_poll_is_waited_out_past_the_failure_budget(monkeypatch) -> None:
    from tarash.tarash_gateway import _engine
    from tarash.tarash_gateway.exceptions import HTTPError

    monkeypatch.setattr(_engine, "POLL_FAILURE_BUDGET", 0.3)
    with TimedEcho(polls=2) as server:
        server.inject("GET", r"/v1/jobs/.*", status=429, headers={"Retry-After": "0"}, times=4)
        response = generate_image(config(server), ImageGenerationRequest(prompt="fox"))
        assert response.status == "completed"  # a paid job is not failed for being throttled
        assert server.count("POST", r"/v1/jobs") == 1
    with TimedEcho(polls=2) as server:
        server.inject("GET", r"/v1/jobs/.*", status=503, times=4)
        with pytest.raises(HTTPError):  # an unwell provider still ends the attempt
            generate_image(config(server), ImageGenerationRequest(prompt="fox"))
