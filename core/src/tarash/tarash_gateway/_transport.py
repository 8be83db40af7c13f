"""Pooled HTTP clients and per-provider in-flight limits, shared by every call.

One connection pool (an ``httpx.HTTPTransport``) serves every thread of the
sync API; one ``httpx.AsyncHTTPTransport`` serves each event loop and is closed
when that loop shuts down. Flows' requests go straight to the pool: the core
already does what ``httpx.Client.send`` would add (timeouts, redirects), and an
API client keeps no cookies, so skipping the client's layers saves about a
quarter of the client CPU per request. (With proxies from the environment,
requests go through an ``httpx.Client``, which picks the proxy per URL.)
Requests to one provider are bounded (``max_in_flight``) so that thousands of
concurrent jobs queue in the engine, cheaply, rather than inside httpcore's
pool, whose queue handling is quadratic (encode/httpcore#1035).

:func:`send_sync` / :func:`send_async` send one request of a flow:

- the answer (headers and body) is read by the call's deadline plus READ_GRACE,
  however slowly the server trickles bytes (httpx's own timeouts are per read;
  the streams of the shared clients clamp each read, sync and async alike);
- answers that are not media are read up to ``max_response_bytes`` and refused
  beyond (a declared ``Content-Length`` over the cap is refused before reading);
- redirects are followed here, not by httpx: to another origin only neutral
  headers go along, so no provider key (``Authorization``, ``xi-api-key``,
  ``x-goog-api-key``, ...) ever reaches another host.

A provider may also get a rate (``rate_limits``, requests per second), shared by
every job, thread and event loop of the process; a 429 from a provider halves that
provider's request rate for its ``Retry-After``: the whole queue slows, not just the
job that got it (see :class:`RateLimiter`).
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import os
import threading
import time
import urllib.request
import weakref
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpcore
import httpx

from tarash.tarash_gateway._redact import redact_url
from tarash.tarash_gateway._retry_after import parse_retry_after
from tarash.tarash_gateway._slots import AsyncSlots, SyncSlots
from tarash.tarash_gateway._version import __version__
from tarash.tarash_gateway.exceptions import MalformedResponseError, ResultTooLargeError

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
    max_response_bytes: int = int(os.environ.get("TARASH_MAX_RESPONSE_BYTES", str(32 << 20)))
    max_media_bytes: int = int(os.environ.get("TARASH_MAX_MEDIA_BYTES", str(1 << 30)))
    max_redirects: int = 10
    rate_limits: dict[str, float] = field(
        default_factory=lambda: _rates_from_env(os.environ.get("TARASH_RATE_LIMITS", ""))
    )


MEDIA_TYPES = ("video/", "audio/", "image/", "application/octet-stream")
"""Content types of media answers: capped by ``max_media_bytes``, not ``max_response_bytes``."""
CROSS_ORIGIN_HEADERS = frozenset(
    {"user-agent", "accept", "accept-encoding", "accept-language", "content-type", "content-length"}
)
"""The only request headers a redirect carries to another origin."""


def _rates_from_env(text: str) -> dict[str, float]:
    """``"fal=10,openai=2.5"`` → ``{"fal": 10.0, "openai": 2.5}`` (requests per second)."""
    rates: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        rates[name.strip()] = float(value)
    return rates


class RateLimiter:
    """Spaces a provider's requests, process-wide, and slows them after a 429.

    ``reserve()`` books the next free slot and returns how long the caller must
    wait for it (sync callers sleep, async ones await); with a rate
    (``rate_limits``) slots are ``1 / rate`` apart. ``slow_down(seconds)`` (a 429's
    Retry-After) halves the provider's request rate, as measured over its last
    second at full speed, for ``seconds``. Further 429s in that period extend it
    without halving again: a stream of refusals slows the queue to half, never to a
    stall (a whole-queue pause per 429 was measured to stall 10,000 jobs on 1% of
    refused polls). The refused job itself waits out its Retry-After in the engine.
    ``urgent`` requests (a paid job's cancel) keep the configured spacing only.
    A lock guards a few floats: the hot path stays a few hundred nanoseconds.
    """

    __slots__ = (
        "interval",
        "next_free",
        "lock",
        "slow_interval",
        "slow_until",
        "window_start",
        "window_count",
        "recent_rate",
    )

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.next_free = 0.0
        self.lock = threading.Lock()
        self.slow_interval = 0.0
        self.slow_until = 0.0
        self.window_start = time.monotonic()
        self.window_count = 0
        self.recent_rate = 0.0  # requests per second over the last full-speed second

    def reserve(self, urgent: bool = False) -> float:
        """Book the next slot; the seconds to wait before sending (0: at once)."""
        now = time.monotonic()
        with self.lock:
            interval = self.interval
            if now < self.slow_until:
                if not urgent:
                    interval = max(interval, self.slow_interval)
            else:
                if now - self.window_start >= 1.0:
                    self.recent_rate = self.window_count / (now - self.window_start)
                    self.window_start, self.window_count = now, 0
                self.window_count += 1
            slot = max(now, self.next_free)
            self.next_free = slot + interval
        return slot - now

    def slow_down(self, seconds: float) -> None:
        """Halve this provider's request rate for ``seconds`` (once per period)."""
        now = time.monotonic()
        with self.lock:
            if now >= self.slow_until:  # a new period: half the rate measured before it
                elapsed = now - self.window_start
                rate = max(self.recent_rate, self.window_count / max(elapsed, 1.0))
                if not rate and self.interval:
                    rate = 1.0 / self.interval  # nothing measured yet: the configured rate
                self.slow_interval = min(seconds, 2.0 / rate) if rate else seconds
            self.slow_until = max(self.slow_until, now + seconds)
            self.window_start, self.window_count = self.slow_until, 0


@dataclass
class _SyncPool:
    client: httpx.Client  # media downloads (``stream``), on the same connections
    transport: httpx.BaseTransport | None  # None: proxies from the environment, via client


@dataclass
class _LoopState:
    client: httpx.AsyncClient
    transport: httpx.AsyncBaseTransport | None
    limiters: dict[str, AsyncSlots] = field(default_factory=dict)
    closer: AsyncIterator[None] | None = None


settings = HTTPSettings()
_lock = threading.Lock()
_sync_pool: _SyncPool | None = None
_sync_limiters: dict[str, SyncSlots] = {}
_rate_limiters: dict[str, RateLimiter] = {}
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
    max_response_bytes: int | None = None,
    rate_limits: dict[str, float] | None = None,
    max_media_bytes: int | None = None,
) -> None:
    """Tune the shared HTTP clients (applies to clients created afterwards).

    Args:
        max_in_flight: Requests in flight per provider (per event loop for async).
        max_connections: Connection-pool size of each client.
        connect_timeout: Seconds to establish a connection.
        transport: An ``httpx.BaseTransport`` for the sync client (tests: MockTransport).
        async_transport: An ``httpx.AsyncBaseTransport`` for async clients.
        proxy: Proxy URL for every request.
        max_response_bytes: Largest answer read into memory, media downloads
            excepted (default 32 MiB; ``TARASH_MAX_RESPONSE_BYTES``).
        rate_limits: Requests per second per provider id (``{"fal": 10}``), across
            every job of the process; also ``TARASH_RATE_LIMITS="fal=10,openai=5"``.
        max_media_bytes: Largest media answer (a result a flow downloads) read into
            memory (default 1 GiB; ``TARASH_MAX_MEDIA_BYTES``); beyond it
            ``ResultTooLargeError`` names the result's URL and job. Saving a URL
            result (``response.save``) streams to disk and is not capped by it.
    """
    global _sync_pool
    with _lock:
        if rate_limits is not None:
            settings.rate_limits = dict(rate_limits)
            _rate_limiters.clear()
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
        if max_response_bytes is not None:
            settings.max_response_bytes = max_response_bytes
        if max_media_bytes is not None:
            settings.max_media_bytes = max_media_bytes
        if _sync_pool is not None:
            _sync_pool.client.close()
            _sync_pool = None
        _sync_limiters.clear()
        _loops.clear()


