"""Behind a reverse proxy: the real `sereno run` believes X-Forwarded-For only from SERENO_TRUSTED_PROXIES, so
rate limits count citizens, not the proxy, and nobody else can pick their own budget by writing the header."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from tests.support.builders import TEST_CITY, new_key, report_body
from tests.support.database import TEST_DB_URL

_START_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def _server(media, **env: str) -> AsyncIterator[httpx.AsyncClient]:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sereno", "run",
        env={**os.environ, "DATABASE_URL": TEST_DB_URL, "SERENO_PORT": str(port), "SERENO_MEDIA_DIR": str(media),
             "SERENO_DEFAULT_TENANT": TEST_CITY["slug"], "SERENO_WORKER_IN_PROCESS": "false",
             "SERENO_RATE_LIMIT_PER_MINUTE": "2", "SERENO_LOG_FORMAT": "text", **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    log: list[str] = []

    async def ready() -> None:
        while line := (await process.stdout.readline()).decode():
            log.append(line)
            if "Uvicorn running on" in line:
                return
        raise RuntimeError("server exited during start-up:\n" + "".join(log))

    try:
        await asyncio.wait_for(ready(), timeout=_START_S)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _report_from(client: httpx.AsyncClient, forwarded_for: str) -> int:
    headers = {"Idempotency-Key": new_key(), "X-Forwarded-For": forwarded_for}
    return (await client.post("/api/v1/reports", json=report_body(), headers=headers)).status_code


async def test_behind_a_trusted_proxy_each_citizen_has_their_own_budget(client, tmp_path):
    async with _server(tmp_path, SERENO_TRUSTED_PROXIES="127.0.0.1") as proxied:
        first = [await _report_from(proxied, "203.0.113.10") for _ in range(3)]
        other = await _report_from(proxied, "203.0.113.11")
    assert first == [201, 201, 429] and other == 201


async def test_without_trusted_proxies_x_forwarded_for_cannot_buy_a_fresh_budget(client, tmp_path):
    async with _server(tmp_path) as direct:
        spoofed = [await _report_from(direct, f"203.0.113.{n}") for n in range(20, 23)]
    assert spoofed == [201, 201, 429]  # one peer, one budget, whatever the header says
