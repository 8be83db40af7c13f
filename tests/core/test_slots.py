"""In-flight slots: first come first served, deadlines, cancellation never leaks a slot."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tarash.tarash_gateway._slots import AsyncSlots, SlotTimeout, SyncSlots


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


def test_served_waiters_do_not_pile_up_until_their_deadline():
    async def main() -> int:
        slots = AsyncSlots(1)
        await slots.acquire()

        async def job() -> None:
            await slots.acquire(time.monotonic() + 600)  # served long before its deadline
            await asyncio.sleep(0)
            slots.release()

        for _ in range(50):  # 50 rounds of 20 queued waiters, each served at once
            tasks = [asyncio.create_task(job()) for _ in range(20)]
            await asyncio.sleep(0)
            slots.release()
            await asyncio.gather(*tasks)
            await slots.acquire()
        return len(slots._deadlines)

    assert asyncio.run(main()) <= 2 * 20 + 64  # not the 1,000 waits of the run


def test_urgent_requests_go_before_queued_ones():
    """A paid job's cancel is not queued behind a thousand new submits."""
    order: list[str] = []

    async def main() -> None:
        slots = AsyncSlots(1)
        await slots.acquire()

        async def one(name: str, urgent: bool) -> None:
            await slots.acquire(time.monotonic() + 5, urgent)
            order.append(name)
            slots.release()

        tasks = [asyncio.create_task(one(f"submit-{i}", False)) for i in range(3)]
        await asyncio.sleep(0.01)
        tasks += [asyncio.create_task(one(f"cancel-{i}", True)) for i in range(2)]
        await asyncio.sleep(0.01)
        slots.release()
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order == ["cancel-0", "cancel-1", "submit-0", "submit-1", "submit-2"]


def test_threads_get_the_same_order():
    slots = SyncSlots(1)
    assert slots.acquire()
    order: list[str] = []
    lock = threading.Lock()

    def one(name: str, urgent: bool) -> None:
        assert slots.acquire(5, urgent)
        with lock:
            order.append(name)
        slots.release()

    threads = [threading.Thread(target=one, args=("submit", False))]
    threads[0].start()
    time.sleep(0.05)
    threads += [threading.Thread(target=one, args=(f"cancel-{i}", True)) for i in range(2)]
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.05)
    slots.release()
    for thread in threads:
        thread.join(5)
    assert order[-1] == "submit" and sorted(order[:2]) == ["cancel-0", "cancel-1"]
    assert slots.free == 1  # every slot came back


def test_a_thread_gives_up_at_its_timeout():
    slots = SyncSlots(1)
    assert slots.acquire()
    started = time.monotonic()
    assert not slots.acquire(0.1)
    assert 0.08 <= time.monotonic() - started < 1.0