def reset_http() -> None:
    """Forget custom transports and limits and close the shared sync client."""
    global settings
    configure_http()
    settings = HTTPSettings()
    _rate_limiters.clear()


TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""Timeouts of a request the engine has not time-boxed (media downloads, key fetches)."""


def _limits() -> httpx.Limits:
    return httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )


def _client_options() -> dict[str, object]:
    return {
        "cookies": CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),  # keeps none
        "timeout": httpx.Timeout(60.0, connect=settings.connect_timeout),
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": False,  # send_sync / send_async follow them, without keys
    }


def _routed_by_environment() -> bool:
    """Proxies come from the environment: httpx's client must pick one per URL."""
    return settings.proxy is None and bool(urllib.request.getproxies())


def _new_pool(client_type: Any, transport_type: Any, transport: Any) -> tuple[Any, Any]:
    """A client and the transport flows' requests go to, sync or async alike.

    ``transport`` is the user's (tests); else tarash's pool, its reads cut at the
    deadline. With proxies from the environment the transport is None: requests
    go through the client, which picks the proxy per URL.
    """
    if transport is None and not _routed_by_environment():
        transport = transport_type(limits=_limits(), proxy=settings.proxy)
        _bound_by_deadline(transport)
    client = client_type(transport=transport, limits=_limits(), **_client_options())
    if transport is None:
        _bound_by_deadline(client._transport)
    return client, transport


