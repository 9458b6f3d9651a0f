"""What the drills share: migrating a database, the test city, the environment of their processes, and the
processes a test started (stopped at its end, whatever happened)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg

from tests.support.builders import TEST_CITY, create_city
from tests.support.processes import SerenoProcess

__all__ = ["migrate", "seed_city", "server_env", "Processes"]


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


class Processes:
    """The processes a test started; all stopped at its end, whatever happened."""

    def __init__(self) -> None:
        self.started: list[SerenoProcess] = []

    async def api(self, env: dict[str, str]) -> SerenoProcess:
        """An API server on a free port (another if a parallel test run took that one meanwhile)."""
        for attempt in range(3):
            process = SerenoProcess.api(env=env)
            self.started.append(process)
            try:
                return await process.start()
            except RuntimeError:
                if attempt == 2 or "address already in use" not in process.tail():
                    raise
        raise AssertionError("unreachable")

    async def worker(self, env: dict[str, str]) -> SerenoProcess:
        process = SerenoProcess.worker(env=env)
        self.started.append(process)
        return await process.start()

    async def stop_all(self) -> None:
        await asyncio.gather(*(process.stop() for process in self.started), return_exceptions=True)
