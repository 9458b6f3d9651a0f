"""The outbox: side effects (push, thumbnails, public projection) leave the request through here.

A state change writes its events into ``outbox_event`` in the same transaction; a worker claims due rows with
``FOR UPDATE SKIP LOCKED`` under a lease, delivers them, and marks them done only after the handler succeeded,
so a crash means a retry, never a loss (handlers must therefore be idempotent). Failures are retried with
exponential back-off, each message on its own.

A crashed worker's claims are not left to their lease: a running worker holds an advisory lock on its LISTEN
connection and its claims carry the lock's key, so claims whose key nobody holds any more (the process died,
PostgreSQL ended its session) are made due again at once by any worker (``_outbox_liveness.py``). A delivery to a remote service is
recorded as soon as it succeeded, so a crash later in the batch does not repeat it (a push the phone already
showed); everything else is settled with its batch.
While PostgreSQL is away a worker logs, waits and tries again. Hand-written because it is small and central,
and because it must share the transaction of the change itself, which no job-queue library on PyPI does with
asyncpg and Piccolo.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

import asyncpg
import msgspec

from sereno.core import _outbox_liveness as liveness
from sereno.core import _outbox_wake as wake
from sereno.core import db

__all__ = [
    "EXTERNAL_PREFIX",
    "NOTIFY_CHANNEL",
    "Batched",
    "Handler",
    "OutboxMessage",
    "OutboxWorker",
    "enqueue",
    "enqueue_many",
    "schedule_periodic",
    "wake_after_commit",
]

log = logging.getLogger("sereno.outbox")

NOTIFY_CHANNEL = wake.NOTIFY_CHANNEL
_LEASE_S = 120
_MAX_BACKOFF_S = 3600


class OutboxMessage(msgspec.Struct, frozen=True):
    id: int
    topic: str
    tenant_id: int | None
    payload: dict[str, Any]
    attempts: int


Handler = Callable[[OutboxMessage], Awaitable[None]]


class Batched:
    """A handler that takes all the claimed messages of its topic at once, so that a busy topic costs one
    transaction or round trip per batch instead of one per message. ``deliver`` returns the messages that
    failed (id → exception); the others are done. If it raises, each message of the batch is delivered again
    alone, so one bad message never holds back, or shares the back-off of, the rest of its batch.

    A ``Batched`` is also a plain ``Handler`` (one message: a batch of one)."""

    __slots__ = ("deliver",)

    def __init__(
        self, deliver: Callable[[Sequence[OutboxMessage]], Awaitable[Mapping[int, Exception]]]
    ) -> None:
        self.deliver = deliver

    async def __call__(self, message: OutboxMessage) -> None:
        failed = await self.deliver([message])
        if failed:
            raise failed[message.id]


_ENQUEUE = """
INSERT INTO outbox_event (tenant_id, topic, payload, available_at)
VALUES ($1, $2, $3::jsonb, now() + make_interval(secs => $4))
"""


async def enqueue(
    conn: asyncpg.Connection,
    *,
    topic: str,
    payload: Mapping[str, Any],
    tenant_id: int | None,
    delay_s: float = 0,
) -> None:
    """Record a side effect in the caller's transaction; the worker is woken when it commits.

    Inside ``db.transaction()`` the wake-up comes after the commit (``wake_after_commit``): a NOTIFY in the
    transaction would hold PostgreSQL's global notify lock through the durable commit, so that every
    transaction that enqueues (each report's dispatch, each staff command) would commit one at a time. In a
    transaction of the caller's own making, NOTIFY is the only way to wake the worker at commit."""
    await conn.execute(_ENQUEUE, tenant_id, topic, msgspec.json.encode(payload).decode(), float(delay_s))
    if delay_s == 0 and not db.after_commit(conn, _waker(topic)):
        await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")


_ENQUEUE_MANY = """
INSERT INTO outbox_event (tenant_id, topic, payload)
SELECT $1, $2, payload::jsonb FROM unnest($3::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n
"""


async def enqueue_many(
    conn: asyncpg.Connection, *, topic: str, payloads: Sequence[Mapping[str, Any]], tenant_id: int | None
) -> None:
    """``enqueue`` for several events of one topic, due now, in one statement (ids in the given order)."""
    if not payloads:
        return
    encoded = [msgspec.json.encode(payload).decode() for payload in payloads]
    await conn.execute(_ENQUEUE_MANY, tenant_id, topic, encoded)
    if not db.after_commit(conn, _waker(topic)):
        await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")


async def schedule_periodic(conn: asyncpg.Connection, *, topic: str, every_s: float) -> None:
    """Make sure one pending event of ``topic`` exists; its handler re-enqueues the next one."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", topic)
    pending = await conn.fetchval("SELECT 1 FROM outbox_event WHERE topic = $1 AND done_at IS NULL", topic)
    if not pending:
        await enqueue(conn, topic=topic, payload={}, tenant_id=None, delay_s=every_s)


# The claim sets only columns that no index holds (``leased_until``, ``attempts``, ``claimed_by``), so its row
# version stays heap-only (HOT, with the table's fillfactor leaving room) and no index grows by a claim.
# ``id = ANY(ARRAY(...))`` rather than ``id IN (...)``: the subquery runs first, as an InitPlan, and the
# update then fetches its rows by primary key; with ``IN`` the generic plan sometimes turned into a hash join
# over the whole table.
_CLAIM = f"""
UPDATE outbox_event SET leased_until = now() + interval '{_LEASE_S} seconds', attempts = attempts + 1,
    claimed_by = $3
WHERE id = ANY(ARRAY(
    SELECT id FROM outbox_event
    WHERE done_at IS NULL AND available_at <= now() AND topic = ANY($2::text[])
      AND (leased_until IS NULL OR leased_until <= now())
    ORDER BY available_at, id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
))
RETURNING id, topic, tenant_id, payload::text AS payload, attempts
"""
_DONE = "UPDATE outbox_event SET done_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])"
_RETRY = """
UPDATE outbox_event e SET available_at = now() + make_interval(secs => f.delay), last_error = f.error,
    claimed_by = NULL, leased_until = NULL
FROM unnest($1::bigint[], $2::float8[], $3::text[]) AS f(id, delay, error)
WHERE e.id = f.id
"""

# Topics whose handlers reach a remote service; the same prefix puts them on a worker of their own (app.py).
EXTERNAL_PREFIX = "notify."

wake_after_commit = wake.wake_after_commit
_waker = wake.waker


class OutboxWorker:
    """Delivers outbox events to the handler registered for their topic; it claims only topics it handles,
    so workers for different topics can run side by side."""

    def __init__(
        self,
        handlers: Mapping[str, Handler | Batched],
        *,
        batch_size: int = 100,
        poll_s: float = 5.0,
        linger_s: float = 0.02,
        tickers: Sequence[Callable[[], Awaitable[None]]] = (),
        tick_s: float = 5.0,
    ) -> None:
        self.handlers = dict(handlers)
        self.batch_size = batch_size
        self.poll_s = poll_s
        # After a wake-up the worker waits this long before claiming, so that the events of a busy moment are
        # claimed, delivered and marked done together rather than one transaction each.
        self.linger_s = linger_s
        # Periodic checks (e.g. overdue acknowledgements) run every ``tick_s`` by the running worker.
        self.tickers = list(tickers)
        self.tick_s = tick_s
        self._wake = asyncio.Event()
        # The advisory lock key this worker holds while it runs (None: it cannot say it is alive, and its
        # claims are released by their lease alone). Above 2**32 so that it never meets a hashtext() key.
        self._claimant: int | None = None

    def wake(self) -> None:
        """Claim at once instead of at the next poll (something was committed for it)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and deliver one batch of due events; returns how many were claimed."""
        async with db.connection() as conn:
            rows = await conn.fetch(_CLAIM, self.batch_size, list(self.handlers), self._claimant)
        by_topic: dict[str, list[OutboxMessage]] = {}
        for row in rows:
            message = OutboxMessage(
                id=row["id"],
                topic=row["topic"],
                tenant_id=row["tenant_id"],
                payload=msgspec.json.decode(row["payload"]),
                attempts=row["attempts"],
            )
            by_topic.setdefault(message.topic, []).append(message)
        failed: dict[int, tuple[OutboxMessage, Exception]] = {}
        settled: set[int] = set()
        for topic, messages in by_topic.items():
            failed.update(await self._deliver(self.handlers[topic], messages, settled))
        await self._settle(
            done=[row["id"] for row in rows if row["id"] not in failed and row["id"] not in settled],
            failed=failed.values(),
        )
        return len(rows)

    async def drain(self, *, max_rounds: int = 100) -> int:
        """Deliver until nothing is due (tests and the CLI use this)."""
        total = 0
        for _ in range(max_rounds):
            claimed = await self.run_once()
            total += claimed
            if claimed == 0:
                break
        return total

    async def tick(self) -> None:
        for ticker in self.tickers:
            try:
                await ticker()
            except Exception as exc:  # noqa: BLE001 - a failing check must not stop deliveries
                log.warning("outbox worker: periodic %s failed: %r", getattr(ticker, "__name__", ticker), exc)

    @staticmethod
    async def _deliver(
        handler: Handler | Batched, messages: list[OutboxMessage], settled: set[int]
    ) -> dict[int, tuple[OutboxMessage, Exception]]:
        """The messages that failed; any failure means: retry that message later. A delivery to a remote service
        (``notify.*``: a push, a partner's callback) is marked done as soon as it succeeded (and added to
        ``settled``): repeating it after a crash would show a phone the same notification twice. Everything else
        is settled with the batch: one statement instead of one per event, and a repeat only rewrites the same
        rows."""
        if isinstance(handler, Batched) and len(messages) > 1:
            try:
                failed = await handler.deliver(messages)
            except Exception as exc:  # noqa: BLE001 - then find out which message it was, one by one
                log.warning(
                    "outbox %s: batch of %s failed (%r), delivering one by one",
                    messages[0].topic,
                    len(messages),
                    exc,
                )
            else:
                return {m.id: (m, failed[m.id]) for m in messages if m.id in failed}
        failures = {}
        for message in messages:
            try:
                await handler(message)
            except Exception as exc:  # noqa: BLE001 - any failure means: retry later
                failures[message.id] = (message, exc)
                continue
            if isinstance(handler, Batched) or not message.topic.startswith(EXTERNAL_PREFIX):
                continue  # cheap to repeat (live events, rows written idempotently): settled with the batch
            try:
                async with db.connection() as conn:
                    await conn.execute(_DONE, [message.id])
                settled.add(message.id)
            except db.DatabaseUnavailable:
                pass  # the batch's settlement tries again
        return failures

    @staticmethod
    async def _settle(*, done: list[int], failed: Iterable[tuple[OutboxMessage, Exception]]) -> None:
        """One statement marks the whole batch's successes done; failures back off each by its own attempts."""
        retries = ([], [], [])
        for message, exc in failed:
            log.warning(
                "outbox %s #%s failed (attempt %s): %r", message.topic, message.id, message.attempts, exc
            )
            retries[0].append(message.id)
            retries[1].append(float(min(_MAX_BACKOFF_S, 2 ** min(message.attempts, 12))))
            retries[2].append(repr(exc)[:2000])
        if not done and not retries[0]:
            return
        async with db.connection() as conn:
            if done:
                await conn.execute(_DONE, done)
            if retries[0]:
                await conn.execute(_RETRY, *retries)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Deliver continuously: woken by NOTIFY on commit, polling as a fallback; never stops for an error,
        and listens again after the database came back."""
        listener = None
        wake.running.add(self)
        next_tick = next_sweep = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                if listener is None or listener.is_closed():
                    self._claimant = None  # the lock went with the connection
                    listener = await self._listen()
                if self.tickers and loop.time() >= next_tick:
                    next_tick = loop.time() + self.tick_s
                    await self.tick()
                # Cleared *before* claiming: a NOTIFY for a commit the claim does not see must still wake us.
                self._wake.clear()
                try:
                    if loop.time() >= next_sweep:
                        next_sweep = loop.time() + self.tick_s
                        await liveness.release_orphans(list(self.handlers))
                    claimed = await self.run_once()
                except (db.DatabaseUnavailable, OSError, asyncpg.PostgresError) as exc:
                    log.warning("outbox worker: database unavailable (%r)", exc.__cause__ or exc)
                    claimed = 0
                except Exception:  # a worker that stopped would stop every side effect of the process
                    log.exception("outbox worker: claiming or settling failed")
                    claimed = 0
                if claimed == self.batch_size:
                    continue  # more may be due at once
                if not claimed:
                    timeout = min(self.poll_s, self.tick_s) if self.tickers else self.poll_s
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wait(stop), timeout=timeout)
                # Let the events of a busy moment (and those the batch just delivered caused) gather.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.linger_s)
        finally:
            wake.running.discard(self)
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()

    async def _wait(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _listen(self) -> asyncpg.Connection | None:
        """A connection that LISTENs for commits and holds the advisory lock saying this worker is alive."""
        conn = None
        try:
            conn = await asyncpg.connect(dsn=db.DB.config["dsn"], timeout=5)
            await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
            self._claimant = await liveness.hold_claimant_key(conn)
            return conn
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("outbox worker: LISTEN failed, polling only (%r)", exc)
            if conn is not None:
                conn.terminate()
            return None


# Delivered events are kept a week for inspection, then deleted.
PURGE_TOPIC = "maintenance.purge_outbox"
PURGE_EVERY_S = 6 * 3600.0
_KEEP_DONE_DAYS = 7


def purge_handlers() -> dict[str, Handler]:
    async def purge(message: OutboxMessage) -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "DELETE FROM outbox_event WHERE done_at < now() - make_interval(days => $1)", _KEEP_DONE_DAYS
            )
            await enqueue(conn, topic=PURGE_TOPIC, payload={}, tenant_id=None, delay_s=PURGE_EVERY_S)

    return {PURGE_TOPIC: purge}
