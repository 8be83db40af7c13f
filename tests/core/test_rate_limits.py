"""Per-provider request rates, 429 slow-downs of a provider's whole queue, adaptive polling."""

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
        self.paths: list[str] = []  # of each arrival
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
        self.paths.append(request.path)
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


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


def test_a_429_halves_the_measured_rate_for_its_retry_after(monkeypatch) -> None:
    from tarash.tarash_gateway import _transport

    clock = Clock()
    monkeypatch.setattr(_transport, "time", clock)
    limiter = _transport.RateLimiter(None)
    for _ in range(200):  # a second at 200 requests/s, no waits
        assert limiter.reserve() == 0.0
        clock.now += 0.005
    assert limiter.reserve() == 0.0  # closes the measured second
    limiter.slow_down(2.0)  # a 429 with Retry-After: 2
    waits = [limiter.reserve() for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.01, 0.02], rel=0.01)  # 100/s: half the rate
    clock.now += 1.0
    limiter.slow_down(2.0)  # another 429 in the period extends it, no second halving
    assert limiter.reserve() == 0.0 and limiter.reserve() == pytest.approx(0.01, rel=0.01)
    assert limiter.reserve(urgent=True) == pytest.approx(0.02, rel=0.01)  # queued, not slowed
    clock.now += 2.1  # a whole Retry-After without a 429: full speed again
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]


def test_a_429_slows_a_configured_rate_to_half() -> None:
    from tarash.tarash_gateway._transport import RateLimiter

    limiter = RateLimiter(50)  # 20 ms apart; nothing sent yet to measure
    limiter.slow_down(1.0)
    first, second = limiter.reserve(), limiter.reserve()
    assert second - first == pytest.approx(0.04, abs=0.005)


def test_a_429_slows_the_whole_provider_queue_without_stalling_it() -> None:
    """job-1's poll gets a 429 with Retry-After: 1. job-1 waits that second out; the
    other jobs' requests keep going meanwhile, at a slower pace."""
    with TimedEcho(polls=40) as server:
        server.inject("GET", r"/v1/jobs/job-1", status=429, headers={"Retry-After": "1"})
        started = time.monotonic()

        async def main() -> None:
            request = ImageGenerationRequest(prompt="fox")
            await asyncio.gather(*(generate_image_async(config(server), request) for _ in range(3)))

        asyncio.run(main())
    times = [t - started for t, _ in server.arrivals]
    job1 = [t for t, p in zip(times, server.paths, strict=True) if p == "/v1/jobs/job-1"]
    others = [t for t, p in zip(times, server.paths, strict=True) if p.startswith("/v1/jobs/job-")]
    refused_at = job1[0]
    assert job1[1] - refused_at >= 0.95  # the refused job waited out its Retry-After
    # ... while the other jobs went on polling within that second (past the requests
    # that were already on the wire when the 429 came)
    assert any(refused_at + 0.1 < t < refused_at + 0.9 for t in others if t not in job1)


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
