"""The test database server and the session's own database (named once per test process)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import asyncpg

__all__ = ["SERVER_URL", "DB_NAME", "TEST_DB_URL", "with_database", "admin_sql"]

SERVER_URL = os.environ.get(
    "TEST_DATABASE_URL",
    f"postgresql://postgres@127.0.0.1:{os.environ.get('SERENO_TEST_PG_PORT', '54330')}/sereno",
)
DB_NAME = f"sereno_test_{os.getpid()}"


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


TEST_DB_URL = with_database(SERVER_URL, DB_NAME)


async def admin_sql(sql: str) -> None:
    conn = await asyncpg.connect(with_database(SERVER_URL, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
