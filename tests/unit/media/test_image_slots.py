"""The image pool hands its free children to confirmations (someone is waiting) before renditions."""

from __future__ import annotations

import asyncio

import pytest
from sereno.media.pool import _Slots


async def _settle() -> None:
    for _ in range(5):  # let the waiting tasks reach their queue (event-loop turns, not time)
        await asyncio.sleep(0)


async def test_a_waiting_confirmation_gets_the_next_child_before_earlier_renditions() -> None:
    slots, order = _Slots(1), []
    await slots.acquire(background=False)  # a job running

    async def job(name: str, background: bool) -> None:
        await slots.acquire(background=background)
        order.append(name)

    tasks = [asyncio.create_task(job("rendition 1", True))]
    await _settle()
    tasks.append(asyncio.create_task(job("rendition 2", True)))
    await _settle()
    tasks.append(asyncio.create_task(job("confirmation", False)))
    await _settle()
    for _ in tasks:
        slots.release()
        await _settle()
    await asyncio.gather(*tasks)

    assert order == ["confirmation", "rendition 1", "rendition 2"]


async def test_a_free_child_is_not_taken_by_a_rendition_while_a_confirmation_waits() -> None:
    slots = _Slots(1)
    await slots.acquire(background=False)
    confirmation = asyncio.create_task(slots.acquire(background=False))
    await _settle()
    slots.release()  # the confirmation's now
    rendition = asyncio.create_task(slots.acquire(background=True))
    await _settle()

    assert confirmation.done() and not rendition.done()
    slots.release()
    await asyncio.wait_for(rendition, 5)


async def test_a_cancelled_waiter_neither_loses_nor_keeps_a_child() -> None:
    slots = _Slots(1)
    await slots.acquire(background=False)
    gone = asyncio.create_task(slots.acquire(background=True))
    await _settle()
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    slots.release()

    assert slots.free == 1 and not any(slots.waiting)
    await asyncio.wait_for(slots.acquire(background=True), 5)  # the child is there for the next one