def _sync_pool_now() -> _SyncPool:
    global _sync_pool
    pool = _sync_pool
    if pool is None:
        with _lock:
            if _sync_pool is None:
                client, transport = _new_pool(httpx.Client, httpx.HTTPTransport, settings.transport)
                _sync_pool = _SyncPool(client, transport)
            pool = _sync_pool
    return pool


def sync_client() -> httpx.Client:
    """The process-wide sync client (created on first use), for media downloads."""
    return _sync_pool_now().client


def sync_limiter(provider: str) -> SyncSlots:
    """The bound on in-flight sync requests to ``provider``."""
    limiter = _sync_limiters.get(provider)
    if limiter is None:
        with _lock:
            limiter = _sync_limiters.setdefault(provider, SyncSlots(settings.max_in_flight))
    return limiter


def rate_limiter(provider: str) -> RateLimiter:
    """The process-wide request spacing of ``provider`` (no rate: only 429 slow-downs)."""
    limiter = _rate_limiters.get(provider)
    if limiter is None:
        with _lock:
            limiter = _rate_limiters.setdefault(
                provider, RateLimiter(settings.rate_limits.get(provider))
            )
    return limiter


def _loop_state() -> _LoopState:
    loop = asyncio.get_running_loop()
    state = _loops.get(loop)
    if state is None:
        client, transport = _new_pool(
            httpx.AsyncClient, httpx.AsyncHTTPTransport, settings.async_transport
        )
        state = _LoopState(client=client, transport=transport)
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


def async_limiter(provider: str) -> AsyncSlots:
    """The bound on in-flight async requests to ``provider`` on this loop."""
    state = _loop_state()
    limiter = state.limiters.get(provider)
    if limiter is None:
        limiter = state.limiters[provider] = AsyncSlots(settings.max_in_flight)
    return limiter


def backlogged(provider: str) -> bool:
    """Requests to ``provider`` wait for an in-flight slot (threads', or this event loop's)."""
    slots = _sync_limiters.get(provider)
    if slots is not None and slots.backlogged:
        return True
    try:
        state = _loops.get(asyncio.get_running_loop())
    except RuntimeError:
        return False
    queue = None if state is None else state.limiters.get(provider)
    return queue is not None and queue.backlogged


@atexit.register
def _close_sync_client() -> None:
    if _sync_pool is not None:
        _sync_pool.client.close()


# ---------------------------------------------------------------- sending
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "tarash_deadline", default=None
)


