"""The dispatch tests' view of Sereno: a citizen's phone, the console and the field app as HTTP calls, in a
tenant of their own ("dsp"), plus where units are and when they were last heard from.

A tenant of their own keeps the nearest-unit searches free of units and incidents other test modules leave
behind in "tst". Officers log in once per session (argon2 verification is slow on purpose) and are seated in
a fresh unit whenever a test needs a crew: the API resolves an officer's unit on every request.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from sereno.core import db as core_db
from sereno.core.clock import Clock
from sereno.core.outbox import OutboxWorker
from sereno.settings import DispatchSettings
from tests.support.builders import new_key
from tests.support.fixtures import decode
from tests.support.staff import Session, create_unit

__all__ = ["TENANT", "CENTRE", "near", "Console", "Crew", "Report", "Desk"]

TENANT = {"slug": "dsp", "name": "Ciudad de Despacho", "prefix": "DSP"}
# Inside the test box (the same 4 km square as "tst"), away from its edges.
CENTRE = {"lat": -8.1100, "lon": -79.0300}
_M_PER_DEG_LAT = 110_574.0


def near(point: dict[str, float], *, north_m: float = 0.0, east_m: float = 0.0) -> dict[str, float]:
    """The point ``north_m`` north and ``east_m`` east of ``point`` (good to a few metres at city scale)."""
    lat = point["lat"] + north_m / _M_PER_DEG_LAT
    lon = point["lon"] + east_m / (111_320.0 * math.cos(math.radians(lat)))
    return {"lat": round(lat, 7), "lon": round(lon, 7)}


@dataclass(frozen=True)
class Officer:
    id: int
    full_name: str
    session: Session


@dataclass(frozen=True)
class Console:
    """The command center's people, logged in once per session."""

    dispatcher: Session
    supervisor: Session
    analyst: Session
    officers: tuple[Officer, ...]


@dataclass(frozen=True)
class Crew:
    unit_id: int
    officer: Officer | None

    @property
    def headers(self) -> dict[str, str]:
        assert self.officer is not None, "this unit has nobody on board"
        return self.officer.session.headers


@dataclass(frozen=True)
class Report:
    id: int
    code: str
    token: str


