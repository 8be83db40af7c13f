"""The two drivers of the engine: one sync, one async, for one generator.

The engine (``_engine.py``) is a generator that yields *effects* and receives
their results. These drivers are the only place where sync and async differ:

- :class:`Send` → send an ``httpx.Request`` on the pooled client, under the
  provider's in-flight limit; transport errors are thrown back into the engine;
- :class:`SendAll` → send several requests side by side (tasks / threads), answering
  a list of responses or transport errors;
- :class:`~tarash.tarash_gateway.plugin.Sleep` → ``time.sleep`` / ``asyncio.sleep``;
- :class:`Notify` → call a progress callback (awaiting it when it is async);
- :class:`CallHandler` → call a ``register_provider`` handler's method;
- :class:`Reserve` → take an in-flight slot now, for the program's next
  :class:`Send` (released by the driver if another effect comes first).

Cancellation (``asyncio.CancelledError``, ``KeyboardInterrupt``) raised while an
effect runs is thrown into the engine too, so it can cancel the remote job. A
submit request is the exception: it is allowed to finish first (its answer holds
the id of a job the user pays for), and the interruption is delivered right after.
Only a request already on the wire is waited for: the wait for an in-flight slot
stays interruptible, and a cancelled call never starts another billable request.

Each request carries the call's deadline (``request.extensions["tarash_deadline"]``,
a ``time.monotonic()`` value, set by the engine): the slot wait and the whole
exchange end by it (see ``_transport.send_sync`` / ``send_async``).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import anyio
import httpx

from tarash.tarash_gateway import _transport
from tarash.tarash_gateway._plugin_types import STREAM_EXTENSION, Sleep
from tarash.tarash_gateway._slots import AsyncSlots, SlotTimeout, SyncSlots

T = TypeVar("T")
logger = logging.getLogger("tarash")


class Send:
    """Effect: send ``request`` to ``provider``.

    ``must_finish``: the request creates a paid job; an interruption waits until
    its answer is in (then the engine can cancel that job).
    ``urgent``: the request cancels a paid job; it goes before queued requests.
    ``resumed``: a later request of a flow whose earlier one was answered (a finished
    job's result, the job creation after an upload); it goes before new work too:
    finishing what is under way gets results out sooner and frees what it holds.
    """

    __slots__ = ("request", "provider", "must_finish", "urgent", "resumed")

    def __init__(
        self,
        request: httpx.Request,
        provider: str,
        must_finish: bool = False,
        urgent: bool = False,
        resumed: bool = False,
    ) -> None:
        self.request = request
        self.provider = provider
        self.must_finish = must_finish
        self.urgent = urgent
        self.resumed = resumed


class Notify:
    """Effect: deliver a progress update to the user's callback."""

    __slots__ = ("callback", "update")

    def __init__(self, callback: Callable[[Any], Any], update: Any) -> None:
        self.callback = callback
        self.update = update


class CallHandler:
    """Effect: run a registered handler's ``generate_<modality>[_async]`` method."""

    __slots__ = ("handler", "modality", "args")

    def __init__(self, handler: Any, modality: str, args: tuple[Any, ...]) -> None:
        self.handler = handler
        self.modality = modality
        self.args = args


class SendAll:
    """Effect: send several requests to ``provider`` concurrently.

    Answers a list in request order: each ``httpx.Response``, or the
    ``httpx.HTTPError`` that request failed with. ``must_finish`` as for :class:`Send`.
    """

    __slots__ = ("requests", "provider", "must_finish")

    def __init__(
        self, requests: tuple[httpx.Request, ...], provider: str, must_finish: bool = False
    ) -> None:
        self.requests = requests
        self.provider = provider
        self.must_finish = must_finish


class Reserve:
    """Effect: take one of ``provider``'s in-flight slots now, for the next :class:`Send`.

    The engine yields it before a poll while the provider's queue is backed up, so
    that a waiting job holds no request (nor its flow) while it waits: at 10,000
    jobs that is most of them. Answers True once the slot is held; False when the
    deadline passed first (the next Send then queues as usual). The driver gives
    the slot back if the program's next effect is not a Send to ``provider``.
    """

    __slots__ = ("provider", "deadline")

    def __init__(self, provider: str, deadline: float) -> None:
        self.provider = provider
        self.deadline = deadline


Effect = Send | SendAll | Sleep | Notify | CallHandler | Reserve
Program = Generator[Effect, Any, T]


# ---------------------------------------------------------------- sync
def run_sync(program: Program[T]) -> T:
    """Drive ``program`` on the calling thread (works inside a running event loop too)."""
    value: Any = None
    error: BaseException | None = None
    deferred: BaseException | None = None
    held: _Held | None = None  # a slot taken by Reserve, for the next Send
    try:
        while True:
            try:
                effect = program.throw(error) if error is not None else program.send(value)
            except StopIteration as stop:
                if deferred is not None:
                    raise deferred from None
                return stop.value  # type: ignore[no-any-return]
            value, error = None, None
            if deferred is not None:  # deliver the interruption held back during a submit
                error, deferred = deferred, None
                continue
            held = _kept_for(effect, held)
            try:
                if isinstance(effect, Reserve):
                    held = _reserve_sync(effect)
                    value = held is not None
                elif held is not None:
                    slot, held = held, None
                    value = _send_on_sync(slot, effect)
                elif isinstance(effect, Send | SendAll) and effect.must_finish:
                    value, deferred = _send_uninterrupted(effect)
                else:
                    value = _perform_sync(effect)
            except BaseException as exc:  # noqa: BLE001 - delivered to the engine
                error = exc
    finally:
        if held is not None:
            held.release()


class _Held:
    """An in-flight slot a :class:`Reserve` took, waiting for the program's Send."""

    __slots__ = ("provider", "limiter")

    def __init__(self, provider: str, limiter: SyncSlots | AsyncSlots) -> None:
        self.provider = provider
        self.limiter = limiter

    def release(self) -> None:
        self.limiter.release()


def _kept_for(effect: Effect, held: _Held | None) -> _Held | None:
    """The slot ``held`` if ``effect`` is the plain Send to its provider, else released."""
    if held is None:
        return None
    if (
        isinstance(effect, Send)
        and effect.provider == held.provider
        and not effect.must_finish
        and not effect.urgent
    ):
        return held
    held.release()
    return None


def _reserve_sync(effect: Reserve) -> _Held | None:
    limiter = _transport.sync_limiter(effect.provider)
    if limiter.acquire(max(0.0, effect.deadline - time.monotonic())):
        return _Held(effect.provider, limiter)
    return None


def _send_on_sync(slot: _Held, effect: Effect) -> httpx.Response:
    """Send ``effect`` (a Send) on the slot already held; give the slot back after."""
    assert isinstance(effect, Send)
    try:
        return _transport.send_sync(effect.request, _streamed(effect.request))
    finally:
        slot.release()


def _send_uninterrupted(effect: Send | SendAll) -> tuple[Any, BaseException | None]:
    """Send with Ctrl-C held back (main thread only); return the interruption to deliver.

    The SIGINT handler in place (Python's, or the application's) is called once
    the answer is in, and what it raises is delivered to the engine afterwards.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        return _perform_sync(effect), None
    if isinstance(effect, Send):
        # interruptible while it waits for the slot: nothing is sent yet
        with _sync_slot(effect.request, effect.provider, urgent=effect.resumed):
            return _holding_sigint(effect, previous, threading.Event())
    return _holding_sigint(effect, previous, threading.Event())


def _holding_sigint(
    effect: Send | SendAll, previous: Any, abandon: threading.Event
) -> tuple[Any, BaseException | None]:
    interrupted: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        interrupted.append(signum)
        abandon.set()  # requests of a SendAll not sent yet stay unsent

    signal.signal(signal.SIGINT, hold)
    try:
        if isinstance(effect, Send):
            value: Any = _transport.send_sync(effect.request, _streamed(effect.request))
        else:
            value = _send_all_sync(effect, abandon)
    except BaseException:
        signal.signal(signal.SIGINT, previous)
        if interrupted:
            previous(signal.SIGINT, None)
        raise
    signal.signal(signal.SIGINT, previous)
    if interrupted:
        try:
            previous(signal.SIGINT, None)
        except BaseException as exc:  # noqa: BLE001 - delivered to the engine next
            return value, exc
    return value, None


class _sync_slot:  # noqa: N801 - used as a function: ``with _sync_slot(...)``
    """Hold one of ``provider``'s in-flight slots; give up at the request's deadline.

    ``urgent`` requests (cancels of paid jobs) go first, as in :class:`_async_slot`.
    (A class, not ``@contextmanager``: it is on every request's path.)
    """

    __slots__ = ("limiter", "request", "urgent")

    def __init__(self, request: httpx.Request, provider: str, urgent: bool) -> None:
        self.limiter = _transport.sync_limiter(provider)
        self.request = request
        self.urgent = urgent

    def __enter__(self) -> None:
        deadline = self.request.extensions.get("tarash_deadline")
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not self.limiter.acquire(timeout, self.urgent):
            raise httpx.PoolTimeout(
                "no free in-flight slot before the deadline", request=self.request
            )

    def __exit__(self, *exc: object) -> None:
        self.limiter.release()


def _perform_sync(effect: Effect) -> Any:
    if isinstance(effect, Send):
        with _sync_slot(effect.request, effect.provider, effect.urgent or effect.resumed):
            return _transport.send_sync(effect.request, _streamed(effect.request), effect.urgent)
    if isinstance(effect, SendAll):
        return _send_all_sync(effect)
    if isinstance(effect, Sleep):
        if effect.seconds > 0:
            time.sleep(effect.seconds)
        return None
    if isinstance(effect, Notify):
        result = effect.callback(effect.update)
        if inspect.isawaitable(result):
            _portal_run(result)
        return None
    assert isinstance(effect, CallHandler)  # (Reserve is run_sync's own)
    method = getattr(effect.handler, f"generate_{effect.modality}", None)
    if method is not None:
        return method(*_handler_args(effect, None))
    async_method = getattr(effect.handler, f"generate_{effect.modality}_async")
    loop = _portal()
    return _portal_run(_call_async_handler(async_method, effect, loop))


def _send_all_sync(
    effect: SendAll, abandon: threading.Event | None = None
) -> list[httpx.Response | httpx.HTTPError]:
    """One thread per request (the pooled client is thread-safe); failures in place."""

    def one(request: httpx.Request) -> httpx.Response | httpx.HTTPError:
        try:
            with _sync_slot(request, effect.provider, urgent=False):
                if abandon is not None and abandon.is_set():
                    return _not_sent(request)
                return _transport.send_sync(request, _streamed(request))
        except httpx.HTTPError as exc:
            return exc

    if len(effect.requests) == 1:
        return [one(effect.requests[0])]
    with ThreadPoolExecutor(len(effect.requests), thread_name_prefix="tarash-send") as pool:
        return list(pool.map(one, effect.requests))


_portal_loop: asyncio.AbstractEventLoop | None = None
_portal_lock = threading.Lock()


def _portal_run(awaitable: Awaitable[T]) -> T:
    """Run a coroutine from sync code, even when this thread has a running loop.

    Coroutines go to one daemon thread with its own loop (never ``asyncio.run``
    inside the caller's thread, which fails under Jupyter and async servers).
    """
    coroutine: Coroutine[Any, Any, T] = _as_coroutine(awaitable)
    return asyncio.run_coroutine_threadsafe(coroutine, _portal()).result()


def _portal() -> asyncio.AbstractEventLoop:
    """The portal's event loop, started on first use."""
    global _portal_loop
    with _portal_lock:
        if _portal_loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="tarash-portal", daemon=True).start()
            _portal_loop = loop
        return _portal_loop


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


# ---------------------------------------------------------------- async
async def run_async(program: Program[T]) -> T:
    """Drive ``program`` on the running event loop.

    Once the task is cancelled, the engine's remaining effects (cancelling the
    remote job, bounded by their own timeouts) run shielded, so that cancel
    scopes (anyio ``move_on_after``, ``asyncio.timeout``) cannot abort them.
    """
    value: Any = None
    error: BaseException | None = None
    deferred: BaseException | None = None
    shielded = False
    held: _Held | None = None  # a slot taken by Reserve, for the next Send
    try:
        while True:
            try:
                effect = program.throw(error) if error is not None else program.send(value)
            except StopIteration as stop:
                if deferred is not None:
                    raise deferred from None
                return stop.value  # type: ignore[no-any-return]
            value, error = None, None
            if deferred is not None:  # deliver the cancellation held back during a submit
                error, deferred = deferred, None
                continue
            held = _kept_for(effect, held)
            try:
                if isinstance(effect, Reserve):
                    held = await _reserve_async(effect)
                    value = held is not None
                elif held is not None:
                    slot, held = held, None
                    value = await _send_on_async(slot, effect)
                elif shielded:
                    with anyio.CancelScope(shield=True):
                        value = await _perform_async(effect)
                elif isinstance(effect, Send | SendAll) and effect.must_finish:
                    value, deferred = await _send_uncancelled(effect)
                    shielded = deferred is not None
                else:
                    value = await _perform_async(effect)
            except BaseException as exc:  # noqa: BLE001 - delivered to the engine
                error = exc
                shielded = shielded or isinstance(exc, asyncio.CancelledError)
    finally:
        if held is not None:
            held.release()


async def _reserve_async(effect: Reserve) -> _Held | None:
    limiter = _transport.async_limiter(effect.provider)
    try:
        await limiter.acquire(effect.deadline)
    except SlotTimeout:
        return None
    return _Held(effect.provider, limiter)


async def _send_on_async(slot: _Held, effect: Effect) -> httpx.Response:
    """Send ``effect`` (a Send) on the slot already held; give the slot back after."""
    assert isinstance(effect, Send)
    try:
        return await _transport.send_async(effect.request, _streamed(effect.request))
    finally:
        slot.release()


async def _send_uncancelled(effect: Send | SendAll) -> tuple[Any, BaseException | None]:
    """Send; if cancelled meanwhile, let the request finish and return the cancellation.

    The wait for an in-flight slot is not shielded: a call cancelled before its
    submit went out never sends it (nor the requests of a SendAll still waiting).
    """
    if isinstance(effect, Send):
        async with _async_slot(effect.request, effect.provider, urgent=effect.resumed):
            return await _finish_shielded(
                _transport.send_async(effect.request, _streamed(effect.request)), None
            )
    abandon = threading.Event()
    return await _finish_shielded(_send_all_async(effect, abandon), abandon)


async def _finish_shielded(
    sending: Coroutine[Any, Any, Any], abandon: threading.Event | None
) -> tuple[Any, BaseException | None]:
    task = asyncio.ensure_future(sending)
    try:
        return await asyncio.shield(task), None
    except asyncio.CancelledError as cancelled:
        if abandon is not None:
            abandon.set()
        with anyio.CancelScope(shield=True):
            try:
                value = await task
            except BaseException:
                raise cancelled from None
        return value, cancelled


class _async_slot:  # noqa: N801 - used as a function: ``async with _async_slot(...)``
    """Hold one of ``provider``'s in-flight slots on this loop; give up at the deadline.

    ``urgent`` requests (cancels of paid jobs) are served before queued ones
    (see ``_slots``).
    """

    __slots__ = ("limiter", "request", "urgent")

    def __init__(self, request: httpx.Request, provider: str, urgent: bool) -> None:
        self.limiter = _transport.async_limiter(provider)
        self.request = request
        self.urgent = urgent

    async def __aenter__(self) -> None:
        try:
            deadline = self.request.extensions.get("tarash_deadline")
            await self.limiter.acquire(deadline, self.urgent)
        except SlotTimeout:
            raise httpx.PoolTimeout(
                "no free in-flight slot before the deadline", request=self.request
            ) from None

    async def __aexit__(self, *exc: object) -> None:
        self.limiter.release()


def _streamed(request: httpx.Request) -> bool:
    """The flow marked ``request`` streamed(): its successful answer is read as it comes."""
    return bool(request.extensions.get(STREAM_EXTENSION))


def _not_sent(request: httpx.Request) -> httpx.HTTPError:
    """What a request of a cancelled SendAll answers: it never went out."""
    return httpx.ConnectError("not sent: the call was cancelled", request=request)


async def _perform_async(effect: Effect) -> Any:
    if isinstance(effect, Send):
        async with _async_slot(effect.request, effect.provider, effect.urgent or effect.resumed):
            return await _transport.send_async(
                effect.request, _streamed(effect.request), effect.urgent
            )
    if isinstance(effect, SendAll):
        return await _send_all_async(effect)
    if isinstance(effect, Sleep):
        await asyncio.sleep(max(0.0, effect.seconds))
        return None
    if isinstance(effect, Notify):
        result = effect.callback(effect.update)
        if inspect.isawaitable(result):
            await result
        return None
    assert isinstance(effect, CallHandler)  # (Reserve is run_async's own)
    loop = asyncio.get_running_loop()
    method = getattr(effect.handler, f"generate_{effect.modality}_async", None)
    if method is not None:
        return await _call_async_handler(method, effect, loop)
    sync_method = getattr(effect.handler, f"generate_{effect.modality}")
    return await asyncio.to_thread(sync_method, *_handler_args(effect, loop))


# ---------------------------------------------------------------- handlers' on_progress
class _Done:
    """An awaitable that is already done (what a delivered update returns)."""

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield


_DONE = _Done()


class ProgressRelay:
    """The ``on_progress`` a registered handler receives: takes sync and async callbacks.

    Calling it delivers the update and returns an awaitable, so handler code may
    call it plainly or ``await`` it. A coroutine callback runs to completion
    before the call returns when the handler runs in a thread (sync handlers,
    sync API); from async handler code on ``loop`` it runs as a task, awaited by
    whoever awaits the call and by the driver before the handler's result is
    returned. Errors of the callback are logged, never raised (as for plugins).
    """

    def __init__(
        self, callback: Callable[[Any], Any], loop: asyncio.AbstractEventLoop | None
    ) -> None:
        self.callback = callback
        self._loop = loop  # None: coroutines go to the portal
        self._pending: set[asyncio.Task[None]] = set()

    def __call__(self, update: Any) -> Awaitable[None]:
        try:
            result = self.callback(update)
        except Exception:
            logger.exception("tarash: the on_progress callback raised; generation continues")
            return _DONE
        if not inspect.isawaitable(result):
            return _DONE
        if self._loop is None:
            _portal_run(_guarded(result))
        elif _running_loop() is self._loop:
            task = self._loop.create_task(_guarded(result))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return task
        else:
            asyncio.run_coroutine_threadsafe(_guarded(result), self._loop).result()
        return _DONE

    async def drain(self) -> None:
        """Wait for the updates still being delivered."""
        while self._pending:
            await asyncio.gather(*self._pending)


async def _guarded(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception:
        logger.exception("tarash: the on_progress callback raised; generation continues")


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _handler_args(effect: CallHandler, loop: asyncio.AbstractEventLoop | None) -> tuple[Any, ...]:
    config, request, on_progress = effect.args
    return config, request, None if on_progress is None else ProgressRelay(on_progress, loop)


async def _call_async_handler(
    method: Callable[..., Awaitable[T]], effect: CallHandler, loop: asyncio.AbstractEventLoop
) -> T:
    args = _handler_args(effect, loop)
    try:
        return await method(*args)
    finally:
        if isinstance(args[2], ProgressRelay):
            await args[2].drain()


async def _send_all_async(
    effect: SendAll, abandon: threading.Event | None = None
) -> list[httpx.Response | httpx.HTTPError]:
    """One task per request; transport failures in place, anything else raised."""

    async def one(request: httpx.Request) -> httpx.Response | httpx.HTTPError:
        try:
            async with _async_slot(request, effect.provider, urgent=False):
                if abandon is not None and abandon.is_set():
                    return _not_sent(request)
                return await _transport.send_async(request, _streamed(request))
        except httpx.HTTPError as exc:
            return exc

    return list(await asyncio.gather(*(one(request) for request in effect.requests)))
