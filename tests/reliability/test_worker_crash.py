"""Drill: the outbox worker (``sereno worker``) is killed (SIGKILL) while it is pushing notifications, with a
push in flight and more waiting, then started again. Every phone then has every notification exactly once.

The local push service (tests/support/push_endpoint.py) verifies VAPID and decrypts like a browser; it holds
one push unanswered so that the kill lands while a delivery is in flight, as it would on a slow network.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import asyncpg
import pytest

from sereno.notifications import service
from sereno.notifications.schemas import Audience, PushMessage
from sereno.notifications.vapid import load_vapid
from tests.reliability.drills import server_env
from tests.support.builders import TEST_CITY
from tests.support.push_endpoint import Browser, PushService

_PHONES = 6
_MESSAGES = 5
_HOLD_AFTER = 11  # pushes accepted before the one the kill interrupts
_WAIT_S = 30.0


@pytest.fixture
def push_service() -> Iterator[PushService]:
    push_service = PushService().start()
    yield push_service
    push_service.release()
    push_service.stop()


async def _phones(conn: asyncpg.Connection, push_service: PushService, tenant_id: int) -> list[Browser]:
    """One subscribed phone per staff account 1..N (the PWA's subscription, as the API would store it)."""
    keys = await load_vapid(conn)
    phones = []
    for account_id in range(1, _PHONES + 1):
        phone = push_service.new_browser(keys.public_key)
        subscription = phone.subscription()
        await conn.execute(
            "INSERT INTO push_subscription (tenant_id, kind, endpoint, p256dh, auth, account_id, language) "
            "VALUES ($1, 'webpush', $2, $3, $4, $5, 'es')",
            tenant_id, phone.endpoint, subscription["keys"]["p256dh"], subscription["keys"]["auth"], account_id,
        )
        phones.append(phone)
    return phones


async def _pending_pushes(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM outbox_event WHERE topic LIKE 'notify.%' AND done_at IS NULL")


async def test_killed_worker_delivers_every_pending_notification_once_after_restart(
    drill_db, media, processes, push_service
):
    conn = await asyncpg.connect(drill_db)
    try:
        tenant_id = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
        phones = await _phones(conn, push_service, tenant_id)
        everyone = Audience(account_ids=list(range(1, _PHONES + 1)))
        for n in range(_MESSAGES):
            async with conn.transaction():  # as a state change would, in its own transaction
                await service.enqueue_push(conn, tenant_id=tenant_id, audience=everyone,
                                           message=PushMessage(title=f"Aviso {n}", tag=f"aviso-{n}"))

        push_service.hold_after(_HOLD_AFTER)
        worker = await processes.worker(server_env(drill_db, media, SERENO_WORKER_IN_PROCESS="false"))
        assert await asyncio.to_thread(push_service.holding.wait, _WAIT_S), worker.tail()
        await worker.kill()
        push_service.release()
        assert push_service.accepted == _HOLD_AFTER

        await worker.start()

        async def delivered() -> None:
            while await _pending_pushes(conn):
                await asyncio.sleep(0.1)

        try:
            await asyncio.wait_for(delivered(), timeout=_WAIT_S)
        except TimeoutError:
            raise AssertionError(f"{await _pending_pushes(conn)} pushes still pending, "
                                 f"{push_service.accepted} accepted\n{worker.tail()}") from None
    finally:
        await conn.close()

    received = Counter((n, title) for n, phone in enumerate(phones) for title in phone.titles)
    expected = {(n, f"Aviso {m}"): 1 for n in range(_PHONES) for m in range(_MESSAGES)}
    assert received == expected
    assert push_service.rejected == []
    assert worker.errors() == [], worker.tail()
