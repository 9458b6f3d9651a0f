"""Incidents as the dispatch flow leaves them (resolved, with a timeline and a reporter's contact), written
straight into the real database for tests that need many of them: the public projection, statistics."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import msgspec

__all__ = ["insert_incident", "PRIVATE"]

# Private text planted in every seeded incident: none of it may ever reach public output.
PRIVATE = {
    "name": "Rosalinda Quispe Mamani",
    "phone": "+51 987 654 321",
    "email": "rosalinda.quispe@correo.pe",
    "description": "Me robaron en la puerta de mi casa, Jr. Pizarro 455, dpto 3B",
    "note": "Vecina del 3B, conoce al agresor; unidad SZ-17 del Agente Wilmer Paredes",
}


async def insert_incident(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    category: str,
    lon: float | None,
    lat: float | None,
    reported_at: datetime,
    status: str = "closed",
    outcome: str | None = "resolved_on_scene",
    resolved_after: timedelta = timedelta(minutes=50),
    on_scene_after: timedelta | None = timedelta(minutes=9),
    dispatched_after: timedelta | None = timedelta(minutes=2),
    priority: int | None = None,
    private: dict[str, str] = PRIVATE,
) -> tuple[int, str]:
    """One incident with its contact, a staff note and a timeline; returns (id, code)."""
    prefix = await conn.fetchval("SELECT code_prefix FROM tenant WHERE id = $1", tenant_id)
    number = await conn.fetchval("SELECT sereno_next_report_number($1)", tenant_id)
    code = f"{prefix}-{reported_at.year}-{number:06d}"
    resolved_at = reported_at + resolved_after if status in ("resolved", "closed") else None
    incident_id = await conn.fetchval(
        """INSERT INTO incident (tenant, code, category, priority, status, source, location, accuracy_m, sector,
                                 description, anonymous, occurred_at, reported_at, updated_at, resolved_at, outcome)
           SELECT $1, $2, c.id, c.default_priority, $4, 'app',
                  CASE WHEN $5::float8 IS NULL THEN NULL
                       ELSE ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography END,
                  8, (SELECT s.id FROM sector s WHERE s.tenant = $1
                      AND ST_Covers(s.area, ST_SetSRID(ST_MakePoint($5, $6), 4326)) LIMIT 1),
                  $7, false, $8::timestamptz, $8::timestamptz, coalesce($9::timestamptz, $8::timestamptz), $9::timestamptz, $10
           FROM category c WHERE c.tenant = $1 AND c.code = $3
           RETURNING id""",
        tenant_id, code, category, status, lon, lat, private["description"], reported_at, resolved_at,
        outcome if status in ("resolved", "closed") else None,
    )
    await conn.execute(
        "INSERT INTO reporter_contact (tenant_id, incident, name, phone, email, callback_wanted) "
        "VALUES ($1, $2, $3, $4, $5, true)",
        tenant_id, incident_id, private["name"], private["phone"], private["email"],
    )
    events = [(reported_at, "reported", True, {"status": "new"})]
    if dispatched_after is not None and on_scene_after is not None and status in ("resolved", "closed"):
        events.append((reported_at + dispatched_after, "dispatched", True, {"status": "dispatched"}))
    if on_scene_after is not None and status in ("resolved", "closed"):
        events.append((reported_at + on_scene_after, "on_scene", True, {"status": "on_scene"}))
    events.append((reported_at + timedelta(minutes=5), "note", False, {"text": private["note"]}))
    if resolved_at:
        events.append((resolved_at, "resolved", True, {"status": "resolved", "outcome": outcome}))
    for at, kind, public, data in events:
        await conn.execute(
            "INSERT INTO incident_event (tenant_id, incident, at, actor_type, kind, data, public) "
            "VALUES ($1, $2, $3, 'staff', $4, $5::jsonb, $6)",
            tenant_id, incident_id, at, kind, msgspec.json.encode(data).decode(), public,
        )
    if priority is not None:
        await conn.execute("UPDATE incident SET priority = $2 WHERE id = $1", incident_id, priority)
    return incident_id, code
