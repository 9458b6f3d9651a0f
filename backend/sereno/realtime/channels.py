"""The channels backend (PostgreSQL by default, Redis when REDIS_URL is set) and the outbox handler that
publishes live events on it, from the API process or a standalone worker alike."""

from __future__ import annotations

from collections.abc import Sequence

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


def handlers(settings: Settings) -> dict[str, outbox.Handler | outbox.Batched]:
    """Publishes with plain ``pg_notify`` (what the asyncpg backend does) on the shared pool, or on Redis; a
    batch of live events goes out in one statement (or one Redis pipeline), in the order claimed."""
    redis = None
    if settings.server.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.server.redis_url)

    async def publish(messages: Sequence[outbox.OutboxMessage]) -> dict[int, Exception]:
        channels, data = [], []
        for message in messages:
            encoded = msgspec.json.encode(message.payload["message"]).decode()
            for channel in message.payload["channels"]:
                channels.append(channel)
                data.append(encoded)
        if redis is not None:
            async with redis.pipeline(transaction=False) as pipe:
                for channel, payload in zip(channels, data, strict=True):
                    pipe.publish(channel, payload)
                await pipe.execute()
        else:
            async with db.connection() as conn:
                await conn.execute(_PUBLISH, channels, data)
        return {}

    return {events.TOPIC: outbox.Batched(publish)}


# unnest yields the arrays in order, so the notifications leave in the order of the batch.
_PUBLISH = "SELECT pg_notify(c, d) FROM unnest($1::text[], $2::text[]) AS t(c, d)"
