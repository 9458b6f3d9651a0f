"""The one connection pool of a process (Piccolo's asyncpg pool) and its lifecycle."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from sereno.piccolo_conf import DB
from sereno.settings import Settings

__all__ = ["DB", "start_pool", "stop_pool", "connection", "transaction"]


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.execute("SET TIME ZONE 'UTC'")


async def start_pool(settings: Settings) -> None:
    DB.config["dsn"] = settings.db.url
    await DB.start_connection_pool(
        dsn=settings.db.url,
        min_size=1,
        max_size=settings.db.pool_size,
        init=_init_connection,
        server_settings={"statement_timeout": str(settings.db.statement_timeout_ms), "application_name": "sereno"},
    )


async def stop_pool() -> None:
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
