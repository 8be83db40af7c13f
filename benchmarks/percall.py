"""Per-call overhead: tarash's public API vs a minimal hand-written httpx client.

Both make the same three requests (submit, one status poll, result) against the
fake fal server (h11_server.py, its own process), whose jobs are done at the
first poll; rounds alternate the two so that machine noise hits both alike.
Each round records wall time and the client process's CPU time
(``time.process_time``: the server's work is not in it) per call.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx
from clients import handwritten_async, handwritten_sync, tarash_async, tarash_config, tarash_sync

Sample = tuple[float, float]  # (wall ms, client CPU ms) per call


def _per_call(fn: Any, calls: int) -> Sample:
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(calls):
        fn(i)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall / calls * 1000, cpu / calls * 1000


async def _per_call_async(fn: Any, calls: int) -> Sample:
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(calls):
        await fn(i)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall / calls * 1000, cpu / calls * 1000


def measure(url: str, rounds: int = 15, calls: int = 40) -> dict[str, Any]:
    """Median/min/max of per-call ms and of the tarash / hand-written ratio, sync and async."""
    config = tarash_config(url, interval=0.0)
    out: dict[str, Any] = {}
    with httpx.Client() as client:
        pairs = []
        for r in range(rounds):
            hand = lambda i, r=r: handwritten_sync(client, url, f"h{r}-{i}", 0.0)  # noqa: E731
            ours = lambda i, r=r: tarash_sync(config, f"t{r}-{i}")  # noqa: E731
            if r == 0:
                _per_call(hand, 5), _per_call(ours, 5)
            a, b = (
                (_per_call(hand, calls), _per_call(ours, calls))
                if r % 2
                else (tuple(reversed((_per_call(ours, calls), _per_call(hand, calls)))))
            )
            pairs.append((a, b))
        out["sync"] = _summary(pairs)

    async def run_async() -> list[tuple[Sample, Sample]]:
        pairs = []
        async with httpx.AsyncClient() as client:
            for r in range(rounds):

                async def hand(i: int, r: int = r) -> Any:
                    return await handwritten_async(client, url, f"ah{r}-{i}", 0.0)

                async def ours(i: int, r: int = r) -> Any:
                    return await tarash_async(config, f"at{r}-{i}")

                if r == 0:
                    await _per_call_async(hand, 5)
                    await _per_call_async(ours, 5)
                if r % 2:
                    a = await _per_call_async(hand, calls)
                    b = await _per_call_async(ours, calls)
                else:
                    b = await _per_call_async(ours, calls)
                    a = await _per_call_async(hand, calls)
                pairs.append((a, b))
        return pairs

    out["async"] = _summary(asyncio.run(run_async()))
    return out


def _summary(pairs: list[tuple[Sample, Sample]]) -> dict[str, dict[str, float]]:
    out = {}
    for index, name in ((0, "wall"), (1, "cpu")):
        hand = [a[index] for a, _ in pairs]
        ours = [b[index] for _, b in pairs]
        ratios = [b / a for a, b in zip(hand, ours, strict=True)]
        out[name] = {
            "handwritten_ms": round(statistics.median(hand), 3),
            "handwritten_min": round(min(hand), 3),
            "handwritten_max": round(max(hand), 3),
            "tarash_ms": round(statistics.median(ours), 3),
            "tarash_min": round(min(ours), 3),
            "tarash_max": round(max(ours), 3),
            "ratio_median": round(statistics.median(ratios), 3),
            "ratio_min": round(min(ratios), 3),
            "ratio_max": round(max(ratios), 3),
        }
    return out
