"""With REDIS_URL every process counts against one budget per client, and the counters expire with their
window (against the real Redis on 127.0.0.1:6379)."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis
from sereno.core.ratelimit import FixedWindow, RedisCounter

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis():
    client = Redis.from_url(REDIS_URL)
    namespace = f"sereno-rl-test-{uuid.uuid4().hex[:8]}"
    yield client, namespace
    keys = [key async for key in client.scan_iter(f"{namespace}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_two_processes_share_one_budget_per_client(redis):
    client, namespace = redis
    now = lambda: 600.0 + 20  # a fixed instant, 20 s into its window
    first, second = (
        FixedWindow(limit=3, window_s=60, counter=RedisCounter(client, namespace=namespace), now=now)
        for _ in range(2)
    )
    results = [await first.check("10.0.0.1"), await second.check("10.0.0.1"), await first.check("10.0.0.1")]
    assert results == [None, None, None]
    assert await second.check("10.0.0.1") == 40
    assert await first.check("10.0.0.2") is None


async def test_a_window_counter_expires_with_its_window(redis):
    client, namespace = redis
    limiter = FixedWindow(limit=3, window_s=60, counter=RedisCounter(client, namespace=namespace))
    await limiter.check("10.0.0.1")
    [key] = [key async for key in client.scan_iter(f"{namespace}:*")]
    assert 0 < await client.ttl(key) <= 61
