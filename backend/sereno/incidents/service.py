"""Incident commands from the command center: triage, notes, merge, unfounded/cancel/close/reopen, operator
entry and callbacks. Each checks the lifecycle, writes the timeline, and emits live events in one transaction;
commands carrying the ``version`` the dispatcher saw are refused (409) when someone else changed it first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db, events, outbox
from sereno.core.errors import Conflict, NotFound, Unprocessable
from sereno.incidents import lifecycle, views
from sereno.incidents.schemas import IncidentDetail, MergeIn, NoteIn, TriageIn
from sereno.media.storage import Storage
from sereno.tenants import service as tenants

__all__ = [
    "AUTO_DISPATCH_TOPIC",
    "add_note",
    "apply_status",
    "finish",
    "locked",
    "merge",
    "publish_incident",
    "publish_incidents",
    "record",
    "record_callback",
    "triage",
]

AUTO_DISPATCH_TOPIC = "dispatch.auto"

_LOCK = """
SELECT id, tenant, code, status, priority, category, version, callback_due_at, location IS NULL AS unlocated
FROM incident WHERE id = $1 AND tenant = $2 FOR UPDATE
"""


def refused(exc: lifecycle.Refused) -> Conflict:
    return Conflict(exc.reason, extra={"current": exc.current}, current=exc.current)


async def locked(conn: asyncpg.Connection, *, tenant_id: int, incident_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(_LOCK, incident_id, tenant_id)
    if row is None:
        raise NotFound("not_found")
    return row


def check_version(row: asyncpg.Record, version: int) -> None:
    if row["version"] != version:
        raise Conflict(
            "stale_version",
            extra={"current": row["status"], "version": row["version"]},
            current=row["status"],
        )


async def record(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    incident_id: int,
    at: datetime,
    kind: str,
    actor_type: str,
    actor_id: int | None,
    data: dict[str, Any] | None = None,
    public: bool = False,
) -> None:
    await conn.execute(
        "INSERT INTO incident_event (tenant_id, incident, at, actor_type, actor_id, kind, data, public) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)",
        tenant_id,
        incident_id,
        at,
        actor_type,
        actor_id,
        kind,
        msgspec.json.encode(data or {}).decode(),
        public,
    )


async def apply_status(
    conn: asyncpg.Connection,
    *,
    row: asyncpg.Record,
    new_status: str,
    at: datetime,
    actor_type: str,
    actor_id: int | None,
    data: dict[str, Any] | None = None,
    sets: str = "",
    args: tuple = (),
) -> None:
    """Write a status change (and ``sets`` extra assignments, parameters from $4) with its public event."""
    await conn.execute(
        f"""UPDATE incident SET status = $2::text, version = version + 1, updated_at = $3,
               resolved_at = CASE WHEN $2::text = 'resolved' THEN $3
                                  WHEN $2::text IN ('triaged', 'dispatched') THEN NULL ELSE resolved_at END {sets}
            WHERE id = $1""",
        row["id"],
        new_status,
        at,
        *args,
    )
    kind = lifecycle.incident_event_for(row["status"], new_status)
    if kind is not None:
        await record(
            conn,
            tenant_id=row["tenant"],
            incident_id=row["id"],
            at=at,
            kind=kind,
            actor_type=actor_type,
            actor_id=actor_id,
            data={"from": row["status"], "to": new_status, **(data or {})},
            public=True,
        )
        await outbox.enqueue(
            conn,
            topic="incident.status_changed",
            tenant_id=row["tenant"],
            payload={"incident_id": row["id"], "status": new_status, "code": row["code"]},
        )


async def publish_incident(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    incident_id: int,
    now: datetime,
    type: str = "incident.updated",
    unit_ids: list[int] | tuple[int, ...] = (),
) -> None:
    await publish_incidents(
        conn, tenant_id=tenant_id, incident_ids=[incident_id], now=now, type=type, unit_ids=unit_ids
    )


async def publish_incidents(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    incident_ids: list[int],
    now: datetime,
    type: str = "incident.updated",
    unit_ids: list[int] | tuple[int, ...] = (),
) -> None:
    """One live event per incident; the summaries of a batch (e.g. new reports) are read in one query."""
    summaries = await views.summaries(conn, tenant_id=tenant_id, ids=incident_ids, now=now)
    await events.emit_many(conn, tenant_id=tenant_id, type=type, items=summaries, unit_ids=unit_ids)


async def detail_for(
    staff: StaffPrincipal, incident_id: int, now: datetime, storage: Storage
) -> IncidentDetail:
    async with db.connection() as conn:
        return await views.detail(conn, staff=staff, incident_id=incident_id, now=now, storage=storage)


async def triage(
    *, staff: StaffPrincipal, incident_id: int, body: TriageIn, now: datetime, storage: Storage
) -> IncidentDetail:
    async with db.transaction() as conn:
        row = await locked(conn, tenant_id=staff.tenant_id, incident_id=incident_id)
        check_version(row, body.version)
        try:
            new_status = lifecycle.incident_command(row["status"], "triage", staff.role)
        except lifecycle.Refused as exc:
            raise refused(exc) from None
        category_id, priority = row["category"], body.priority or row["priority"]
        if body.category is not None:
            category = await tenants.get_category(tenant_id=staff.tenant_id, code=body.category)
            category_id = category.id
            priority = body.priority or category.default_priority
        changes = {"category": body.category, "priority": priority, "note": body.note or None}
        sets, args = ", category = $4, priority = $5", (category_id, priority)
        located = body.location is not None
        if located:
            where = body.location
            tenant = await tenants.get_tenant(slug=staff.tenant_slug)
            sector_id = await tenants.locate(conn, tenant=tenant, lon=where.lon, lat=where.lat)
            sets += (", location = ST_SetSRID(ST_MakePoint($6, $7), 4326)::geography, accuracy_m = $8,"
                     " sector = $9")  # fmt: skip
            args += (where.lon, where.lat, where.accuracy_m, sector_id)
            changes["location"] = {"lat": where.lat, "lon": where.lon}
        await apply_status(
            conn,
            row=row,
            new_status=new_status,
            at=now,
            actor_type="staff",
            actor_id=staff.id,
            data={k: v for k, v in changes.items() if v},
            sets=sets,
            args=args,
        )
        if new_status == row["status"]:
            await record(
                conn,
                tenant_id=staff.tenant_id,
                incident_id=incident_id,
                at=now,
                kind="triaged",
                actor_type="staff",
                actor_id=staff.id,
                data={k: v for k, v in changes.items() if v},
            )
        # A P1 goes to the nearest unit: when it becomes P1, or when a P1 without a place gets one.
        if priority == 1 and (row["priority"] != 1 or (located and row["unlocated"])):
            await outbox.enqueue(
                conn,
                topic=AUTO_DISPATCH_TOPIC,
                payload={"incident_id": incident_id},
                tenant_id=staff.tenant_id,
            )
        await publish_incident(conn, tenant_id=staff.tenant_id, incident_id=incident_id, now=now)
    return await detail_for(staff, incident_id, now, storage)


async def add_note(
    *, staff: StaffPrincipal, incident_id: int, body: NoteIn, now: datetime, storage: Storage
) -> IncidentDetail:
    async with db.transaction() as conn:
        row = await locked(conn, tenant_id=staff.tenant_id, incident_id=incident_id)
        try:
            lifecycle.incident_command(row["status"], "note", staff.role)
        except lifecycle.Refused as exc:
            raise refused(exc) from None
        await record(
            conn,
            tenant_id=staff.tenant_id,
            incident_id=incident_id,
            at=now,
            kind="note",
            actor_type="staff",
            actor_id=staff.id,
            data={"text": body.text},
        )
    return await detail_for(staff, incident_id, now, storage)


async def merge(
    *, staff: StaffPrincipal, incident_id: int, body: MergeIn, now: datetime, storage: Storage
) -> IncidentDetail:
    if body.primary_id == incident_id:
        raise Unprocessable("invalid_field", field="primary_id", detail="self")
    async with db.transaction() as conn:
        row = await locked(conn, tenant_id=staff.tenant_id, incident_id=incident_id)
        check_version(row, body.version)
        primary = await locked(conn, tenant_id=staff.tenant_id, incident_id=body.primary_id)
        if primary["status"] not in lifecycle.OPEN:
            raise Conflict(
                "illegal_transition", extra={"current": primary["status"]}, current=primary["status"]
            )
        try:
            new_status = lifecycle.incident_command(row["status"], "merge", staff.role)
        except lifecycle.Refused as exc:
            raise refused(exc) from None
        await apply_status(
            conn,
            row=row,
            new_status=new_status,
            at=now,
            actor_type="staff",
            actor_id=staff.id,
            data={"primary": primary["code"]},
            sets=", duplicate_of = $4",
            args=(primary["id"],),
        )
        await record(
            conn,
            tenant_id=staff.tenant_id,
            incident_id=primary["id"],
            at=now,
            kind="merged",
            actor_type="staff",
            actor_id=staff.id,
            data={"duplicate": row["code"]},
        )
        # The duplicate's photos now serve the primary case too.
        await conn.execute(
            "UPDATE attachment SET incident = $1 WHERE incident = $2", primary["id"], incident_id
        )
        for changed in (incident_id, primary["id"]):
            await publish_incident(conn, tenant_id=staff.tenant_id, incident_id=changed, now=now)
    return await detail_for(staff, incident_id, now, storage)


async def finish(
    *,
    staff: StaffPrincipal,
    incident_id: int,
    command: str,
    version: int,
    reason: str,
    now: datetime,
    storage: Storage,
) -> IncidentDetail:
    """unfounded, cancel, close or reopen."""
    async with db.transaction() as conn:
        row = await locked(conn, tenant_id=staff.tenant_id, incident_id=incident_id)
        check_version(row, version)
        try:
            new_status = lifecycle.incident_command(row["status"], command, staff.role)
        except lifecycle.Refused as exc:
            raise refused(exc) from None
        await apply_status(
            conn,
            row=row,
            new_status=new_status,
            at=now,
            actor_type="staff",
            actor_id=staff.id,
            data={"reason": reason} if reason else None,
        )
        await publish_incident(conn, tenant_id=staff.tenant_id, incident_id=incident_id, now=now)
    return await detail_for(staff, incident_id, now, storage)


async def record_callback(
    *, staff: StaffPrincipal, incident_id: int, note: str, now: datetime, storage: Storage
) -> IncidentDetail:
    async with db.transaction() as conn:
        row = await locked(conn, tenant_id=staff.tenant_id, incident_id=incident_id)
        try:
            lifecycle.incident_command(row["status"], "callback", staff.role)
        except lifecycle.Refused as exc:
            raise refused(exc) from None
        await conn.execute(
            "UPDATE incident SET callback_done_at = $2, version = version + 1 WHERE id = $1", incident_id, now
        )
        await record(
            conn,
            tenant_id=staff.tenant_id,
            incident_id=incident_id,
            at=now,
            kind="callback_done",
            actor_type="staff",
            actor_id=staff.id,
            data={"note": note} if note else None,
        )
        await publish_incident(conn, tenant_id=staff.tenant_id, incident_id=incident_id, now=now)
    return await detail_for(staff, incident_id, now, storage)


_ERASE = """
UPDATE reporter_contact SET name = '', phone = '', email = '', callback_wanted = false, erased_at = $2
WHERE incident = $1 AND erased_at IS NULL
RETURNING id
"""


async def erase_contact(
    *, staff: StaffPrincipal, incident_id: int, reason: str, now: datetime, storage: Storage
) -> IncidentDetail:
    """Erase the reporter's name, phone and email, and their push subscriptions for the case (Peru's personal
    data law, Ley 29733, right of cancellation). The incident, its timeline and its public record remain;
    the erasure itself is recorded (who, when, why) without the data."""
    async with db.transaction() as conn:
        await locked(conn, tenant_id=staff.tenant_id, incident_id=incident_id)
        erased = await conn.fetchval(_ERASE, incident_id, now)
        if erased is None:
            raise NotFound("no_contact")
        await conn.execute(
            "UPDATE incident SET callback_due_at = NULL, version = version + 1 WHERE id = $1", incident_id
        )
        await conn.execute("DELETE FROM push_subscription WHERE incident_id = $1", incident_id)
        await record(
            conn,
            tenant_id=staff.tenant_id,
            incident_id=incident_id,
            at=now,
            kind="contact_erased",
            actor_type="staff",
            actor_id=staff.id,
            data={"reason": reason},
        )
        await publish_incident(conn, tenant_id=staff.tenant_id, incident_id=incident_id, now=now)
    return await detail_for(staff, incident_id, now, storage)
