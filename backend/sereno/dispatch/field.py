"""What the field app reads and raises: the unit's active assignments with the incident, and incidents an officer
starts on the spot."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db, idempotency
from sereno.core.errors import NotFound, Unprocessable
from sereno.dispatch import service as dispatch
from sereno.dispatch.schemas import FieldActionIn, FieldAssignment, FieldIncidentIn, FieldIncidentRef
from sereno.dispatch.units import device_time
from sereno.incidents import entry, views
from sereno.incidents.schemas import AssignmentRead, IncidentCreate, IncidentDetail
from sereno.media.storage import Storage
from sereno.reports.schemas import CategoryRef, Location, PhotoRead
from sereno.settings import DispatchSettings
from sereno.tenants.schemas import TenantInfo

__all__ = ["my_assignments", "raise_incident", "act"]

_INCIDENTS = """
SELECT i.id, i.code, i.status, i.priority, c.code AS category_code, c.name_es, c.name_en, i.description,
       ST_Y(i.location::geometry) AS lat, ST_X(i.location::geometry) AS lon, i.accuracy_m,
       CASE WHEN rc.callback_wanted AND rc.erased_at IS NULL AND rc.phone <> '' THEN rc.phone END AS callback_phone,
       coalesce(s.name, '') AS sector_name
