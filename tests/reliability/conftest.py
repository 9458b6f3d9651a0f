"""Fault drills: each runs real ``sereno run`` / ``sereno worker`` processes against a database of its own (so
their workers never take the other tests' events), crashes or cuts off a part, and checks what survived.

Databases on the shared test cluster are copies of one migrated template with the test city; the drills
that restart PostgreSQL get a throwaway cluster (tests/reliability/cluster.py).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.reliability.cluster import Cluster
from tests.support.builders import TEST_CITY, create_city
from tests.support.database import DB_NAME, TEST_DB_URL, admin_sql, with_database
from tests.support.processes import SerenoProcess

StartApi = Callable[..., Awaitable[SerenoProcess]]


async def migrate(url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sereno", "db", "migrate", env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


async def seed_city(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await create_city(conn, **TEST_CITY)
    finally:
        await conn.close()


def server_env(url: str, media: Path, **extra: str) -> dict[str, str]:
    """What every drill's processes share: their database, the test city, no throttling of the burst."""
    return {
        "DATABASE_URL": url,
        "SERENO_DEFAULT_TENANT": TEST_CITY["slug"],
        "SERENO_MEDIA_DIR": str(media),
        "SERENO_RATE_LIMIT_PER_MINUTE": "100000",
        "SERENO_PUSH_EXTRA_HOSTS": "127.0.0.1",
        "SERENO_LOG_LEVEL": "info",
        **extra,
    }


@pytest.fixture(scope="session")
async def drill_template() -> AsyncIterator[str]:
    """A migrated database with the test city, copied by each drill (a copy costs far less than migrating)."""
    name = f"{DB_NAME}_drill"
    await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin_sql(f'CREATE DATABASE "{name}"')
    try:
        url = with_database(TEST_DB_URL, name)
        await migrate(url)
        await seed_city(url)
        yield name
    finally:
        await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def drill_db(drill_template: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh copy of the template for one drill: its URL."""
    name = f"{drill_template}_{request.node.name[:20].lower()}"
    await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{drill_template}"')
    try:
        yield with_database(TEST_DB_URL, name)
    finally:
        await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return tmp_path / "media"


class Processes:
    """The processes a test started; all stopped at its end, whatever happened."""

    def __init__(self) -> None:
        self.started: list[SerenoProcess] = []

    async def api(self, env: dict[str, str], *, port: int | None = None) -> SerenoProcess:
        process = SerenoProcess.api(env=env, port=port)
        self.started.append(process)
        return await process.start()

    async def worker(self, env: dict[str, str]) -> SerenoProcess:
        process = SerenoProcess.worker(env=env)
        self.started.append(process)
        return await process.start()

    async def stop_all(self) -> None:
        await asyncio.gather(*(process.stop() for process in self.started), return_exceptions=True)


@pytest.fixture
async def processes() -> AsyncIterator[Processes]:
    started = Processes()
    try:
        yield started
    finally:
        await started.stop_all()


@pytest.fixture(scope="module")
async def cluster() -> AsyncIterator[Cluster]:
    cluster = Cluster()
    try:
        yield await cluster.create()
    finally:
        await cluster.destroy()


@pytest.fixture(scope="module")
def module_media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("drill-media")