def _rate_of(request: httpx.Request) -> RateLimiter | None:
    provider = request.extensions.get("tarash_provider")
    return None if provider is None else rate_limiter(provider)


def _slow_on_429(rate: RateLimiter | None, response: httpx.Response) -> None:
    """A 429 slows the provider's whole queue for its Retry-After (1 s if none)."""
    if rate is None or response.status_code != 429:
        return
    seconds = parse_retry_after(response)
    rate.slow_down(min(seconds, 300.0) if seconds else 1.0)


def send_sync(
    request: httpx.Request, streamed: bool = False, urgent: bool = False
) -> httpx.Response:
    """Send ``request`` on the shared sync client, within its ``tarash_deadline``.

    ``streamed``: a successful answer is returned unread, for the flow to stream.
    ``urgent``: a paid job's cancel, which a 429's slow-down does not hold back.
    """
    deadline: float | None = request.extensions.get("tarash_deadline")
    rate = _rate_of(request)
    if rate is not None:
        wait = rate.reserve(urgent)
        if wait > 0:
            time.sleep(wait)
    token = _deadline.set(deadline)
    try:
        pool = _sync_pool_now()
        for _ in range(settings.max_redirects + 1):
            response = _open_sync(pool, request)
            _slow_on_429(rate, response)
            if streamed and response.status_code < 300:
                return response  # the flow reads it as it comes
            try:
                if not response.has_redirect_location:
                    return _read_sync(response, deadline)
            finally:
                response.close()
            request = redirect_request(request, response)
        raise httpx.TooManyRedirects(
            f"more than {settings.max_redirects} redirects", request=request
        )
    finally:
        _deadline.reset(token)


async def send_async(
    request: httpx.Request, streamed: bool = False, urgent: bool = False
) -> httpx.Response:
    """Send ``request`` on the loop's shared client (see :func:`send_sync`)."""
    deadline: float | None = request.extensions.get("tarash_deadline")
    rate = _rate_of(request)
    if rate is not None:
        wait = rate.reserve(urgent)
        if wait > 0:
            await asyncio.sleep(wait)
    token = _deadline.set(deadline)
    try:
        state = _loop_state()
        for _ in range(settings.max_redirects + 1):
            response = await _open_async(state, request)
            _slow_on_429(rate, response)
            if streamed and response.status_code < 300:
                return response  # the flow reads it as it comes
            try:
                if not response.has_redirect_location:
                    return await _read_async(response, deadline)
            finally:
                await response.aclose()
            request = redirect_request(request, response)
        raise httpx.TooManyRedirects(
            f"more than {settings.max_redirects} redirects", request=request
        )
    finally:
        _deadline.reset(token)


def _open_sync(pool: _SyncPool, request: httpx.Request) -> httpx.Response:
    """Send ``request``; the answer's headers are in, its body unread."""
    if pool.transport is None:
        return pool.client.send(request, stream=True)
    request.extensions.setdefault("timeout", TIMEOUT.as_dict())
    try:
        response = pool.transport.handle_request(request)
    except httpx.RequestError as exc:
        raise _naming(exc, request) from None
    response.request = request
    return response


async def _open_async(state: _LoopState, request: httpx.Request) -> httpx.Response:
    """Send ``request`` on the loop's pool; the answer's headers are in, its body unread."""
    if state.transport is None:
        return await state.client.send(request, stream=True)
    request.extensions.setdefault("timeout", TIMEOUT.as_dict())
    try:
        response = await state.transport.handle_async_request(request)
    except httpx.RequestError as exc:
        raise _naming(exc, request) from None
    response.request = request
    return response


def _naming(exc: httpx.RequestError, request: httpx.Request) -> httpx.RequestError:
    """``exc`` with its request set, as ``httpx.Client`` would have set it."""
    try:
        exc.request  # noqa: B018 - raises when the transport did not set it
    except RuntimeError:
        exc.request = request
    return exc


