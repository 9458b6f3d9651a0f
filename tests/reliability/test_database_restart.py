"""Drills with two API processes (each with its in-process outbox worker) on a PostgreSQL of their own:

- a status change made through one process reaches a console WebSocket connected to the other (live events
  cross processes through PostgreSQL LISTEN/NOTIFY, the default channels backend);
- PostgreSQL is restarted under load: meanwhile every request fails fast with a 503 in the API's error format
  and a Retry-After header (no hang, no 500), /readyz says not ready, and afterwards both processes recover by
  themselves: requests succeed, the outbox workers deliver, and sockets opened before the restart hear of new
  reports again.

Waits are bounded (asyncio.wait_for); no test sleeps to let something happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.reliability.drills import Processes, migrate, server_env
from tests.support.builders import TEST_CITY, create_city, new_key, report_body
from tests.support.processes import SerenoProcess
from tests.support.staff import Session, StaffMember, create_staff, login

_EVENT_S = 15.0
_FAIL_FAST_S = 5.0  # the longest a request may take while the database is away
_RECOVER_S = 30.0

Message = dict[str, Any]


@pytest.fixture(scope="module")
async def city_db(cluster) -> AsyncIterator[tuple[str, StaffMember]]:
    url = await cluster.create_database("sereno")
    await migrate(url)
    conn = await asyncpg.connect(url)
    try:
        tenant_id = await create_city(conn, **TEST_CITY)
        dispatcher = await create_staff(conn, tenant_id=tenant_id, role="dispatcher")
    finally:
        await conn.close()
    yield url, dispatcher


@pytest.fixture(scope="module")
async def pair(city_db, module_media) -> AsyncIterator[tuple[SerenoProcess, SerenoProcess]]:
    url, _ = city_db
    processes = Processes()
    try:
        env = server_env(url, module_media)
        yield await processes.api(env), await processes.api(env)
    finally:
        await processes.stop_all()


@pytest.fixture(scope="module")
async def dispatcher(pair, city_db) -> Session:
    async with httpx.AsyncClient(base_url=pair[0].base_url) as http:
        return await login(http, city_db[1])


@contextlib.asynccontextmanager
async def _console(server: SerenoProcess, session: Session) -> AsyncIterator[ClientConnection]:
    async with connect(f"{server.ws_url}/ws/console?token={session.access_token}", open_timeout=_EVENT_S) as ws:
        yield ws


async def _next(ws: ClientConnection, wanted: Callable[[Message], bool], timeout: float = _EVENT_S) -> Message:
    async def scan() -> Message:
        while True:
            message = json.loads(await ws.recv())
            if wanted(message):
                return message

    return await asyncio.wait_for(scan(), timeout=timeout)


async def _file_report(server: SerenoProcess, description: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as http:
        return await http.post("/api/v1/reports", json=report_body(category="noise_disturbance",
                                                                    description=description),
                               headers={"Idempotency-Key": new_key()})


async def test_status_change_through_one_process_reaches_a_socket_on_the_other(pair, dispatcher):
    a, b = pair
    async with _console(a, dispatcher) as console, httpx.AsyncClient(base_url=b.base_url) as http:
        created = await http.post("/api/v1/incidents", headers=dispatcher.headers, json={
            "category": "noise_disturbance", "description": "Fiesta con música a todo volumen.",
            "location": report_body()["location"], "source": "phone"})
        assert created.status_code == 201, created.text
        incident = created.json()
        triaged = await http.post(f"/api/v1/incidents/{incident['id']}/triage", headers=dispatcher.headers,
                                  json={"version": incident["version"], "priority": 2})
        assert triaged.status_code == 200, triaged.text

        message = await _next(console, lambda m: m["type"] == "incident.updated"
                              and m["data"]["id"] == incident["id"] and m["data"]["status"] == "triaged")
    assert message["data"]["priority"] == 2


# --- PostgreSQL restarted under load -----------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    server: str
    phase: str  # up, down, back
    status: int | str  # HTTP status, or the client error's name
    seconds: float
    headers: httpx.Headers | None = None
    body: bytes = b""


class Load:
    """Clients that keep filing and reading reports on both processes, recording every answer."""

    def __init__(self, servers: dict[str, SerenoProcess], tracked: tuple[str, str]) -> None:
        self.servers = servers
        self.tracked = tracked  # a report's code and tracking token, to read it back
        self.phase = "up"
        self.answers: list[Answer] = []
        self._stop = asyncio.Event()
        self._changed = asyncio.Condition()

    async def lane(self, name: str, reads: bool) -> None:
        async with httpx.AsyncClient(base_url=self.servers[name].base_url, timeout=10.0) as http:
            while not self._stop.is_set():
                phase, started = self.phase, time.monotonic()
                try:
                    if reads:
                        response = await http.get(f"/api/v1/reports/{self.tracked[0]}",
                                                  headers={"X-Tracking-Token": self.tracked[1]})
                    else:
                        response = await http.post("/api/v1/reports", json=report_body(
                            category="noise_disturbance", description="Carga durante el reinicio."),
                            headers={"Idempotency-Key": new_key()})
                    answer = Answer(name, phase, response.status_code, time.monotonic() - started,
                                    response.headers, response.content)
                except httpx.TransportError as exc:
                    answer = Answer(name, phase, type(exc).__name__, time.monotonic() - started)
                self.answers.append(answer)
                async with self._changed:
                    self._changed.notify_all()

    def count(self, server: str, phase: str, statuses: tuple[int, ...]) -> int:
        return sum(1 for a in self.answers if a.server == server and a.phase == phase and a.status in statuses)

    async def until(self, condition: Callable[[], bool], timeout: float) -> None:
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(condition), timeout=timeout)
        except TimeoutError:
            raise AssertionError(f"gave up waiting; answers so far: {self.summary()}") from None

    def summary(self) -> dict[tuple[str, str, int | str], int]:
        return dict(Counter((a.server, a.phase, a.status) for a in self.answers))

    def stop(self) -> None:
        self._stop.set()


async def _ready(server: SerenoProcess) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as http:
        return await http.get("/readyz")


async def test_database_restart_fails_fast_with_503_and_both_processes_recover(pair, dispatcher, cluster):
    a, b = pair
    first = await _file_report(a, "Antes del reinicio.")
    assert first.status_code == 201, first.text
    load = Load({"a": a, "b": b}, (first.json()["code"], first.json()["tracking_token"]))
    lanes = [asyncio.create_task(load.lane(name, reads)) for name in ("a", "b") for reads in (False, True)]
    async with _console(a, dispatcher) as console_a:  # open across the restart
        try:
            await load.until(lambda: all(load.count(s, "up", (200, 201)) >= 4 for s in "ab"), _RECOVER_S)
            await cluster.stop()
            load.phase = "down"
            await load.until(lambda: all(load.count(s, "down", (503,)) >= 8 for s in "ab"), _RECOVER_S)
            not_ready = [await _ready(a), await _ready(b)]
            await cluster.start()
            load.phase = "back"
            await load.until(lambda: all(load.count(s, "back", (200, 201)) >= 8 for s in "ab"), _RECOVER_S)
        finally:
            load.stop()
            await asyncio.wait_for(asyncio.gather(*lanes), timeout=_RECOVER_S)

        wrong = [a for a in load.answers if a.status not in (200, 201, 503)]
        assert wrong == [], (wrong[:5], a.errors() + b.errors())
        slow = [a for a in load.answers if a.seconds > _FAIL_FAST_S]
        assert slow == [], slow[:5]
        for answer in (a for a in load.answers if a.status == 503):
            assert answer.headers is not None and int(answer.headers["retry-after"]) > 0, answer
            assert json.loads(answer.body)["error"] == "service_unavailable", answer
        for response in not_ready:
            assert response.status_code == 503 and response.headers["retry-after"], response.text
            assert response.json()["status"] == "not_ready" and response.json()["checks"]["database"] != "ok"
        assert [(await _ready(a)).status_code, (await _ready(b)).status_code] == [200, 200]

        # The socket open across the restart is told that events were lost meanwhile (the console reloads).
        await _next(console_a, lambda m: m["type"] == "resync", timeout=_RECOVER_S)
        # Live events flow again, through the socket opened before the restart and a new one on the other
        # process: each process's outbox worker delivers, each one's channels listener hears.
        async with _console(b, dispatcher) as console_b:
            for socket, through in ((console_a, b), (console_b, a)):
                await _hears_of_new_reports(socket, through)
    assert a.errors() == [] and b.errors() == [], a.tail() + b.tail()


async def _hears_of_new_reports(socket: ClientConnection, through: SerenoProcess) -> None:
    """File reports through ``through`` until ``socket`` hears of one (what was published before the socket's
    process listened again is lost, as NOTIFY is), each wait bounded."""
    deadline = time.monotonic() + _RECOVER_S
    while time.monotonic() < deadline:
        response = await _file_report(through, "Después del reinicio.")
        assert response.status_code == 201, response.text
        code = response.json()["code"]
        with contextlib.suppress(TimeoutError):
            await _next(socket, lambda m: m["type"] == "incident.created" and m["data"]["code"] == code,
                        timeout=1.0)
            return
    raise AssertionError(f"no live event reached the socket within {_RECOVER_S} s of the restart")
