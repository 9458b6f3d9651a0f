"""Waking a worker in another process: NOTIFYs of one process are coalesced, and none is lost."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from sereno.core import _outbox_wake

from tests.support.database import TEST_DB_URL


async def test_concurrent_wakes_send_one_notify_more_not_one_each(client):
    channel = f"test_wake_{uuid.uuid4().hex[:8]}"
    heard: list[str] = []
    ended = asyncio.Event()

    def on_notify(_conn, _pid, _channel, payload: str) -> None:
        heard.append(payload)
        if payload == "end":
            ended.set()

    listener = await asyncpg.connect(TEST_DB_URL)
    try:
        await listener.add_listener(channel, on_notify)
        # 50 commits want a wake-up at once: the first sends one; all the others, arriving while it is on its way,
        # share one more sent after it, so that a commit made just before any of the calls is still announced.
        await asyncio.gather(*(_outbox_wake.notify(channel) for _ in range(50)))
        await listener.execute(f"NOTIFY {channel}, 'end'")  # after both, in commit order
        await asyncio.wait_for(ended.wait(), timeout=10)
    finally:
        await listener.close()
    assert heard == ["", "", "end"]


async def test_a_lone_wake_is_sent_at_once(client):
    channel = f"test_wake_{uuid.uuid4().hex[:8]}"
    heard = asyncio.Event()
    listener = await asyncpg.connect(TEST_DB_URL)
    try:
        await listener.add_listener(channel, lambda *_: heard.set())
        await _outbox_wake.notify(channel)
        await asyncio.wait_for(heard.wait(), timeout=10)
    finally:
        await listener.close()
    assert heard.is_set()
