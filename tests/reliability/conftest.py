"""Fault drills: each runs real ``sereno run`` / ``sereno worker`` processes against a database of its own (so
their workers never take the other tests' events), crashes or cuts off a part, and checks what survived.

Databases on the shared test cluster are copies of one migrated template with the test city; the drills
that restart PostgreSQL get a throwaway cluster (tests/reliability/cluster.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.reliability.cluster import Cluster
from tests.reliability.drills import Processes, migrate, seed_city
from tests.support.database import DB_NAME, TEST_DB_URL, admin_sql, with_database


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
