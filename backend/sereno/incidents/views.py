"""Read models for staff: the queue, summaries and the full incident detail, each in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from sereno.accounts.schemas import StaffPrincipal
from sereno.core.errors import NotFound
from sereno.incidents.queries import OPEN_QUEUE, SUMMARY_BY_ID
from sereno.incidents.schemas import (
    AssignmentRead,
    ContactRead,
    IncidentDetail,
    IncidentSummary,
    SectorRef,
    TimelineItem,
    UnitOnIncident,
)
from sereno.media.storage import Storage
from sereno.reports.schemas import CategoryRef, Location, PhotoRead

__all__ = ["summary_from_row", "queue", "summaries", "assignments_of", "detail", "CONTACT_ROLES"]

# Who sees the reporter's identity and contact (analysts work on anonymous data).
CONTACT_ROLES = frozenset({"dispatcher", "supervisor", "admin", "officer"})


def summary_from_row(row: asyncpg.Record, lang: str = "es") -> IncidentSummary:
    return IncidentSummary(
        id=row["id"],
        code=row["code"],
        status=row["status"],
        priority=row["priority"],
        category=CategoryRef(code=row["category_code"], name=row["name_en" if lang == "en" else "name_es"]),
        location=Location(lat=row["lat"], lon=row["lon"], accuracy_m=row["accuracy_m"])
        if row["lat"] is not None
        else None,
        sector=SectorRef(code=row["sector_code"], name=row["sector_name"]) if row["sector_code"] else None,
        reported_at=row["reported_at"],
        age_s=max(0, row["age_s"]),
        source=row["source"],
        callback_due_at=row["callback_due_at"],
        callback_overdue=row["callback_overdue"],
        units=msgspec.json.decode(row["units"], type=list[UnitOnIncident]),
        escalated=row["escalated"],
        version=row["version"],
        silent=row["source"] == "alarm",
        needs_location=row["lat"] is None,
    )


async def queue(
    conn: asyncpg.Connection, *, tenant_id: int, now: datetime, lang: str, limit: int
) -> list[IncidentSummary]:
    return [summary_from_row(r, lang) for r in await conn.fetch(OPEN_QUEUE, now, tenant_id, limit)]


async def summaries(
    conn: asyncpg.Connection, *, tenant_id: int, ids: list[int], now: datetime, lang: str = "es"
) -> list[IncidentSummary]:
    rows = await conn.fetch(SUMMARY_BY_ID, now, tenant_id, ids)
    return [summary_from_row(r, lang) for r in rows]


_ASSIGNMENTS = """
SELECT a.id, a.incident AS incident_id, a.unit AS unit_id, u.call_sign, a.status, a.assigned_at, a.ack_deadline,
       a.acknowledged_at, a.en_route_at, a.on_scene_at, a.cleared_at, a.outcome, a.notes,
       (a.escalated_at IS NOT NULL) AS escalated, a.version
FROM assignment a JOIN unit u ON u.id = a.unit
WHERE a.tenant_id = $1 AND {where}
ORDER BY a.assigned_at, a.id
"""


async def assignments_of(
    conn: asyncpg.Connection, *, tenant_id: int, where: str, args: tuple = ()
) -> list[AssignmentRead]:
    """Assignments matching ``where`` (SQL over alias ``a``; its parameters start at $2)."""
    rows = await conn.fetch(_ASSIGNMENTS.format(where=where), tenant_id, *args)
    return [AssignmentRead(**dict(r)) for r in rows]


_DETAIL = """
SELECT i.description, i.duplicate_of, i.outcome, rc.name, rc.phone, rc.email, rc.callback_wanted, rc.erased_at
FROM incident i LEFT JOIN reporter_contact rc ON rc.incident = i.id
WHERE i.id = $1 AND i.tenant = $2
"""
_TIMELINE = """
SELECT e.at, e.kind, e.actor_type, coalesce(s.full_name, '') AS actor_name, e.data::text AS data
FROM incident_event e LEFT JOIN staff_account s ON e.actor_type = 'staff' AND s.id = e.actor_id
WHERE e.incident = $1 ORDER BY e.at, e.id
"""
_PHOTOS = """
SELECT display_key, thumb_key FROM attachment WHERE incident = $1 AND display_key IS NOT NULL
ORDER BY position, created_at
"""


async def detail(
    conn: asyncpg.Connection,
    *,
    staff: StaffPrincipal,
    incident_id: int,
    now: datetime,
    storage: Storage,
    lang: str = "es",
) -> IncidentDetail:
    found = await summaries(conn, tenant_id=staff.tenant_id, ids=[incident_id], now=now, lang=lang)
    if not found:
        raise NotFound("not_found")
    row = await conn.fetchrow(_DETAIL, incident_id, staff.tenant_id)
    contact = None
    if staff.role in CONTACT_ROLES and row["name"] is not None and row["erased_at"] is None:
        contact = ContactRead(
            name=row["name"], phone=row["phone"], email=row["email"], callback_wanted=row["callback_wanted"]
        )
    timeline = [
        TimelineItem(
            at=e["at"],
            kind=e["kind"],
            actor=e["actor_name"] or e["actor_type"],
            data=msgspec.json.decode(e["data"]),
        )
        for e in await conn.fetch(_TIMELINE, incident_id)
    ]
    photos = [
        PhotoRead(
            url=await storage.url_for(p["display_key"]), thumb_url=await storage.url_for(p["thumb_key"])
        )
        for p in await conn.fetch(_PHOTOS, incident_id)
    ]
    return IncidentDetail(
        **msgspec.structs.asdict(found[0]),
        description=row["description"],
        contact=contact,
        photos=photos,
        timeline=timeline,
        assignments=await assignments_of(
            conn, tenant_id=staff.tenant_id, where="a.incident = $2", args=(incident_id,)
        ),
        duplicate_of=row["duplicate_of"],
        outcome=row["outcome"],
    )
