"""The one connection pool of a process (Piccolo's asyncpg pool) and its lifecycle."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from sereno.piccolo_conf import DB
from sereno.settings import Settings

__all__ = ["DB", "start_pool", "stop_pool", "connection", "transaction"]


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


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[asyncpg.Connection]:
    async with pool().acquire() as conn, conn.transaction():
        yield conn
