"""One scale scenario in a fresh process (so its memory peak is its own); prints JSON.

    python benchmarks/scale.py CLIENT --url URL --jobs 1000 --interval 0.5 [--rate-limit N]
CLIENT: tarash-async | tarash-async-fixed | naive | bounded | tarash-sync-threads
``tarash-async-fixed`` replaces the engine's adaptive poll schedule (``_engine.poll_wait``)
with the fixed one it had before (the provider's hint, else ``poll_interval``): before/after
in one run.
``--rate-limit N`` sets tarash's per-provider cap (``configure_http(rate_limits={"fal": N})``)
and paces the hand-written bounded client to N requests/s.
Wall and CPU are timed from the end of the warm-up job; RSS growth is counted from before
it, so it includes what the first call loads (for tarash: the plugin, about 17 MiB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
from clients import (
    ConnectionSampler,
    handwritten_async,
    rss_kib,
    tarash_async,
    tarash_config,
    tarash_sync,
)

_after_warm_up: dict[str, float] = {}


def _warmed_up() -> None:
    """Start the clocks: the warm-up job (2–30 s of server time, at random) is not timed."""
    _after_warm_up.update(wall=time.perf_counter(), cpu=time.process_time())


async def _done(call: Any) -> bool:
    """Await one job and keep only that it completed: what is measured is the memory of
    jobs in flight, not of results a benchmark piles up (tarash's responses carry
    metadata a hand-written client's dicts do not)."""
    await call
    return True


def _outcome(results: list[Any]) -> tuple[int, Counter[str]]:
    errors: Counter[str] = Counter()
    done = 0
    for result in results:
        if isinstance(result, BaseException):
            from tarash.tarash_gateway.exceptions import TarashException

            kind = "TarashException." if isinstance(result, TarashException) else "unclear."
            errors[kind + type(result).__name__] += 1
        else:
            done += 1
    return done, errors


class Pacer:
    """The hand-written client's rate cap: at most ``rate`` request starts per second."""

    def __init__(self, rate: float) -> None:
        self.gap = 1.0 / rate
        self.next = 0.0
        self.lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        async with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.gap
        if start > now:
            await asyncio.sleep(start - now)

    async def __aexit__(self, *exc: object) -> None:
        return None


class Both:
    """Semaphore then pacer, as one async context manager."""

    def __init__(self, limit: asyncio.Semaphore, pacer: Pacer) -> None:
        self.limit, self.pacer = limit, pacer

    async def __aenter__(self) -> None:
        await self.limit.__aenter__()
        await self.pacer.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self.limit.__aexit__(*exc)


async def _run_async(
    client: str, url: str, jobs: int, interval: float, bound: int, rate: float, timeout: float = 120
) -> list[Any]:
    if client.startswith("tarash-async"):
        if client == "tarash-async-fixed":
            from tarash.tarash_gateway import _engine

            def fixed(
                polls: int, interval: float, hint: float | None, *_: object, **__: object
            ) -> float:
                return interval if hint is None else hint

            _engine.poll_wait = fixed  # type: ignore[attr-defined]
        config = tarash_config(url, interval, timeout)
        await tarash_async(config, "warm-up")
        _warmed_up()
        tasks = [_done(tarash_async(config, f"job-{i}")) for i in range(jobs)]
        return await asyncio.gather(*tasks, return_exceptions=True)
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits, timeout=120) as http:
        await handwritten_async(http, url, "warm-up", interval)
        _warmed_up()
        limit: Any = asyncio.Semaphore(bound) if client == "bounded" else None
        if limit is not None and rate:
            limit = Both(limit, Pacer(rate))
        tasks = [
            _done(handwritten_async(http, url, f"job-{i}", interval, limit)) for i in range(jobs)
        ]
        return await asyncio.gather(*tasks, return_exceptions=True)


def _run_threads(url: str, jobs: int, interval: float) -> list[Any]:
    config = tarash_config(url, interval)
    tarash_sync(config, "warm-up")
    _warmed_up()

    def one(i: int) -> Any:
        try:
            return tarash_sync(config, f"job-{i}")
        except Exception as exc:  # noqa: BLE001 - counted in the report
            return exc

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, range(jobs)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "client",
        choices=["tarash-async", "tarash-async-fixed", "naive", "bounded", "tarash-sync-threads"],
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--bound", type=int, default=10)
    parser.add_argument("--rate-limit", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="tarash's per-job timeout")
    args = parser.parse_args()
    rate_cap = "off"
    if args.rate_limit and args.client.startswith("tarash"):
        from tarash.tarash_gateway import configure_http

        try:
            configure_http(rate_limits={"fal": args.rate_limit})  # type: ignore[call-arg]
            rate_cap = f"{args.rate_limit:g}/s"
        except TypeError:
            rate_cap = "unsupported by this tarash"
    port = urlsplit(args.url).port or 80
    import tarash.tarash_gateway  # noqa: F401  (import cost outside the measurement)

    threads_before = threading.active_count()
    rss_before = rss_kib()
    cpu_before = time.process_time()
    started = time.perf_counter()
    with ConnectionSampler(port) as sampler:
        if args.client == "tarash-sync-threads":
            results = _run_threads(args.url, args.jobs, args.interval)
        else:
            results = asyncio.run(
                _run_async(
                    args.client,
                    args.url,
                    args.jobs,
                    args.interval,
                    args.bound,
                    args.rate_limit,
                    args.timeout,
                )
            )
    wall = time.perf_counter() - _after_warm_up.get("wall", started)
    done, errors = _outcome(results)
    time.sleep(0.2)
    print(
        json.dumps(
            {
                "client": args.client,
                "jobs": args.jobs,
                "wall_s": round(wall, 3),
                "cpu_s": round(time.process_time() - _after_warm_up.get("cpu", cpu_before), 3),
                "completed": done,
                "errors": dict(errors),
                "peak_connections": sampler.peak,
                "rss_growth_mib": round((rss_kib("VmHWM") - rss_before) / 1024, 1),
                "rss_bytes_per_job": round((rss_kib("VmHWM") - rss_before) * 1024 / args.jobs),
                "rate_cap": rate_cap,
                "threads_before": threads_before,
                "threads_after": threading.active_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
