"""Fixtures: the app under test (in-process, real PostGIS), its client, and the test city."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncio
import contextlib

import asyncpg
import httpx
import msgspec
import pytest
from litestar import Litestar

from sereno.app import create_app
from sereno.core.clock import SystemClock
from sereno.settings import load_settings
from sereno.tenants import service as tenants
from tests.support.builders import TEST_CITY, create_city


def build_settings(media_dir: Path, **env: str):
    import os

    return load_settings(
        {
            **os.environ,
            "SERENO_MEDIA_DIR": str(media_dir),
            "SERENO_WORKER_IN_PROCESS": "false",
            "SERENO_RATE_LIMIT_PER_MINUTE": "10000",
            "SERENO_DEFAULT_TENANT": TEST_CITY["slug"],
            "SERENO_PUBLIC_URL": "http://testserver.local",
            "SERENO_PUSH_EXTRA_HOSTS": "127.0.0.1,localhost",
            **env,
        }
    )


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
async def city() -> int:
    import os

    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        existing = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
        return existing or await create_city(conn, **TEST_CITY)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def app(media_dir: Path, city: int) -> Litestar:
    return create_app(build_settings(media_dir), clock=SystemClock())


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app's lifespan and an HTTP client, both on the test's own event loop (unlike Litestar's
    AsyncTestClient, whose portal thread would give the app a loop of its own)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold_lifespan() -> None:
        # Enter and exit the lifespan in one task: anyio's task groups inside it require that.
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold_lifespan())
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # start-up failed: raise its error
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            yield client
    finally:
        stop.set()
        await task


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    tenants.clear_caches()
    async with running(app) as client:
        yield client


@pytest.fixture
async def db(client: httpx.AsyncClient) -> AsyncIterator[asyncpg.Connection]:
    """A connection from the app's own pool (the app is started by ``client``)."""
    from sereno.core import db as core_db

    async with core_db.connection() as conn:
        yield conn


def decode(response) -> dict:
    return msgspec.json.decode(response.content)
