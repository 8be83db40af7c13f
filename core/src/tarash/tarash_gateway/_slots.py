"""In-flight slots of one provider on one event loop, waited for until a deadline.

Thousands of jobs can queue for a handful of slots. Giving each waiter its own
timer (``asyncio.timeout``, anyio's ``move_on_after``) cost about a fifth of the
client's CPU with 10,000 jobs queued for 16 slots (benchmarks/README.md), so
the queue keeps its waiters' deadlines in one heap and arms a single timer for
the earliest of them.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque


class SlotTimeout(Exception):
    """No slot came free before the waiter's deadline."""


class AsyncSlots:
    """``limit`` slots, handed out first come, first served (deadlines: ``time.monotonic``)."""

    def __init__(self, limit: int) -> None:
        self.free = limit
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._deadlines: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = float("inf")

    def locked(self) -> bool:
        """No slot is free right now."""
        return self.free <= 0

    async def acquire(self, deadline: float | None = None) -> None:
        """Take a slot; raise SlotTimeout when none came free by ``deadline``."""
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        if deadline is not None:
            heapq.heappush(self._deadlines, (deadline, next(self._order), waiter))
            if deadline < self._timer_at:
                self._arm(loop, deadline)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # the slot was handed over as the task was cancelled
            raise

    def release(self) -> None:
        """Give the slot back: to the first live waiter, else to the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes straight to it
                return
        self.free += 1

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
