"""Live events across processes: two `sereno run` servers on one database, each with its in-process outbox
worker; a console or field WebSocket on one hears of what happens through the other (PostgreSQL channels).

Waits are bounded (asyncio.wait_for on the socket), never sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.integration.dispatch.desk import near
from tests.support.builders import INSIDE, TEST_CITY, create_city, new_key
from tests.support.database import TEST_DB_URL, admin_sql, with_database
from tests.support.staff import Session, StaffMember, create_staff, create_unit, login

_START_S = 60  # generous: two servers start on a loaded machine
_EVENT_S = 15
SPOT = {"lat": INSIDE["lat"] - 0.01, "lon": INSIDE["lon"] + 0.005}


@dataclass(frozen=True)
class Server:
    base: str
    process: asyncio.subprocess.Process
    log: list[str]

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://")


@dataclass(frozen=True)
class Cast:
    dispatcher: StaffMember
    officers: tuple[StaffMember, StaffMember]
    units: tuple[int, int]  # the first near SPOT, the second 2 km away


@pytest.fixture(scope="module")
async def realtime_db() -> AsyncIterator[tuple[str, Cast]]:
    """A database of its own: the servers' in-process workers must not take the other tests' events."""
    name = f"{TEST_DB_URL.rsplit('/', 1)[1]}_rt"
    url = with_database(TEST_DB_URL, name)
    await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin_sql(f'CREATE DATABASE "{name}"')
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sereno", "db", "migrate", env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await migrate.communicate()
    assert migrate.returncode == 0, output.decode()
    conn = await asyncpg.connect(url)
    try:
        tenant_id = await create_city(conn, **TEST_CITY)
        dispatcher = await create_staff(conn, tenant_id=tenant_id, role="dispatcher")
        officers = (await create_staff(conn, tenant_id=tenant_id, role="officer"),
                    await create_staff(conn, tenant_id=tenant_id, role="officer"))
        units = (await create_unit(conn, tenant_id=tenant_id, members=(officers[0],),
                                   position=near(SPOT, east_m=150)),
                 await create_unit(conn, tenant_id=tenant_id, members=(officers[1],),
                                   position=near(SPOT, north_m=2000)))
    finally:
        await conn.close()
    yield url, Cast(dispatcher=dispatcher, officers=officers, units=units)
    await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _start(url: str, media: Path) -> Server:
    port = _free_port()
    env = {
        **os.environ, "DATABASE_URL": url, "SERENO_PORT": str(port), "SERENO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SERENO_DEFAULT_TENANT": TEST_CITY["slug"], "SERENO_MEDIA_DIR": str(media),
        "SERENO_RATE_LIMIT_PER_MINUTE": "10000", "SERENO_WORKER_IN_PROCESS": "true",
        "SERENO_LOG_LEVEL": "info",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sereno", "run", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    return Server(base=f"http://127.0.0.1:{port}", process=process, log=[])


async def _ready(server: Server) -> None:
    """Uvicorn says it is listening only after the lifespan (pool, worker, channels) has started."""
    assert server.process.stdout is not None
    while True:
        line = (await server.process.stdout.readline()).decode()
        if not line:
            raise RuntimeError("server exited during start-up:\n" + "".join(server.log))
        server.log.append(line)
        if "Uvicorn running on" in line:
            return


async def _keep_reading(server: Server) -> None:
    assert server.process.stdout is not None
    while line := await server.process.stdout.readline():
        server.log.append(line.decode())


@pytest.fixture(scope="module")
async def servers(realtime_db: tuple[str, Cast], tmp_path_factory: pytest.TempPathFactory
                  ) -> AsyncIterator[tuple[Server, Server]]:
    url, _ = realtime_db
    started = [await _start(url, tmp_path_factory.mktemp("rt-media")) for _ in range(2)]
    readers: list[asyncio.Task] = []
    try:
        await asyncio.wait_for(asyncio.gather(*(_ready(s) for s in started)), timeout=_START_S)
        readers = [asyncio.create_task(_keep_reading(s)) for s in started]
        yield started[0], started[1]
    finally:
        for server in started:
            if server.process.returncode is None:
                server.process.terminate()
        for server in started:
            try:
                await asyncio.wait_for(server.process.wait(), timeout=15)
            except TimeoutError:
                server.process.kill()
                await server.process.wait()
        for reader in readers:
            reader.cancel()


@pytest.fixture(scope="module")
async def sessions(servers: tuple[Server, Server], realtime_db: tuple[str, Cast]) -> dict[str, Session]:
    _, cast = realtime_db
    async with httpx.AsyncClient(base_url=servers[0].base) as http:
        return {
            "dispatcher": await login(http, cast.dispatcher),
            "officer1": await login(http, cast.officers[0]),
            "officer2": await login(http, cast.officers[1]),
        }


# --- helpers ----------------------------------------------------------------------------------------------

Message = dict[str, Any]


@contextlib.asynccontextmanager
async def _socket(server: Server, path: str, session: Session) -> AsyncIterator[ClientConnection]:
    async with connect(f"{server.ws}{path}?token={session.access_token}", open_timeout=_EVENT_S) as ws:
        yield ws


async def _until_streaming(ws: ClientConnection, poke: Callable[[], Awaitable[None]]) -> None:
    """The server subscribes to the channel only after accepting the socket, so the first events can pass
    before it listens: poke (an event for this socket) until one arrives, each wait bounded."""
    for _ in range(40):
        await poke()
        try:
            await asyncio.wait_for(ws.recv(), timeout=0.5)
            return
        except TimeoutError:
            continue
    raise AssertionError("the socket never started streaming")


async def _next(ws: ClientConnection, wanted: Callable[[Message], bool],
                seen: list[Message] | None = None) -> Message:
    """The first message matching ``wanted``; the ones before it go to ``seen``."""

    async def scan() -> Message:
        while True:
            message = json.loads(await ws.recv())
            if wanted(message):
                return message
            if seen is not None:
                seen.append(message)

    return await asyncio.wait_for(scan(), timeout=_EVENT_S)


async def _duty(server: Server, officer: Session) -> None:
    async with httpx.AsyncClient(base_url=server.base) as http:
        response = await http.post("/api/v1/field/duty", json={"on": True}, headers=officer.headers)
        assert response.status_code == 200, response.text


async def _report(server: Server, category: str) -> str:
    body = {"category": category, "description": "Prueba en vivo.", "location": {**SPOT, "accuracy_m": 10.0},
            "anonymous": True}
    async with httpx.AsyncClient(base_url=server.base) as http:
        response = await http.post("/api/v1/reports", json=body, headers={"Idempotency-Key": new_key()})
    assert response.status_code == 201, response.text
    return response.json()["code"]


# --- tests ------------------------------------------------------------------------------------------------

async def test_console_on_one_server_hears_of_a_report_filed_through_the_other(servers, sessions):
    a, b = servers
    async with _socket(a, "/ws/console", sessions["dispatcher"]) as console:
        await _until_streaming(console, lambda: _duty(b, sessions["officer2"]))
        code = await _report(b, "suspicious_activity")
        message = await _next(console,
                              lambda m: m["type"] == "incident.created" and m["data"]["code"] == code)
    assert message["data"]["status"] == "new" and message["data"]["category"]["code"] == "suspicious_activity"
    assert message["at"]


async def test_an_officer_hears_only_of_assignments_for_their_own_unit(servers, sessions, realtime_db):
    a, b = servers
    _, cast = realtime_db
    near_unit, far_unit = cast.units
    async with _socket(b, "/ws/field", sessions["officer1"]) as mine, \
            _socket(a, "/ws/field", sessions["officer2"]) as other:
        await _until_streaming(mine, lambda: _duty(a, sessions["officer1"]))
        await _until_streaming(other, lambda: _duty(b, sessions["officer2"]))

        await _report(a, "robbery_assault")  # P1: auto-dispatched to the nearest unit
        early: list[Message] = []  # with several workers, one transaction's events may arrive in any order
        created = await _next(mine, lambda m: m["type"] == "assignment.created", seen=early)
        assert created["data"]["unit_id"] == near_unit and created["data"]["status"] == "assigned"
        incident_id = created["data"]["incident_id"]
        # Wait for the rest of that transaction's events too, so any copy of them on the other unit's channel
        # was notified before the marker below.
        unit_assigned = lambda m: m["type"] == "unit.updated" and m["data"]["status"] == "assigned"  # noqa: E731
        incident_seen = lambda m: m["type"] == "incident.updated" and m["data"]["id"] == incident_id  # noqa: E731
        for wanted in (unit_assigned, incident_seen):
            if not any(wanted(m) for m in early):
                await _next(mine, wanted, seen=early)

        # Marker: an assignment for the other unit, made through the other server.
        dispatcher = sessions["dispatcher"]
        async with httpx.AsyncClient(base_url=b.base) as http:
            call = {"category": "accident", "description": "Choque leve.",
                    "location": near(SPOT, north_m=2050), "source": "phone"}
            marker = (await http.post("/api/v1/incidents", json=call, headers=dispatcher.headers)).json()
            assigned = await http.post(f"/api/v1/incidents/{marker['id']}/assignments",
                                       json={"unit_ids": [far_unit]}, headers=dispatcher.headers)
            assert assigned.status_code == 201, assigned.text
        before_marker: list[Message] = []
        received = await _next(other, lambda m: m["type"] == "assignment.created", seen=before_marker)

    assert received["data"]["unit_id"] == far_unit and received["data"]["incident_id"] == marker["id"]
    leaks = [m for m in before_marker if _mentions(m, incident_id=incident_id, unit_id=near_unit)]
    assert leaks == [], leaks
    # What did come first is about the other unit or the marker incident only (with several workers, events of
    # one transaction may arrive in any order).
    assert all(_mentions(m, incident_id=marker["id"], unit_id=far_unit) for m in before_marker), before_marker


def _mentions(message: Message, *, incident_id: int, unit_id: int) -> bool:
    data = message["data"]
    if message["type"].startswith("assignment."):
        return data["incident_id"] == incident_id or data["unit_id"] == unit_id
    if message["type"].startswith("incident."):
        return data["id"] == incident_id
    return data.get("id") == unit_id
