"""The outbox: delivered only after commit, retried with back-off after a failure, redelivered after a crash."""

from __future__ import annotations

import uuid

from sereno.core import _outbox_wake
from sereno.core import db as core_db
from sereno.core.outbox import Batched, OutboxWorker, enqueue


def _topic() -> str:
    return f"test.{uuid.uuid4().hex[:8]}"


async def _make_due(conn, topic: str) -> None:
    """Its delay, back-off or lease is over."""
    await conn.execute("UPDATE outbox_event SET available_at = now(), leased_until = NULL WHERE topic = $1", topic)


async def test_event_of_a_rolled_back_transaction_is_never_delivered(client, db):
    topic, seen = _topic(), []

    async def handler(message):
        seen.append(message.payload)

    class Rollback(Exception):
        pass

    try:
        async with core_db.transaction() as conn:
            await enqueue(conn, topic=topic, payload={"n": 1}, tenant_id=None)
            raise Rollback
    except Rollback:
        pass
    async with core_db.transaction() as conn:
        await enqueue(conn, topic=topic, payload={"n": 2}, tenant_id=None)
    await OutboxWorker({topic: handler}).drain()
    assert seen == [{"n": 2}]


async def test_failed_delivery_is_retried_later_and_then_marked_done(client, db):
    topic, attempts = _topic(), []

    async def flaky(message):
        attempts.append(message.attempts)
        if len(attempts) == 1:
            raise ConnectionError("push service down")

    worker = OutboxWorker({topic: flaky})
    async with core_db.transaction() as conn:
        await enqueue(conn, topic=topic, payload={}, tenant_id=None)
    await worker.drain()
    row = await db.fetchrow("SELECT * FROM outbox_event WHERE topic = $1", topic)
    assert row["done_at"] is None and "push service down" in row["last_error"]
    assert await db.fetchval("SELECT available_at > now() FROM outbox_event WHERE topic = $1", topic)
    assert await worker.drain() == 0  # backing off: not due yet

    await _make_due(db, topic)
    await worker.drain()
    row = await db.fetchrow("SELECT * FROM outbox_event WHERE topic = $1", topic)
    assert attempts == [1, 2] and row["done_at"] is not None and row["last_error"] is None


async def test_event_claimed_by_a_worker_that_crashed_is_delivered_after_the_lease(client, db):
    topic, seen = _topic(), []
    async with core_db.transaction() as conn:
        await enqueue(conn, topic=topic, payload={"k": "v"}, tenant_id=None)
    # A worker claims the event and dies before delivering: the claim is only a lease.
    claimed = await db.fetch(
        "UPDATE outbox_event SET leased_until = now() + interval '120 seconds', attempts = attempts + 1 "
        "WHERE topic = $1 RETURNING id",
        topic,
    )
    assert len(claimed) == 1

    async def handler(message):
        seen.append(message.id)

    worker = OutboxWorker({topic: handler})
    assert await worker.drain() == 0  # leased to the dead worker
    await _make_due(db, topic)  # the lease runs out
    await worker.drain()
    assert seen == [claimed[0]["id"]]


async def test_delayed_event_waits_until_due(client, db):
    topic, seen = _topic(), []

    async def handler(message):
        seen.append(message.id)

    async with core_db.transaction() as conn:
        await enqueue(conn, topic=topic, payload={}, tenant_id=None, delay_s=3600)
    worker = OutboxWorker({topic: handler})
    await worker.drain()
    assert seen == []
    await _make_due(db, topic)
    await worker.drain()
    assert len(seen) == 1


async def test_worker_leaves_topics_it_does_not_handle(client, db):
    mine, other = _topic(), _topic()

    async def handler(message):
        pass

    async with core_db.transaction() as conn:
        await enqueue(conn, topic=other, payload={}, tenant_id=None)
    await OutboxWorker({mine: handler}).drain()
    assert await db.fetchval(
        "SELECT done_at IS NULL AND attempts = 0 FROM outbox_event WHERE topic = $1", other
    )


async def test_old_idempotency_keys_are_purged_and_the_purge_reschedules_itself(app, client, db):
    from sereno.core.idempotency import PURGE_TOPIC

    await db.execute(
        "INSERT INTO idempotency_record (tenant_id, scope, key, request_hash, status_code, response, created_at) "
        "VALUES (0, 'report', 'old-key-123456', 'h', 201, '{}', now() - interval '40 days'), "
        "       (0, 'report', 'new-key-123456', 'h', 201, '{}', now() - interval '2 days')"
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM outbox_event WHERE topic = $1 AND done_at IS NULL", PURGE_TOPIC
        )
        == 1
    )
    await _make_due(db, PURGE_TOPIC)
    await app.state.worker.drain()
    keys = {r["key"] for r in await db.fetch("SELECT key FROM idempotency_record WHERE tenant_id = 0")}
    assert keys == {"new-key-123456"}
    pending = await db.fetch(
        "SELECT available_at > now() AS later FROM outbox_event WHERE topic = $1 AND done_at IS NULL",
        PURGE_TOPIC,
    )
    assert [p["later"] for p in pending] == [True]


