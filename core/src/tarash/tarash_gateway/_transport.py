"""Pooled HTTP clients and per-provider in-flight limits, shared by every call.

One ``httpx.Client`` serves every thread of the sync API; one
``httpx.AsyncClient`` serves each event loop and is closed when that loop
shuts down. Requests to one provider are bounded (``max_in_flight``) so that
thousands of concurrent jobs queue in the engine, cheaply, rather than inside
httpcore's pool, whose queue handling is quadratic (encode/httpcore#1035).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from tarash.tarash_gateway._version import __version__

USER_AGENT = f"tarash/{__version__}"


@dataclass
class HTTPSettings:
    """Settings of the shared clients; change them with :func:`configure_http`."""

    max_in_flight: int = int(os.environ.get("TARASH_MAX_IN_FLIGHT", "16"))
    max_connections: int = int(os.environ.get("TARASH_MAX_CONNECTIONS", "64"))
    connect_timeout: float = 10.0
    transport: httpx.BaseTransport | None = None
    async_transport: httpx.AsyncBaseTransport | None = None
    proxy: str | None = None


@dataclass
class _LoopState:
    client: httpx.AsyncClient
    limiters: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    closer: AsyncIterator[None] | None = None


settings = HTTPSettings()
_lock = threading.Lock()
_sync_client: httpx.Client | None = None
_sync_limiters: dict[str, threading.BoundedSemaphore] = {}
_loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = (
    weakref.WeakKeyDictionary()
)


def configure_http(
    *,
    max_in_flight: int | None = None,
    max_connections: int | None = None,
    connect_timeout: float | None = None,
    transport: httpx.BaseTransport | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
    proxy: str | None = None,
) -> None:
    """Tune the shared HTTP clients (applies to clients created afterwards).

    Args:
        max_in_flight: Requests in flight per provider (per event loop for async).
        max_connections: Connection-pool size of each client.
        connect_timeout: Seconds to establish a connection.
        transport: An ``httpx.BaseTransport`` for the sync client (tests: MockTransport).
        async_transport: An ``httpx.AsyncBaseTransport`` for async clients.
        proxy: Proxy URL for every request.
    """
    global _sync_client
    with _lock:
        if max_in_flight is not None:
            settings.max_in_flight = max_in_flight
        if max_connections is not None:
            settings.max_connections = max_connections
        if connect_timeout is not None:
            settings.connect_timeout = connect_timeout
        if transport is not None:
            settings.transport = transport
        if async_transport is not None:
            settings.async_transport = async_transport
        if proxy is not None:
            settings.proxy = proxy
        if _sync_client is not None:
            _sync_client.close()
            _sync_client = None
        _sync_limiters.clear()
        _loops.clear()


def reset_http() -> None:
    """Forget custom transports and limits and close the shared sync client."""
    global settings
    configure_http()
    settings = HTTPSettings()


def _client_options() -> dict[str, object]:
    return {
        "timeout": httpx.Timeout(60.0, connect=settings.connect_timeout),
        "limits": httpx.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
        ),
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": True,
        "proxy": settings.proxy,
    }


def sync_client() -> httpx.Client:
    """The process-wide sync client (created on first use)."""
    global _sync_client
    client = _sync_client
    if client is None:
        with _lock:
            if _sync_client is None:
                _sync_client = httpx.Client(transport=settings.transport, **_client_options())  # type: ignore[arg-type]
            client = _sync_client
    return client


def sync_limiter(provider: str) -> threading.BoundedSemaphore:
    """The bound on in-flight sync requests to ``provider``."""
    limiter = _sync_limiters.get(provider)
    if limiter is None:
        with _lock:
            limiter = _sync_limiters.setdefault(
                provider, threading.BoundedSemaphore(settings.max_in_flight)
            )
    return limiter


def _loop_state() -> _LoopState:
    loop = asyncio.get_running_loop()
    state = _loops.get(loop)
    if state is None:
        client = httpx.AsyncClient(transport=settings.async_transport, **_client_options())  # type: ignore[arg-type]
        state = _LoopState(client=client)
        state.closer = _close_at_loop_shutdown(client)
        # Starting the async generator registers it with the loop; asyncio.run()'s
        # shutdown_asyncgens() then finalises it, closing the client with the loop.
        loop.create_task(state.closer.__anext__())  # type: ignore[arg-type]
        _loops[loop] = state
    return state


async def _close_at_loop_shutdown(client: httpx.AsyncClient) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await client.aclose()


def async_client() -> httpx.AsyncClient:
    """The running event loop's shared async client."""
    return _loop_state().client


def async_limiter(provider: str) -> asyncio.Semaphore:
    """The bound on in-flight async requests to ``provider`` on this loop."""
    state = _loop_state()
    limiter = state.limiters.get(provider)
    if limiter is None:
        limiter = state.limiters[provider] = asyncio.Semaphore(settings.max_in_flight)
    return limiter


@atexit.register
def _close_sync_client() -> None:
    if _sync_client is not None:
        _sync_client.close()
