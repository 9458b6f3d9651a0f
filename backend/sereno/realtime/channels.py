"""The channels backend (PostgreSQL by default, Redis when REDIS_URL is set) and the outbox handler that
publishes live events on it, from the API process or a standalone worker alike."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import asyncpg
import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.base import ChannelsBackend

from sereno.core import db, events, outbox
from sereno.settings import Settings

__all__ = ["Publisher", "create_backend", "create_plugin", "handlers"]

log = logging.getLogger("sereno.realtime")

_RECONNECT_MAX_S = 5.0
RESYNC = '{"type": "resync", "data": null}'


class _ReconnectingPgBackend(AsyncPgChannelsBackend):
    """Litestar's PostgreSQL backend LISTENs on one connection and never notices when it ends (a database
    restart or failover): every socket of the process would stay open and hear nothing until the process was
    restarted, and a new socket would fail to subscribe. This one connects again with capped back-off and
    LISTENs again on every channel; what was published in between is lost, as NOTIFY is, so every channel then
    gets a ``resync`` message and the apps reload their lists, as they do when their socket (re)opens."""

    def __init__(self, dsn: str) -> None:
        super().__init__(make_connection=partial(asyncpg.connect, dsn=dsn, timeout=5))
        self._reconnecting: asyncio.Task | None = None

    async def on_startup(self) -> None:
        await super().on_startup()
        self._listener_conn.add_termination_listener(self._lost)

    async def on_shutdown(self) -> None:
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        self._reconnecting = None
        async with self._listener_lock:
            self._listener_conn.remove_termination_listener(self._lost)
            with contextlib.suppress(Exception):
                await self._listener_conn.close()
            self._subscribed_channels.clear()
            self._queue = None

    def _lost(self, conn: asyncpg.Connection) -> None:
        if self._queue is not None and (self._reconnecting is None or self._reconnecting.done()):
            log.warning("live events: the LISTEN connection ended; connecting again")
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = 0.2
        while True:
            try:
                async with self._listener_lock:
                    conn = await self._connect()
                    for channel in self._subscribed_channels:
                        await conn.add_listener(channel, self._listener)  # type: ignore[arg-type]
                    conn.add_termination_listener(self._lost)
                    self._listener_conn = conn
                    # Whatever was published meanwhile is lost: every open socket is told to reload.
                    for channel in self._subscribed_channels:
                        self._listener(conn, 0, channel, RESYNC)
                log.info("live events: listening again on %s channels", len(self._subscribed_channels))
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("live events: LISTEN connection failed (%r); trying again in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RECONNECT_MAX_S)

    async def subscribe(self, channels: Iterable[str]) -> None:
        """While the connection is down the channels are only remembered: the reconnection LISTENs to them."""
        async with self._listener_lock:
            for channel in set(channels) - self._subscribed_channels:
                self._subscribed_channels.add(channel)
                await self._unless_lost(lambda conn, c=channel: conn.add_listener(c, self._listener))

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        async with self._listener_lock:
            for channel in set(channels) & self._subscribed_channels:
                self._subscribed_channels.discard(channel)
                await self._unless_lost(lambda conn, c=channel: conn.remove_listener(c, self._listener))

    async def _unless_lost(self, change: Callable[[asyncpg.Connection], Awaitable[None]]) -> None:
        """(UN)LISTEN, unless the connection has ended: its reconnection brings the channels up to date. On a
        live connection, errors are errors."""
        conn = self._listener_conn
        if conn.is_closed():
            return
        try:
            await change(conn)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            if not conn.is_closed():
                raise


def create_backend(settings: Settings) -> ChannelsBackend:
    if settings.server.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.server.redis_url))
    return _ReconnectingPgBackend(dsn=settings.db.url)


def create_plugin(settings: Settings) -> ChannelsPlugin:
    return ChannelsPlugin(
        backend=create_backend(settings), arbitrary_channels_allowed=True, subscriber_max_backlog=500
    )


class Publisher:
    """Sends live events (``events.payloads``) to their channels: with plain ``pg_notify`` (what the asyncpg
    backend listens for) on the shared pool, or on Redis; many events go out in one statement (or one Redis
    pipeline), in the given order."""

    def __init__(self, settings: Settings) -> None:
        self._redis = None
        if settings.server.redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(settings.server.redis_url)

    async def __call__(self, payloads: Iterable[Mapping[str, Any]]) -> None:
        channels, data = [], []
        for payload in payloads:
            encoded = msgspec.json.encode(payload["message"]).decode()
            for channel in payload["channels"]:
                channels.append(channel)
                data.append(encoded)
        if not channels:
            return
        if self._redis is not None:
            async with self._redis.pipeline(transaction=False) as pipe:
                for channel, message in zip(channels, data, strict=True):
                    pipe.publish(channel, message)
                await pipe.execute()
        else:
            async with db.connection() as conn:
                await conn.execute(_PUBLISH, channels, data)


def handlers(publish: Publisher) -> dict[str, outbox.Handler | outbox.Batched]:
    """Live events written to the outbox by state changes go out in batches, in the order claimed."""

    async def deliver(messages: Sequence[outbox.OutboxMessage]) -> dict[int, Exception]:
        await publish([message.payload for message in messages])
        return {}

    return {events.TOPIC: outbox.Batched(deliver)}


# unnest yields the arrays in order, so the notifications leave in the order of the batch.
_PUBLISH = "SELECT pg_notify(c, d) FROM unnest($1::text[], $2::text[]) AS t(c, d)"
