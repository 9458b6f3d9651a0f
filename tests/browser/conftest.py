"""Browser tests: the real server in a subprocess and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.support.builders import TEST_CITY, create_city

CHROMIUM = os.environ.get("SERENO_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}
GPS = {"latitude": -8.1000, "longitude": -79.0400, "accuracy": 15}  # inside the test city's NW sector


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
async def browser_db() -> AsyncIterator[str]:
    """A database of its own: the live server's in-process worker must not take the other tests' events."""

    from tests.support.database import TEST_DB_URL, admin_sql, with_database

    name = f"{TEST_DB_URL.rsplit('/', 1)[1]}_browser"
    url = with_database(TEST_DB_URL, name)
    await admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
    await admin_sql(f'CREATE DATABASE "{name}"')
    migrate = subprocess.run(
        [sys.executable, "-m", "sereno", "db", "migrate"], env={**os.environ, "DATABASE_URL": url},
        capture_output=True, text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    conn = await asyncpg.connect(url)
    try:
        await create_city(conn, **TEST_CITY)
    finally:
        await conn.close()
    yield url
    await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def live_server(browser_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``sereno run`` on a free port against the browser tests' database."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": browser_db,
        "SERENO_PORT": str(port),
        "SERENO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SERENO_DEFAULT_TENANT": "tst",
        "SERENO_MEDIA_DIR": str(tmp_path_factory.mktemp("browser-media")),
        "SERENO_RATE_LIMIT_PER_MINUTE": "10000",
        "SERENO_LOG_LEVEL": "warning",
    }
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "sereno", "run"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"server did not start:\n{Path(log_path).read_text()}")
        time.sleep(0.1)  # polling for start-up, not a timing assertion
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        await browser.close()


@pytest.fixture
async def phone(browser: Browser, live_server: str) -> AsyncIterator[BrowserContext]:
    """A phone-sized context in Spanish with a mocked GPS position; map tiles (internet) are blocked."""
    context = await browser.new_context(
        base_url=live_server,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="es-PE",
        permissions=["geolocation"],
        geolocation=GPS,
        service_workers="allow",
    )
    await context.route("https://*.tile.openstreetmap.org/**", lambda route: route.abort())
    await context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    yield context
    await context.close()


@pytest.fixture
async def pg(browser_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the live server's database, to check what it stored."""

    conn = await asyncpg.connect(browser_db)
    yield conn
    await conn.close()
