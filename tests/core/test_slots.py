"""In-flight slots: first come first served, deadlines, cancellation never leaks a slot."""

from __future__ import annotations

import asyncio
import time

import pytest

from tarash.tarash_gateway._slots import AsyncSlots, SlotTimeout


def test_slots_are_handed_over_in_arrival_order():
    order: list[int] = []

    async def main() -> None:
        slots = AsyncSlots(1)
        await slots.acquire()

        async def job(number: int) -> None:
            await slots.acquire(time.monotonic() + 5)
            order.append(number)
            slots.release()

        tasks = [asyncio.create_task(job(n)) for n in range(5)]
        await asyncio.sleep(0.01)
        assert order == []
        slots.release()
        await asyncio.gather(*tasks)
        assert slots.free == 1

    asyncio.run(main())
    assert order == [0, 1, 2, 3, 4]


def test_a_waiter_past_its_deadline_fails_while_later_deadlines_keep_waiting():
    async def main() -> None:
        slots = AsyncSlots(1)
        await slots.acquire()
        now = time.monotonic()
        late = asyncio.create_task(slots.acquire(now + 5))  # queued first, later deadline
        soon = asyncio.create_task(slots.acquire(now + 0.1))
        started = time.monotonic()
        with pytest.raises(SlotTimeout):
            await soon
        assert 0.08 <= time.monotonic() - started < 1.0
        assert not late.done()
        slots.release()
        await late  # the slot goes to the waiter still in time
        assert slots.free == 0
        slots.release()
        assert slots.free == 1

    asyncio.run(main())


def test_a_passed_deadline_fails_at_once_only_when_no_slot_is_free():
    async def main() -> None:
        slots = AsyncSlots(1)
        await slots.acquire(time.monotonic() - 1)  # free: taken, however late
        with pytest.raises(SlotTimeout):
            await slots.acquire(time.monotonic() - 1)

    asyncio.run(main())


@pytest.mark.parametrize("when", ["while waiting", "as the slot is handed over"])
def test_cancelling_a_waiter_never_leaks_a_slot(when):
    async def main() -> None:
        slots = AsyncSlots(1)
        await slots.acquire()
        waiter = asyncio.create_task(slots.acquire(time.monotonic() + 5))
        await asyncio.sleep(0.01)
        if when == "as the slot is handed over":
            slots.release()  # handed to the waiter, which has not run yet
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        if when == "while waiting":
            slots.release()
        assert slots.free == 1
        await asyncio.wait_for(slots.acquire(), 1)  # the slot is really there

    asyncio.run(main())


def test_thousands_of_waiters_share_one_timer():
    """Each waiter does not arm its own timer: one, at the earliest deadline."""

    async def main() -> None:
        slots = AsyncSlots(1)
        await slots.acquire()
        loop = asyncio.get_running_loop()
        armed = 0
        call_later = loop.call_later

        def counting(*args: object, **kwargs: object) -> asyncio.TimerHandle:
            nonlocal armed
            armed += args[1] == slots._expire  # asyncio.sleep arms timers too
            return call_later(*args, **kwargs)  # type: ignore[arg-type]

        loop.call_later = counting  # type: ignore[method-assign]
        now = time.monotonic()
        tasks = [asyncio.create_task(slots.acquire(now + 30 + i / 1000)) for i in range(2000)]
        await asyncio.sleep(0.01)
        assert armed == 1
        for _ in tasks:
            slots.release()
        await asyncio.gather(*tasks)

    asyncio.run(main())
