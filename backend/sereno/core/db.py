"""The one connection pool of a process (Piccolo's asyncpg pool) and its lifecycle.

When PostgreSQL cannot be reached, or a connection breaks under a query (a restart, a failover), ``connection``
and ``transaction`` raise ``DatabaseUnavailable``: an HTTP 503 with Retry-After, which the outbox worker waits
out. Every wait is bounded, so that a request fails within seconds instead of hanging; the pool itself drops
broken connections and opens new ones once the server is back.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
from asyncpg import exceptions as pg

from sereno.core.errors import ServiceUnavailable
from sereno.piccolo_conf import DB
from sereno.settings import Settings

__all__ = [
    "DB",
    "DatabaseUnavailable",
    "after_commit",
    "connection",
    "read_connection",
    "start_pool",
    "stop_pool",
    "transaction",
]

# asyncpg waits 60 s for a connection by default and forever for a free one in the pool: far longer than a
# phone, a load balancer or an officer will wait.
_CONNECT_TIMEOUT_S = 5.0
_ACQUIRE_TIMEOUT_S = 10.0
# The client-side limit of a query, beyond the server's statement_timeout: a server that vanished from the
# network cannot enforce its own limit, and the query would otherwise wait for TCP to give up (minutes).
_COMMAND_SLACK_S = 5.0

# What PostgreSQL or the network answer when the server is away, starting, stopping or full.
_SERVER_AWAY = (
    pg.PostgresConnectionError,  # class 08: the connection failed or was lost under a query
    pg.CannotConnectNowError,
    pg.AdminShutdownError,
    pg.CrashShutdownError,
    pg.TooManyConnectionsError,
)


class DatabaseUnavailable(ServiceUnavailable):
    """PostgreSQL cannot be reached, or the connection broke: nothing the caller did wrong; retry shortly."""


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


_replica: asyncpg.Pool | None = None
_replica_users = 0
_intake: asyncpg.Pool | None = None
# Connections of report intake: one per batch in flight (reports/batch.py).
INTAKE_CONNECTIONS = 4


def _pool_options(settings: Settings, application_name: str) -> dict:
    return {
        "min_size": min(2, settings.db.pool_size),
        "max_size": settings.db.pool_size,
        "init": _init_connection,
        "reset": _keep_session,
        "timeout": _CONNECT_TIMEOUT_S,
        "command_timeout": settings.db.statement_timeout_ms / 1000 + _COMMAND_SLACK_S,
        "server_settings": {
            "TimeZone": "UTC",
            "statement_timeout": str(settings.db.statement_timeout_ms),
            "application_name": application_name,
            # JIT compiles for ~100 ms before a query that runs for a few hundred: a loss for every query
            # this application sends (short OLTP statements, and reports aggregated over indexes).
            "jit": "off",
        },
    }


async def start_pool(settings: Settings) -> None:
    """Start the pool (and the read replica's, when DATABASE_REPLICA_URL is set), or join them if this process
    already runs them (several apps in one test process)."""
    global _users, _replica, _replica_users, _intake
    _users += 1
    if settings.db.replica_url:
        _replica_users += 1
        if _replica is None:
            options = _pool_options(settings, "sereno-replica")
            # Nothing is ever written through it: a misrouted write fails loudly instead of reaching a replica.
            options["server_settings"]["default_transaction_read_only"] = "on"
            _replica = await asyncpg.create_pool(dsn=settings.db.replica_url, **options)
    if DB.pool is not None:
        return
    DB.config["dsn"] = settings.db.url
    await DB.start_connection_pool(dsn=settings.db.url, **_pool_options(settings, "sereno"))
    options = _pool_options(settings, "sereno-intake")
    options.update(min_size=1, max_size=INTAKE_CONNECTIONS)
    # See intake_connection().
    options["server_settings"]["plan_cache_mode"] = "force_generic_plan"
    _intake = await asyncpg.create_pool(dsn=settings.db.url, **options)


async def stop_pool(settings: Settings | None = None) -> None:
    global _users, _replica, _replica_users, _intake
    _users = max(0, _users - 1)
    if settings is not None and settings.db.replica_url:
        _replica_users = max(0, _replica_users - 1)
    if _replica is not None and (_replica_users == 0 or _users == 0):
        replica, _replica, _replica_users = _replica, None, 0
        await replica.close()
    if _users == 0 and DB.pool is not None:
        if _intake is not None:
            intake, _intake = _intake, None
            await intake.close()
        await DB.close_connection_pool()


def pool() -> asyncpg.Pool:
    assert DB.pool is not None, "the connection pool is not started"
    return DB.pool


def connection() -> contextlib.AbstractAsyncContextManager[asyncpg.Connection]:
    """A pooled connection; ``DatabaseUnavailable`` if none can be had or it breaks while in use."""
    return _pooled(pool())


def read_connection() -> contextlib.AbstractAsyncContextManager[asyncpg.Connection]:
    """A connection for reads that may lag the primary by a moment (public data, analytics): from the read
    replica's pool when there is one, else the same as :func:`connection`."""
    return _pooled(_replica if _replica is not None else pool())


def intake_connection() -> contextlib.AbstractAsyncContextManager[asyncpg.Connection]:
    """A connection of report intake's own small pool, whose prepared statements always run on their generic
    plan (``plan_cache_mode``). PostgreSQL's default kept re-planning the batch statement (INTAKE_MANY) at
    every execution, because a custom plan for the actual array looked cheaper: that planning doubled its
    cost per report (measured: 220 against 105 µs of PostgreSQL CPU at 8 reports a batch). Other statements
    keep the default: the worker's reads of a batch of ids are faster on plans made for the batch."""
    return _pooled(_intake if _intake is not None else pool())


@contextlib.asynccontextmanager
async def _pooled(the_pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    try:
        conn = await the_pool.acquire(timeout=_ACQUIRE_TIMEOUT_S)
    except (OSError, asyncpg.InterfaceError, *_SERVER_AWAY) as exc:  # TimeoutError is an OSError
        raise DatabaseUnavailable() from exc
    try:
        yield conn
    except (TimeoutError, *_SERVER_AWAY) as exc:  # asyncpg's command timeout, or the server went away
        raise DatabaseUnavailable() from exc
    except pg.InternalClientError as exc:
        # "cannot switch to state ...": what asyncpg says of a connection the server ended while it sat idle in
        # the pool (before asyncpg noticed), at its next query.
        raise DatabaseUnavailable() from exc
    except asyncpg.InterfaceError as exc:
        if conn.is_closed():
            raise DatabaseUnavailable() from exc
        raise
    finally:
        await _release(the_pool, conn)


async def _release(the_pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
    """Give the connection back. The pool terminates one that fails its reset (it broke); that failure
    must not replace the caller's error, nor fail work that is already done."""
    with contextlib.suppress(OSError, asyncpg.InterfaceError, pg.InternalClientError, *_SERVER_AWAY):
        await the_pool.release(conn)


# The innermost transaction() of the running task: its connection and what to run once it has committed.
_current: contextvars.ContextVar[tuple[asyncpg.Connection, list[Callable[[], Awaitable[None]]]] | None] = (
    contextvars.ContextVar("sereno_transaction", default=None)
)


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection in a transaction; callbacks registered with ``after_commit`` run after it has
    committed (never after a rollback), once the connection is back in the pool."""
    callbacks: list[Callable[[], Awaitable[None]]] = []
    async with connection() as conn:
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
