"""The clients compared by the benchmarks: tarash, and minimal hand-written httpx clients.

Every client makes the same requests against the fake fal queue: submit
(POST /fal-ai/flux/dev), status polls (GET status_url?logs=1) until COMPLETED,
then the result (GET response_url).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import httpx

MODEL = "fal-ai/flux/dev"
KEY = "bench-key"
HEADERS = {"Authorization": f"Key {KEY}"}


# ---------------------------------------------------------------- hand-written
def handwritten_sync(
    client: httpx.Client, url: str, prompt: str, interval: float
) -> dict[str, Any]:
    """Submit, poll, fetch the result with a plain httpx.Client."""
    job = client.post(f"{url}/{MODEL}", json={"prompt": prompt}, headers=HEADERS).json()
    while True:
        status = client.get(job["status_url"], params={"logs": "1"}, headers=HEADERS).json()
        if status["status"] == "COMPLETED":
            break
        time.sleep(interval)
    return client.get(job["response_url"], headers=HEADERS).json()  # type: ignore[no-any-return]


async def handwritten_async(
    client: httpx.AsyncClient,
    url: str,
    prompt: str,
    interval: float,
    limit: asyncio.Semaphore | None = None,
) -> dict[str, Any]:
    """The same with httpx.AsyncClient; ``limit`` bounds requests in flight."""

    async def send(method: str, target: str, **kwargs: Any) -> httpx.Response:
        if limit is None:
            return await client.request(method, target, headers=HEADERS, **kwargs)
        async with limit:
            return await client.request(method, target, headers=HEADERS, **kwargs)

    job = (await send("POST", f"{url}/{MODEL}", json={"prompt": prompt})).json()
    while True:
        status = (await send("GET", job["status_url"], params={"logs": "1"})).json()
        if status["status"] == "COMPLETED":
            break
        await asyncio.sleep(interval)
    return (await send("GET", job["response_url"])).json()  # type: ignore[no-any-return]


# ---------------------------------------------------------------- tarash
def tarash_config(url: str, interval: float, timeout: float = 120) -> Any:
    """An image config for the fake fal server."""
    from tarash.tarash_gateway.models import ImageGenerationConfig

    return ImageGenerationConfig(
        provider="fal",
        model=MODEL,
        api_key=KEY,
        base_url=url,
        poll_interval=interval,
        timeout=timeout,
        max_poll_attempts=10_000,
    )


def tarash_sync(config: Any, prompt: str) -> Any:
    """One generation through the public sync API."""
    from tarash.tarash_gateway import generate_image
    from tarash.tarash_gateway.models import ImageGenerationRequest

    return generate_image(config, ImageGenerationRequest(prompt=prompt))


async def tarash_async(config: Any, prompt: str) -> Any:
    """One generation through the public async API."""
    from tarash.tarash_gateway import generate_image_async
    from tarash.tarash_gateway.models import ImageGenerationRequest

    return await generate_image_async(config, ImageGenerationRequest(prompt=prompt))


# ---------------------------------------------------------------- measurements
def rss_kib(field: str = "VmRSS") -> int:
    """Resident (VmRSS) or peak resident (VmHWM) memory of this process, KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class ConnectionSampler:
    """Samples /proc/net/tcp for established connections to the server port."""

    def __init__(self, port: int, period: float = 0.05) -> None:
        self.port = port
        self.period = period
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def count(self) -> int:
        """Established client-side connections to the port right now."""
        total = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            if not os.path.exists(table):
                continue
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                    if remote_port == self.port and fields[3] == "01":
                        total += 1
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.count())
            self._stop.wait(self.period)

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