def redirect_request(request: httpx.Request, response: httpx.Response) -> httpx.Request:
    """The request a redirect asks for; to another origin it carries no credentials."""
    url = request.url.join(response.headers["location"])
    method = request.method
    if (response.status_code == 303 and method != "HEAD") or (
        response.status_code in (301, 302) and method == "POST"
    ):
        method = "GET"
    same_origin = (url.scheme, url.host, url.port) == (
        request.url.scheme,
        request.url.host,
        request.url.port,
    )
    headers = [
        (name, value)
        for name, value in request.headers.multi_items()
        if name.lower() != "host" and (same_origin or name.lower() in CROSS_ORIGIN_HEADERS)
    ]
    if method != request.method:  # the body is dropped with the method change
        drop = {"content-type", "content-length", "transfer-encoding"}
        headers = [(n, v) for n, v in headers if n.lower() not in drop]
        return httpx.Request(method, url, headers=headers, extensions=request.extensions)
    headers.insert(0, ("Host", url.netloc.decode("ascii")))  # not derived when a stream is given
    return httpx.Request(
        method, url, headers=headers, stream=request.stream, extensions=request.extensions
    )


def _is_media(response: httpx.Response) -> bool:
    content_type: str = response.headers.get("content-type", "")
    return content_type.lower().startswith(MEDIA_TYPES)


def _limit(response: httpx.Response) -> int:
    """How many bytes of ``response`` may be read into memory."""
    return settings.max_media_bytes if _is_media(response) else settings.max_response_bytes


def _check_declared_size(response: httpx.Response) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _limit(response):
        raise _too_large(response, f"declares a {int(declared)}-byte body")


def _read_sync(response: httpx.Response, deadline: float | None) -> httpx.Response:
    """``response`` read whole, within its size limit (see ``_limit``) and the deadline."""
    _check_declared_size(response)
    if "content-encoding" not in response.headers:
        response.stream = _Bounded(response, deadline)
        response.read()
        return response
    # decoded bytes can outgrow the wire's: count them as they are decoded
    limit = _limit(response)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise _too_large(response, f"sent more than {limit} bytes")
        chunks.append(chunk)
        _check_deadline(response, deadline)
    return _complete(response, b"".join(chunks))


async def _read_async(response: httpx.Response, deadline: float | None) -> httpx.Response:
    """As :func:`_read_sync`, for the async pool."""
    _check_declared_size(response)
    if "content-encoding" not in response.headers:
        response.stream = _Bounded(response, deadline)
        await response.aread()
        return response
    limit = _limit(response)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise _too_large(response, f"sent more than {limit} bytes")
        chunks.append(chunk)
        _check_deadline(response, deadline)
    return _complete(response, b"".join(chunks))


def _check_deadline(response: httpx.Response, deadline: float | None) -> None:
    if deadline is not None and time.monotonic() >= deadline + READ_GRACE:
        raise _deadline_reached(response.request)


_CLOSED: Any = httpx.ByteStream(b"")


class _Bounded(httpx.SyncByteStream, httpx.AsyncByteStream):
    """An unencoded answer's body, refused past the size limit or the deadline as it comes."""

    def __init__(self, response: httpx.Response, deadline: float | None) -> None:
        self._response = response
        self._stream = response.stream
        self._deadline = deadline
        self._limit = _limit(response)
        self._size = 0

    def _count(self, chunk: bytes) -> bytes:
        self._size += len(chunk)
        if self._size > self._limit:
            raise _too_large(self._response, f"sent more than {self._limit} bytes")
        _check_deadline(self._response, self._deadline)
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:  # type: ignore[union-attr]
            yield self._count(chunk)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:  # type: ignore[union-attr]
            yield self._count(chunk)

    def close(self) -> None:
        self._stream.close()  # type: ignore[union-attr]
        self._release()

    async def aclose(self) -> None:
        await self._stream.aclose()  # type: ignore[union-attr]
        self._release()

    def _release(self) -> None:
        # The response holds this stream: without this, each answer would be a
        # reference cycle, left for the cyclic collector (at 10,000 jobs, tens of
        # megabytes of answers waiting for it).
        self._response = self._stream = _CLOSED  # type: ignore[assignment]


