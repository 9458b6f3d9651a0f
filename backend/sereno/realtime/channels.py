"""The channels backend (PostgreSQL by default, Redis when REDIS_URL is set) and the outbox handler that
publishes live events on it, from the API process or a standalone worker alike."""

from __future__ import annotations

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.base import ChannelsBackend

from sereno.core import db, events, outbox
from sereno.settings import Settings

__all__ = ["create_backend", "create_plugin", "handlers"]


def create_backend(settings: Settings) -> ChannelsBackend:
    if settings.server.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.server.redis_url))
    return AsyncPgChannelsBackend(dsn=settings.db.url)


def create_plugin(settings: Settings) -> ChannelsPlugin:
    return ChannelsPlugin(
        backend=create_backend(settings), arbitrary_channels_allowed=True, subscriber_max_backlog=500
    )


def handlers(settings: Settings) -> dict[str, outbox.Handler]:
    """Publishes with plain ``pg_notify`` (what the asyncpg backend does) on the shared pool, or on Redis."""
    redis = None
    if settings.server.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.server.redis_url)

    async def publish(message: outbox.OutboxMessage) -> None:
        data = msgspec.json.encode(message.payload["message"]).decode()
        channels = message.payload["channels"]
        if redis is not None:
            for channel in channels:
                await redis.publish(channel, data)
            return
        async with db.connection() as conn:
            for channel in channels:
                await conn.execute("SELECT pg_notify($1, $2)", channel, data)

    return {events.TOPIC: publish}
