"""The one connection pool of a process (Piccolo's asyncpg pool) and its lifecycle."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg

from sereno.piccolo_conf import DB
from sereno.settings import Settings

__all__ = ["DB", "after_commit", "connection", "start_pool", "stop_pool", "transaction"]


async def _init_connection(conn: asyncpg.Connection) -> None:
    # The first geography operation on a connection costs 20-100 ms (PostGIS loads its caches): pay it here,
    # not in the first P1 dispatch after a quiet spell.
    await conn.execute("SELECT 'SRID=4326;POINT(0 0)'::geography <-> 'SRID=4326;POINT(0 0)'::geography")


_users = 0


async def _keep_session(conn: asyncpg.Connection) -> None:
    """asyncpg's default reset (advisory unlock, CLOSE ALL, UNLISTEN *, RESET ALL) costs a round trip on every
    release. Our code holds no advisory locks, cursors or LISTENs on pooled connections (the outbox listener
    has its own connection) and sets its session settings at connect time, so there is nothing to reset;
    a connection returned inside a transaction is still rolled back by asyncpg before this runs."""


async def start_pool(settings: Settings) -> None:
    """Start the pool, or join it if this process already runs one (several apps in one test process)."""
    global _users
    _users += 1
    if DB.pool is not None:
        return
    DB.config["dsn"] = settings.db.url
    await DB.start_connection_pool(
        dsn=settings.db.url,
        min_size=min(2, settings.db.pool_size),
        max_size=settings.db.pool_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings={
            "TimeZone": "UTC",
            "statement_timeout": str(settings.db.statement_timeout_ms),
            "application_name": "sereno",
            # JIT compiles for ~100 ms before a query that runs for a few hundred: a loss for every query
            # this application sends (short OLTP statements, and reports aggregated over indexes).
            "jit": "off",
        },
    )


async def stop_pool() -> None:
    global _users
    _users = max(0, _users - 1)
    if _users == 0 and DB.pool is not None:
        await DB.close_connection_pool()


def pool() -> asyncpg.Pool:
    assert DB.pool is not None, "the connection pool is not started"
    return DB.pool


@contextlib.asynccontextmanager
async def connection() -> AsyncIterator[asyncpg.Connection]:
    async with pool().acquire() as conn:
        yield conn


# The innermost transaction() of the running task: its connection and what to run once it has committed.
_current: contextvars.ContextVar[tuple[asyncpg.Connection, list[Callable[[], Awaitable[None]]]] | None] = (
    contextvars.ContextVar("sereno_transaction", default=None)
)


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection in a transaction; callbacks registered with ``after_commit`` run after it has
    committed (never after a rollback), once the connection is back in the pool."""
    callbacks: list[Callable[[], Awaitable[None]]] = []
    async with pool().acquire() as conn:
        token = _current.set((conn, callbacks))
        try:
            async with conn.transaction():
                yield conn
        finally:
            _current.reset(token)
    for callback in callbacks:
        await callback()


def after_commit(conn: asyncpg.Connection, callback: Callable[[], Awaitable[None]]) -> bool:
    """Run ``callback`` (once, however often it is registered) after the commit of the ``transaction()``
    that ``conn`` belongs to; False if ``conn`` is not in one, and the caller must do without."""
    current = _current.get()
    if current is None or current[0] is not conn:
        return False
    if callback not in current[1]:
        current[1].append(callback)
    return True