def _complete(response: httpx.Response, content: bytes) -> httpx.Response:
    """A fully read copy of a streamed response (``content`` already decoded)."""
    drop = {b"content-encoding", b"content-length", b"transfer-encoding"}
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in drop]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=response.request,
        extensions=response.extensions,
    )


def _too_large(response: httpx.Response, what: str) -> MalformedResponseError | ResultTooLargeError:
    request = response.request
    if _is_media(response):
        url = redact_url(str(request.url))
        return ResultTooLargeError(
            f"{request.method} {url} answered {response.status_code} "
            f"({response.headers.get('content-type')}) and {what}, over the "
            f"{settings.max_media_bytes}-byte limit for media read into memory. The result "
            f"is not lost, it is still at {url}: raise the limit (configure_http("
            "max_media_bytes=...) or TARASH_MAX_MEDIA_BYTES) and wait for the job again "
            "(wait_for_job, tarash jobs resume)",
            url=url,
            limit=settings.max_media_bytes,
        )
    return MalformedResponseError(
        f"{request.method} {redact_url(str(request.url))} answered {response.status_code} "
        f"({response.headers.get('content-type', 'no content type')}) and {what}, over the "
        f"{settings.max_response_bytes}-byte limit for answers that are not media "
        "(configure_http(max_response_bytes=...))",
        status_code=response.status_code,
    )


def _deadline_reached(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout("the call's deadline passed during the request", request=request)


# ---------------------------------------------------------------- socket deadline
READ_GRACE = 0.5
"""Seconds past the deadline (or past a late request's last write) by which reads end.

Each read keeps httpx's own timeout (what was left of the call when the request
was prepared); the grace only bounds the total. A client starved of CPU may
write its request after the deadline: its answer still gets READ_GRACE seconds,
so a request sent is never abandoned unread, and a trickling server cannot hold
the call past max(deadline, last write) + READ_GRACE."""


def _bound_by_deadline(transport: object) -> None:
    """Cut every socket read of ``transport``'s pool at the deadline of the current call.

    httpx's read timeout applies to each read, so a server trickling a byte at a
    time would hold a call forever; the clamp makes the exchange end by the
    deadline (plus READ_GRACE). Connects and writes keep httpx's own timeouts:
    a request that is due goes out whole.
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is None or isinstance(backend, _DeadlineBackend | _AsyncDeadlineBackend):
        return
    is_async = isinstance(transport, httpx.AsyncBaseTransport)
    wrapper = _AsyncDeadlineBackend if is_async else _DeadlineBackend
    pool._network_backend = wrapper(backend)  # type: ignore[union-attr]


def _read_timeout(timeout: float | None, written: float) -> float | None:
    """``timeout`` cut so that the read ends READ_GRACE after the deadline (or last write)."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = max(deadline, written) + READ_GRACE - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream:
    """A sync network stream whose reads end by the current call's deadline."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._written = 0.0

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _read_timeout(timeout, self._written))  # type: ignore[no-any-return]

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout)
        self._written = time.monotonic()

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> Any:
        return _DeadlineStream(self._stream.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend:
    """httpcore's sync network backend, its streams wrapped in :class:`_DeadlineStream`."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        return _DeadlineStream(self._backend.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
        return _DeadlineStream(self._backend.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncDeadlineStream:
    """An async network stream whose reads end by the current call's deadline."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._written = 0.0

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        left = _read_timeout(timeout, self._written)
        return await self._stream.read(max_bytes, left)  # type: ignore[no-any-return]

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)
        self._written = time.monotonic()

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(self, *args: Any, **kwargs: Any) -> Any:
        return _AsyncDeadlineStream(await self._stream.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _AsyncDeadlineBackend:
    """httpcore's async network backend, its streams wrapped in :class:`_AsyncDeadlineStream`."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    async def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        return _AsyncDeadlineStream(await self._backend.connect_tcp(*args, **kwargs))

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
        return _AsyncDeadlineStream(await self._backend.connect_unix_socket(*args, **kwargs))

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)
