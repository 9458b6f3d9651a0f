"""The "pub" city: resolved incidents seeded into the real database, published by the real projection job."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest

from sereno.core import db as core_db
from sereno.settings import PublicSettings
from sereno.transparency import projection
from tests.support.builders import create_city

PUB = {"slug": "pub", "name": "Ciudad Transparente", "prefix": "PUB"}
KEY = b"transparency-test-key"
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
async def pub_city(client: httpx.AsyncClient) -> int:
    async with core_db.connection() as conn:
        existing = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", PUB["slug"])
        return existing or await create_city(conn, **PUB)


@pytest.fixture
def publish() -> Callable[..., Awaitable[dict]]:
    """Run the projection job as the worker does, at a chosen time (default NOW)."""

    async def run(now: datetime = NOW, **overrides) -> dict:
        policy = projection.policy_from(PublicSettings(**overrides))
        return await projection.refresh(policy=policy, key=KEY, now=now)

    return run


async def public_get(client: httpx.AsyncClient, path: str, **params) -> httpx.Response:
    return await client.get(f"/api/v1/public/{path}", params={"tenant": PUB["slug"], **params})