@dataclass
class Desk:
    client: httpx.AsyncClient
    worker: OutboxWorker
    clock: Clock
    settings: DispatchSettings
    tenant_id: int
    console: Console
    _seated: int = field(default=0)

    def now(self) -> datetime:
        return self.clock.now()

    # --- the world -----------------------------------------------------------------------------------------

    async def unit(self, at: dict[str, float], *, agency: str = "serenazgo", heard_s_ago: float = 0,
                   status: str = "available") -> Crew:
        """A unit without anyone logged in, last heard from ``heard_s_ago`` seconds ago (app's clock)."""
        async with core_db.connection() as conn:
            unit_id = await create_unit(conn, tenant_id=self.tenant_id, agency=agency, status=status,
                                        position=at)
            await conn.execute(
                "UPDATE unit SET position_received_at = $2, position_device_at = $2 WHERE id = $1",
                unit_id, self.now() - timedelta(seconds=heard_s_ago))
        return Crew(unit_id=unit_id, officer=None)

    async def crew(self, at: dict[str, float], *, agency: str = "serenazgo", heard_s_ago: float = 0) -> Crew:
        """A unit with the next free officer of the session on board."""
        unit = await self.unit(at, agency=agency, heard_s_ago=heard_s_ago)
        officer = self.console.officers[self._seated]
        self._seated += 1
        async with core_db.connection() as conn:
            await conn.execute(
                "INSERT INTO unit_member (unit, account, since) VALUES ($1, $2, now()) "
                "ON CONFLICT (account) DO UPDATE SET unit = excluded.unit, since = excluded.since",
                unit.unit_id, officer.id,
            )
        return Crew(unit_id=unit.unit_id, officer=officer)

    async def drain(self) -> None:
        """Deliver every due outbox event (what the in-process worker does continuously)."""
        await self.worker.drain()

    # --- the citizen ---------------------------------------------------------------------------------------

    async def report(self, category: str, at: dict[str, float], **extra: Any) -> Report:
        body = {"category": category, "description": f"Reporte de prueba: {category}.",
                "location": {**at, "accuracy_m": 10.0}, "anonymous": "contact" not in extra, **extra}
        response = await self.client.post("/api/v1/reports", json=body, headers={
            "Idempotency-Key": new_key(), "X-Sereno-Tenant": TENANT["slug"]})
        assert response.status_code == 201, response.text
        created = decode(response)
        async with core_db.connection() as conn:
            incident_id = await conn.fetchval("SELECT id FROM incident WHERE code = $1", created["code"])
        return Report(id=incident_id, code=created["code"], token=created["tracking_token"])

    async def citizen_view(self, report: Report, lang: str = "es") -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/reports/{report.code}", headers={
            "X-Tracking-Token": report.token, "X-Sereno-Tenant": TENANT["slug"], "Accept-Language": lang})
        assert response.status_code == 200, response.text
        return decode(response)

    # --- the console ---------------------------------------------------------------------------------------

    async def post(self, path: str, body: dict[str, Any],
                   as_: Session | Crew | None = None) -> httpx.Response:
        who = as_ or self.console.dispatcher
        return await self.client.post(path, json=body, headers=who.headers)

    async def get(self, path: str, as_: Session | Crew | None = None) -> Any:
        who = as_ or self.console.dispatcher
        response = await self.client.get(path, headers=who.headers)
        assert response.status_code == 200, response.text
        return decode(response)

    async def incident(self, incident_id: int) -> dict[str, Any]:
        return await self.get(f"/api/v1/incidents/{incident_id}")

    async def queue_entry(self, incident_id: int) -> dict[str, Any]:
        [entry] = [i for i in await self.get("/api/v1/incidents?limit=1000") if i["id"] == incident_id]
        return entry

    async def unit_status(self, crew: Crew) -> dict[str, Any]:
        [unit] = [u for u in await self.get("/api/v1/units") if u["id"] == crew.unit_id]
        return unit

    async def call_in(self, category: str, at: dict[str, float], **extra: Any) -> dict[str, Any]:
        """A call entered by the dispatcher (operator entry)."""
        body = {"category": category, "description": "Llamada al 105.",
                "location": {**at, "accuracy_m": 25.0}, "source": "phone", **extra}
        response = await self.post("/api/v1/incidents", body)
        assert response.status_code == 201, response.text
        return decode(response)

    async def recommendations(self, incident_id: int) -> list[dict[str, Any]]:
        return await self.get(f"/api/v1/incidents/{incident_id}/recommendations")

    async def assign(self, incident_id: int, *crews: Crew) -> list[dict[str, Any]]:
        response = await self.post(f"/api/v1/incidents/{incident_id}/assignments",
                                   {"unit_ids": [c.unit_id for c in crews]})
        assert response.status_code == 201, response.text
        return decode(response)

    async def only_assignment(self, incident_id: int) -> dict[str, Any]:
        [assignment] = (await self.incident(incident_id))["assignments"]
        return assignment

    # --- the field app -------------------------------------------------------------------------------------

    async def act(self, crew: Crew, assignment_id: int, action: str, *, action_id: str | None = None,
                  **body: Any) -> httpx.Response:
        """One tap; ``device_at`` defaults to the app's now, as a phone with signal sends it."""
        body.setdefault("device_at", self.now().isoformat())
        return await self.post(f"/api/v1/field/assignments/{assignment_id}/{action}",
                               {"action_id": action_id or str(uuid.uuid4()), **body}, as_=crew)

    async def resolve(self, crew: Crew, assignment_id: int, outcome: str = "resolved_on_scene") -> None:
        for action in ("acknowledge", "on_scene"):
            assert (await self.act(crew, assignment_id, action)).status_code == 200
        response = await self.act(crew, assignment_id, "clear", outcome=outcome, notes="Se atendió.")
        assert response.status_code == 200, response.text
