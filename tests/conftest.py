"""Test session: a fresh PostGIS database migrated with the real `sereno db migrate`, dropped at the end.

TEST_DATABASE_URL names the server (scripts/test starts a project-local cluster and sets it). Every session
gets its own database, so parallel runs never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

_SERVER_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:54330/sereno")
_DB_NAME = f"sereno_test_{os.getpid()}"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


TEST_DB_URL = _with_database(_SERVER_URL, _DB_NAME)
# Before anything imports sereno: its settings and Piccolo's engine read DATABASE_URL once.
os.environ["DATABASE_URL"] = TEST_DB_URL
os.environ.setdefault("SERENO_SECRET_KEY", "test-secret-key-not-for-production")



async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(_with_database(_SERVER_URL, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _create_and_migrate() -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{_DB_NAME}"'))
    asyncio.run(_admin(f'CREATE DATABASE "{_DB_NAME}"'))
    result = subprocess.run(
        [sys.executable, "-m", "sereno", "db", "migrate"],
        env={**os.environ, "DATABASE_URL": TEST_DB_URL},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise pytest.UsageError(f"migrations failed:\n{result.stdout}\n{result.stderr}")


# Created here, at import, because the plugins below import sereno, whose engine looks for the database.
_create_and_migrate()
pytest_plugins = ["tests.support.fixtures", "tests.support.s3_fixtures"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{_DB_NAME}" WITH (FORCE)'))