FROM incident i JOIN category c ON c.id = i.category LEFT JOIN sector s ON s.id = i.sector
LEFT JOIN reporter_contact rc ON rc.incident = i.id
WHERE i.id = ANY($1::bigint[])
"""
_PHOTOS = """
SELECT incident, display_key, thumb_key FROM attachment
WHERE incident = ANY($1::bigint[]) AND display_key IS NOT NULL ORDER BY position, created_at
"""


async def my_assignments(*, staff: StaffPrincipal, storage: Storage, lang: str) -> list[FieldAssignment]:
    if staff.unit_id is None:
        return []
    async with db.connection() as conn:
        assignments = await views.assignments_of(
            conn,
            tenant_id=staff.tenant_id,
            where="a.unit = $2 AND a.status IN ('assigned','acknowledged','en_route','on_scene')",
            args=(staff.unit_id,),
        )
        ids = [a.incident_id for a in assignments]
        rows = {r["id"]: r for r in await conn.fetch(_INCIDENTS, ids)}
        photos: dict[int, list[PhotoRead]] = {}
        for p in await conn.fetch(_PHOTOS, ids):
            photos.setdefault(p["incident"], []).append(
                PhotoRead(
                    url=await storage.url_for(p["display_key"]),
                    thumb_url=await storage.url_for(p["thumb_key"]),
                )
            )
    out = []
    for a in reversed(assignments):  # newest first
        r = rows[a.incident_id]
        incident = FieldIncidentRef(
            id=r["id"],
            code=r["code"],
            status=r["status"],
            priority=r["priority"],
            category=CategoryRef(code=r["category_code"], name=r["name_en" if lang == "en" else "name_es"]),
            location=Location(lat=r["lat"], lon=r["lon"], accuracy_m=r["accuracy_m"])
            if r["lat"] is not None
            else None,
            description=r["description"],
            photos=photos.get(r["id"], []),
            callback_phone=r["callback_phone"],
            address_hint=r["sector_name"],
        )
        out.append(FieldAssignment(**msgspec.structs.asdict(a), incident=incident))
    return out


async def raise_incident(
    *,
    staff: StaffPrincipal,
    tenant: TenantInfo,
    body: FieldIncidentIn,
    now: datetime,
    settings: DispatchSettings,
    storage: Storage,
) -> IncidentDetail:
    """An officer starts an incident where they are: it is theirs at once (assigned and on scene)."""
    if staff.unit_id is None:
        raise Unprocessable("no_unit")
    async with db.transaction() as conn:
        claimed = await idempotency.claim(
            conn,
            tenant_id=staff.tenant_id,
            scope=f"field:{staff.id}",
            key=str(body.action_id),
            body_hash=idempotency.request_hash(body),
        )
        if isinstance(claimed, idempotency.Replay):
            incident_id = claimed.response["id"]
        else:
            incident_id = await entry.insert_incident(
                conn,
                staff=staff,
                tenant=tenant,
                now=now,
                callback_sla=timedelta(seconds=settings.callback_sla_s),
                source="field",
                body=IncidentCreate(
                    category=body.category, location=body.location, description=body.description
                ),
            )
            [assignment_id] = await dispatch.assign(
                conn,
                tenant_id=staff.tenant_id,
                incident_id=incident_id,
                unit_ids=[staff.unit_id],
                by=staff.id,
                now=now,
                settings=settings,
            )
            for step in ("acknowledge", "on_scene"):
                await dispatch.transition(
                    conn,
                    tenant_id=staff.tenant_id,
                    assignment_id=assignment_id,
                    command=step,
                    at=now,
                    now=now,
                    actor_type="staff",
                    actor_id=staff.id,
                    settings=settings,
                )
            await idempotency.store_response(conn, claimed, 201, {"id": incident_id})
    async with db.connection() as conn:
        return await views.detail(conn, staff=staff, incident_id=incident_id, now=now, storage=storage)


async def act(
    *,
    staff: StaffPrincipal,
    assignment_id: int,
    action: str,
    body: FieldActionIn,
    now: datetime,
    settings: DispatchSettings,
) -> AssignmentRead:
    """An officer's step on their unit's assignment, exactly once per ``action_id``."""
    if action not in ("acknowledge", "decline", "en_route", "on_scene", "clear"):
        raise NotFound("not_found")
    if staff.unit_id is None:
        raise Unprocessable("no_unit")
    request = {"assignment": assignment_id, "action": action, "body": msgspec.to_builtins(body)}
    key_hash = idempotency.request_hash(request)
    async with db.transaction() as conn:
        # Keys are per officer: replaying someone else's action id gets nothing of theirs.
        claimed = await idempotency.claim(
            conn,
            tenant_id=staff.tenant_id,
            scope=f"field:{staff.id}",
            key=str(body.action_id),
            body_hash=key_hash,
        )
        if isinstance(claimed, idempotency.Replay):
            return msgspec.convert(claimed.response, AssignmentRead)
        if body.photo_ids:
            await _attach_photos(
                conn, tenant_id=staff.tenant_id, assignment_id=assignment_id, photo_ids=body.photo_ids
            )
        await dispatch.transition(
            conn,
            tenant_id=staff.tenant_id,
            assignment_id=assignment_id,
            command=action,
            at=device_time(body.device_at, now),
            now=now,
            actor_type="staff",
            actor_id=staff.id,
            settings=settings,
            unit_must_be=staff.unit_id,
            outcome=body.outcome,
            notes=body.notes,
        )
        result = await dispatch.assignment_by_id(conn, tenant_id=staff.tenant_id, assignment_id=assignment_id)
        await idempotency.store_response(conn, claimed, 200, result)
    return result


async def _attach_photos(
    conn: asyncpg.Connection, *, tenant_id: int, assignment_id: int, photo_ids: list[UUID]
) -> None:
    incident_id = await conn.fetchval(
        "SELECT incident FROM assignment WHERE id = $1 AND tenant_id = $2", assignment_id, tenant_id
    )
    attached = await conn.fetchval(
        "WITH done AS (UPDATE attachment SET incident = $1, status = 'attached', attached_at = now(), "
        "uploaded_by = 'staff' WHERE id = ANY($2::uuid[]) AND tenant_id = $3 AND status = 'ready' RETURNING 1) "
        "SELECT count(*) FROM done",
        incident_id,
        photo_ids,
        tenant_id,
    )
    if attached != len(set(photo_ids)):
        raise Unprocessable("photo_not_ready", id=",".join(str(p) for p in photo_ids))
