"""Test session: a fresh PostGIS database migrated with the real `sereno db migrate`, dropped at the end.

TEST_DATABASE_URL names the server (scripts/test starts a project-local cluster and sets it). Every session
gets its own database, so parallel runs never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from tests.support.database import DB_NAME, TEST_DB_URL, admin_sql

# Before anything imports sereno: its settings and Piccolo's engine read DATABASE_URL once.
os.environ["DATABASE_URL"] = TEST_DB_URL
os.environ.setdefault("SERENO_SECRET_KEY", "test-secret-key-not-for-production")


def _create_and_migrate() -> None:
    asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}"'))
    asyncio.run(admin_sql(f'CREATE DATABASE "{DB_NAME}"'))
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
    asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
