"""Drill: the API process is killed (SIGKILL) in the middle of a burst of citizen reports, then restarted.

Phones file reports as the PWA's outbox does: a report keeps its Idempotency-Key and is sent again after a
connection error or a 5xx until the server acknowledges it (201), or until the phone gives up. Patient phones
outlast the outage; impatient ones give up at the first failure. Afterwards every acknowledged report exists
exactly once, under the code the phone was given, and every abandoned one at most once; and the events the
dead process had claimed from the outbox are delivered by the new one.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass, field

import asyncpg
import httpx

from tests.reliability.drills import server_env
from tests.support.builders import new_key, report_body

_LANES = 8  # phones sending at once
_ACKED_BEFORE_KILL = 24
_ACKED_AFTER_RESTART = 16
_PATIENCE_S = 60.0  # a patient phone keeps trying for this long
_WAIT_S = 60.0  # bound on each wait of the drill
_DRAIN_S = 20.0  # well under the outbox's 120 s lease, which must not be what frees the dead process's claims


@dataclass
class Report:
    key: str
    description: str
    patient: bool
    failures: list[str] = field(default_factory=list)  # what each failed attempt met
    code: str | None = None  # the acknowledged code
    acked_after_restart: bool = False


class Burst:
    """Lanes of phones, each filing one report after the other until told to stop."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.run = uuid.uuid4().hex[:8]
        self.reports: list[Report] = []
        self.restarted = False
        self._numbers = itertools.count()
        self._stop = asyncio.Event()
        self._acked = asyncio.Condition()

    @property
    def acked(self) -> list[Report]:
        return [r for r in self.reports if r.code is not None]

    async def until_acked(self, count: int) -> None:
        async with self._acked:
            await asyncio.wait_for(self._acked.wait_for(lambda: len(self.acked) >= count), timeout=_WAIT_S)

    async def lane(self) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10.0) as client:
            while not self._stop.is_set():
                number = next(self._numbers)
                report = Report(key=new_key(), description=f"Simulacro {self.run} n.º {number}",
                                patient=number % 2 == 0)
                self.reports.append(report)
                await self._file(client, report)

    async def _file(self, client: httpx.AsyncClient, report: Report) -> None:
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + (_PATIENCE_S if report.patient else 0.0)
        body = report_body(category="suspicious_activity", description=report.description)
        while True:
            try:
                response = await client.post("/api/v1/reports", json=body,
                                             headers={"Idempotency-Key": report.key})
            except httpx.TransportError as exc:
                report.failures.append(type(exc).__name__)
            else:
                if response.status_code == 201:
                    report.code = response.json()["code"]
                    report.acked_after_restart = self.restarted
                    async with self._acked:
                        self._acked.notify_all()
                    return
                assert response.status_code >= 500, response.text  # a 4xx would be the phone's own mistake
                report.failures.append(str(response.status_code))
            if loop.time() >= give_up_at:
                return
            await asyncio.sleep(0.1)  # the outbox's pause before trying again

    def stop(self) -> None:
        self._stop.set()


async def _incidents(url: str, run: str) -> dict[str, list[str]]:
    """Description → codes of the incidents the drill's reports created."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT description, code FROM incident WHERE description LIKE $1",
                                f"Simulacro {run} %")
    finally:
        await conn.close()
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["description"], []).append(row["code"])
    return found


async def _events_left_behind(url: str, killed_at) -> int:
    """Outbox events claimed before the kill and still not delivered."""
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM outbox_event WHERE done_at IS NULL AND attempts > 0 AND created_at < $1",
            killed_at)
    finally:
        await conn.close()


async def test_killed_api_loses_no_acknowledged_report_and_duplicates_none(drill_db, media, processes):
    api = await processes.api(server_env(drill_db, media))
    burst = Burst(api.base_url)
    lanes = [asyncio.create_task(burst.lane()) for _ in range(_LANES)]
    try:
        await burst.until_acked(_ACKED_BEFORE_KILL)
        await api.kill()
        killed_at = await _now(drill_db)
        burst.restarted = True
        await api.start()
        await burst.until_acked(_ACKED_BEFORE_KILL + _ACKED_AFTER_RESTART)
    finally:
        burst.stop()
        await asyncio.wait_for(asyncio.gather(*lanes), timeout=_WAIT_S)

    found = await _incidents(drill_db, burst.run)
    for report in burst.reports:
        if report.code is not None:
            assert found.get(report.description) == [report.code], report
        else:
            assert len(found.get(report.description, [])) <= 1, report
    # The drill did what it says: the crash was felt, patient phones got through it, impatient ones gave up.
    interrupted = [r for r in burst.reports if r.failures]
    assert any(r.code is not None and r.acked_after_restart for r in interrupted), "no retry outlasted the crash"
    assert any(r.code is None for r in interrupted), "no phone gave up"
    assert any(f in ("RemoteProtocolError", "ReadError") for r in interrupted for f in r.failures), \
        "no request was in flight when the process died"

    # Events the dead process had claimed (e.g. the console's incident.created) are not left to its lease.
    async def drained() -> None:
        while await _events_left_behind(drill_db, killed_at):
            await asyncio.sleep(0.2)

    try:
        await asyncio.wait_for(drained(), timeout=_DRAIN_S)
    except TimeoutError:
        left = await _events_left_behind(drill_db, killed_at)
        raise AssertionError(f"{left} outbox events claimed before the kill still undelivered") from None
    assert api.errors() == [], api.tail()


async def _now(url: str):
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT now()")
    finally:
        await conn.close()
