"""In-flight slots of one provider (per event loop, or across threads), waited for until a deadline.

Thousands of jobs can queue for a handful of slots. Giving each waiter its own
timer (``asyncio.timeout``, anyio's ``move_on_after``) cost about a fifth of the
client's CPU with 10,000 jobs queued for 16 slots (benchmarks/README.md), so
the queue keeps its waiters' deadlines in one heap and arms a single timer for
the earliest of them.

Cancels of paid jobs and the next request of an exchange under way (a finished
job's result) are ``urgent``: they go before everything queued, so a job timing
out is cancelled at once, and a finished job does not hold its answer for the
length of the queue. Everything else is first come, first served: status polls
wait their turn behind submits, which throttles them under overload (serving
polls first was measured: at 10,000 jobs they took the slots from the submits,
and half the jobs timed out).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections import deque


class SlotTimeout(Exception):
    """No slot came free before the waiter's deadline."""


class AsyncSlots:
    """``limit`` slots; ``urgent`` waiters are served first (deadlines: ``time.monotonic``)."""

    def __init__(self, limit: int) -> None:
        self.free = limit
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._deadlines: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = float("inf")

    def locked(self) -> bool:
        """No slot is free right now."""
        return self.free <= 0

    @property
    def backlogged(self) -> bool:
        """Requests are queued for a slot."""
        return bool(self._urgent or self._waiters)

    async def acquire(self, deadline: float | None = None, urgent: bool = False) -> None:
        """Take a slot; raise SlotTimeout when none came free by ``deadline``.

        ``urgent``: a request of a job already submitted, served before new submits.
        """
        if self.free > 0 and not self._urgent and not self._waiters:
            self.free -= 1
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        (self._urgent if urgent else self._waiters).append(waiter)
        if deadline is not None:
            heapq.heappush(self._deadlines, (deadline, next(self._order), waiter))
            if len(self._deadlines) > 2 * (len(self._urgent) + len(self._waiters)) + 64:
                self._compact()
            if deadline < self._timer_at:
                self._arm(loop, deadline)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # the slot was handed over as the task was cancelled
            raise

    def release(self) -> None:
        """Give the slot back: to the first live waiter (urgent ones first), else to the pool."""
        for queue in (self._urgent, self._waiters):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the slot passes straight to it
                    return
        self.free += 1

    def _compact(self) -> None:
        """Drop served waiters from the deadline heap (amortised O(1) per wait).

        A served waiter's entry would otherwise stay until its deadline (the call's
        timeout): at 10,000 jobs, three or more entries per job, kept all run long.
        """
        self._deadlines = [entry for entry in self._deadlines if not entry[2].done()]
        heapq.heapify(self._deadlines)

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = loop.call_later(max(0.0, when - time.monotonic()), self._expire, loop)

    def _expire(self, loop: asyncio.AbstractEventLoop) -> None:
        """Fail the waiters whose deadline passed; re-arm for the next one."""
        self._timer, self._timer_at = None, float("inf")
        now = time.monotonic()
        while self._deadlines:
            deadline, _, waiter = self._deadlines[0]
            if waiter.done():
                heapq.heappop(self._deadlines)  # served or cancelled meanwhile
            elif deadline <= now:
                heapq.heappop(self._deadlines)
                waiter.set_exception(SlotTimeout())
            else:
                self._arm(loop, deadline)
                return


class SyncSlots:
    """The same for threads: ``limit`` slots, ``urgent`` waiters served first."""

    def __init__(self, limit: int) -> None:
        self.free = limit
        self._changed = threading.Condition(threading.Lock())
        self._urgent_waiting = 0
        self._waiting = 0

    @property
    def backlogged(self) -> bool:
        """Threads are queued for a slot."""
        return self._waiting > 0

    def acquire(self, timeout: float | None = None, urgent: bool = False) -> bool:
        """Take a slot within ``timeout`` seconds; False when none came free."""
        with self._changed:
            if self.free > 0 and (urgent or not self._urgent_waiting):
                self.free -= 1
                return True
            self._waiting += 1
            if urgent:
                self._urgent_waiting += 1
            try:
                if not self._changed.wait_for(
                    lambda: self.free > 0 and (urgent or not self._urgent_waiting), timeout
                ):
                    return False
                self.free -= 1
                return True
            finally:
                self._waiting -= 1
                if urgent:
                    self._urgent_waiting -= 1
                    if not self._urgent_waiting:
                        self._changed.notify_all()  # submits may go now

    def release(self) -> None:
        """Give the slot back."""
        with self._changed:
            self.free += 1
            self._changed.notify_all()