async def test_delivered_events_older_than_a_week_are_deleted_and_the_purge_reschedules(app, client, db):
    from sereno.core.outbox import PURGE_TOPIC

    old, recent, pending = _topic(), _topic(), _topic()
    await db.execute(
        "INSERT INTO outbox_event (topic, payload, done_at) VALUES ($1, '{}', now() - interval '8 days'), "
        "($2, '{}', now() - interval '1 day')",
        old,
        recent,
    )
    await db.execute(
        "INSERT INTO outbox_event (topic, payload, available_at) VALUES ($1, '{}', now() - interval '30 days')",
        pending,
    )
    await _make_due(db, PURGE_TOPIC)
    await OutboxWorker({PURGE_TOPIC: app.state.worker.handlers[PURGE_TOPIC]}).drain()
    left = {
        r["topic"]
        for r in await db.fetch(
            "SELECT topic FROM outbox_event WHERE topic = ANY($1::text[])", [old, recent, pending]
        )
    }
    assert left == {recent, pending}  # never an undelivered event
    assert (
        await db.fetchval(
            "SELECT count(*) FROM outbox_event WHERE topic = $1 AND done_at IS NULL AND available_at > now()",
            PURGE_TOPIC,
        )
        == 1
    )


async def _enqueue_many(topic: str, count: int) -> None:
    async with core_db.transaction() as conn:
        for n in range(count):
            await enqueue(conn, topic=topic, payload={"n": n}, tenant_id=None)


async def _pending(db, topic: str) -> list[int]:
    rows = await db.fetch(
        "SELECT payload->>'n' AS n FROM outbox_event WHERE topic = $1 AND done_at IS NULL", topic
    )
    return sorted(int(r["n"]) for r in rows)


async def test_a_batch_handler_gets_the_claimed_events_at_once_and_only_its_failure_is_retried(client, db):
    topic, batches = _topic(), []

    async def deliver(messages):
        batches.append([m.payload["n"] for m in messages])
        return {m.id: ConnectionError("one bad event") for m in messages if m.payload["n"] == 2}

    await _enqueue_many(topic, 4)
    await OutboxWorker({topic: Batched(deliver)}).drain()
    assert batches == [[0, 1, 2, 3]]
    assert await _pending(db, topic) == [2]
    row = await db.fetchrow(
        "SELECT attempts, last_error, available_at > now() AS later FROM outbox_event "
        "WHERE topic = $1 AND done_at IS NULL",
        topic,
    )
    assert row["attempts"] == 1 and "one bad event" in row["last_error"] and row["later"]


async def test_a_batch_that_raises_is_delivered_again_one_by_one(client, db):
    topic, calls = _topic(), []

    async def deliver(messages):
        calls.append([m.payload["n"] for m in messages])
        if any(m.payload["n"] == 1 for m in messages):
            raise ValueError("poison")
        return {}

    await _enqueue_many(topic, 3)
    await OutboxWorker({topic: Batched(deliver)}).drain()
    assert calls == [[0, 1, 2], [0], [1], [2]]
    assert await _pending(db, topic) == [1]  # only the poison event backs off


async def test_plain_handlers_in_a_batch_fail_and_retry_each_on_their_own(client, db):
    topic, seen = _topic(), []

    async def handler(message):
        seen.append(message.payload["n"])
        if message.payload["n"] == 0:
            raise ConnectionError("down")

    await _enqueue_many(topic, 3)
    worker = OutboxWorker({topic: handler})
    await worker.drain()
    assert seen == [0, 1, 2] and await _pending(db, topic) == [0]
    await _make_due(db, topic)
    await worker.drain()
    assert seen == [0, 1, 2, 0]


async def test_enqueue_in_a_transaction_wakes_the_worker_only_after_commit(client, db):
    topic = _topic()

    async def handler(message):
        pass

    worker = OutboxWorker({topic: handler})
    other = OutboxWorker({_topic(): handler})
    _outbox_wake.running.update((worker, other))
    try:
        async with core_db.transaction() as conn:
            await enqueue(conn, topic=topic, payload={}, tenant_id=None)
            assert not worker._wake.is_set()  # not before the commit: the claim would not see the event
        assert worker._wake.is_set() and not other._wake.is_set()  # only the topic's own worker
    finally:
        _outbox_wake.running.difference_update((worker, other))
