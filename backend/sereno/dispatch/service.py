"""Assignments: recommend the nearest units, assign (P1 automatically), the officer's steps, escalation.

The incident's status follows its assignments (``incidents.lifecycle.derive_incident_status``) and a unit's
status follows its active assignments; both are recomputed in the transaction that changes an assignment,
with the incident row locked, so two officers clearing at once cannot leave it half-resolved.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db, events
from sereno.core.errors import Conflict, NotFound, Unprocessable
from sereno.dispatch.nearest import nearest_units
from sereno.dispatch.units import publish_unit
from sereno.incidents import lifecycle, views
from sereno.incidents import service as incidents
from sereno.incidents.schemas import AssignmentRead
from sereno.notifications.schemas import Audience, PushMessage, PushText
from sereno.notifications.service import enqueue_push
from sereno.settings import DispatchSettings

__all__ = [
    "assign",
    "assign_units",
    "cancel",
    "assignment_by_id",
    "transition",
    "auto_dispatch",
]

_THIS_CYCLE = """
SELECT {columns} FROM assignment WHERE incident = $1 AND assigned_at >= coalesce(
    (SELECT max(at) FROM incident_event WHERE incident = $1 AND kind = 'reopened'), '-infinity') {order}
"""


async def sync_after_change(
    conn: asyncpg.Connection,
    *,
    row: asyncpg.Record,
    unit_ids: list[int],
    now: datetime,
    at: datetime,
    actor_type: str,
    actor_id: int | None,
    settings: DispatchSettings,
) -> None:
    """Recompute the incident's and the units' statuses from the assignments, and tell everyone."""
    statuses = [
        r["status"] for r in await conn.fetch(_THIS_CYCLE.format(columns="status", order=""), row["id"])
    ]
    new_status = lifecycle.derive_incident_status(row["status"], statuses)
    if new_status != row["status"]:
        outcome = await conn.fetchval(
            _THIS_CYCLE.format(
                columns="outcome", order="AND status = 'cleared' ORDER BY cleared_at DESC LIMIT 1"
            ),
            row["id"],
        )
        await incidents.apply_status(
            conn,
            row=row,
            new_status=new_status,
            at=at,
            actor_type=actor_type,
            actor_id=actor_id,
            sets=", outcome = CASE WHEN $2::text = 'resolved' THEN $4::text ELSE outcome END",
            args=(outcome,),
        )
    for unit_id in unit_ids:
        unit = await conn.fetchrow("SELECT status FROM unit WHERE id = $1 FOR UPDATE", unit_id)
        active = [
            r["status"]
            for r in await conn.fetch(
                "SELECT status FROM assignment WHERE unit = $1 AND status IN ('assigned','acknowledged','en_route','on_scene')",
                unit_id,
            )
        ]
        unit_status = lifecycle.derive_unit_status(unit["status"], active)
        if unit_status != unit["status"]:
            await conn.execute(
                "UPDATE unit SET status = $2, version = version + 1 WHERE id = $1", unit_id, unit_status
            )
        await publish_unit(
            conn, tenant_id=row["tenant"], unit_id=unit_id, now=now, stale_s=settings.stale_position_s
        )
    await incidents.publish_incident(
        conn, tenant_id=row["tenant"], incident_id=row["id"], now=now, unit_ids=unit_ids
    )


_INSERT_ASSIGNMENT = """
INSERT INTO assignment (tenant_id, incident, unit, status, assigned_by, assigned_at, ack_deadline, distance_m, notes,
                        version)
SELECT $1, $2, u.id, 'assigned', $4, $5, $6,
       ST_Distance(u.location, (SELECT location FROM incident WHERE id = $2)), '', 1
FROM unit u WHERE u.id = $3 AND u.tenant = $1 AND u.status NOT IN ('off_duty', 'out_of_service') AND NOT u.emergency
RETURNING id
"""


async def assign(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    incident_id: int,
    unit_ids: list[int],
    by: int | None,
    now: datetime,
    settings: DispatchSettings,
) -> list[int]:
    """Assign units inside the caller's transaction (incident row is locked here)."""
    row = await incidents.locked(conn, tenant_id=tenant_id, incident_id=incident_id)
    try:
        lifecycle.incident_command(row["status"], "dispatch", "system" if by is None else "dispatcher")
    except lifecycle.Refused as exc:
        raise incidents.refused(exc) from None
    if row["status"] == "new":  # a dispatcher sending a unit has triaged it
        await incidents.apply_status(
            conn, row=row, new_status="triaged", at=now, actor_type="staff" if by else "system", actor_id=by
        )
        row = await incidents.locked(conn, tenant_id=tenant_id, incident_id=incident_id)
    timeout = settings.ack_timeout_p1_s if row["priority"] == 1 else settings.ack_timeout_s
    created = []
    for unit_id in unit_ids:
        try:
            assignment_id = await conn.fetchval(
                _INSERT_ASSIGNMENT, tenant_id, incident_id, unit_id, by, now, now + timedelta(seconds=timeout)
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(
                "already_assigned", extra={"current": row["status"]}, current=row["status"]
            ) from None
        if assignment_id is None:
            raise Unprocessable("unit_not_on_duty", unit=unit_id)
        created.append(assignment_id)
        call_sign = await conn.fetchval("SELECT call_sign FROM unit WHERE id = $1", unit_id)
        await incidents.record(
            conn,
            tenant_id=tenant_id,
            incident_id=incident_id,
            at=now,
            kind="assigned",
            actor_type="staff" if by else "system",
            actor_id=by,
            data={"unit": call_sign, "assignment": assignment_id},
        )
        await enqueue_push(
            conn,
            tenant_id=tenant_id,
            audience=Audience(unit_id=unit_id),
            message=PushMessage(
                title=f"Nueva asignación: {row['code']}",
                body=f"Prioridad P{row['priority']}",
                url="/field/",
                tag=f"assignment-{assignment_id}",
                urgency="high",
                data={"assignment_id": str(assignment_id)},
                translations={
                    "en": PushText(
                        title=f"New assignment: {row['code']}", body=f"Priority P{row['priority']}"
                    )
                },
            ),
        )
    for assignment in await views.assignments_of(
        conn, tenant_id=tenant_id, where="a.id = ANY($2::bigint[])", args=(created,)
    ):
        await events.emit(
            conn,
            tenant_id=tenant_id,
            type="assignment.created",
            data=assignment,
            unit_ids=[assignment.unit_id],
        )
    await sync_after_change(
        conn,
        row=row,
        unit_ids=unit_ids,
        now=now,
        at=now,
        actor_type="staff" if by else "system",
        actor_id=by,
        settings=settings,
    )
    return created


async def assign_units(
    *, staff: StaffPrincipal, incident_id: int, unit_ids: list[int], now: datetime, settings: DispatchSettings
) -> list[AssignmentRead]:
    async with db.transaction() as conn:
        created = await assign(
            conn,
            tenant_id=staff.tenant_id,
            incident_id=incident_id,
            unit_ids=unit_ids,
            by=staff.id,
            now=now,
            settings=settings,
        )
        return await views.assignments_of(
            conn, tenant_id=staff.tenant_id, where="a.id = ANY($2::bigint[])", args=(created,)
        )


async def auto_dispatch(
    *,
    tenant_id: int,
    tenant_slug: str,
    incident_id: int,
    now: datetime,
    settings: DispatchSettings,
    exclude: list[int] = (),
) -> list[int]:
    """P1: the nearest available fitting unit, at once. Nothing available leaves it flagged in the queue."""
    async with db.transaction() as conn:
        row = await incidents.locked(conn, tenant_id=tenant_id, incident_id=incident_id)
        if row["priority"] != 1 or row["status"] not in ("new", "triaged"):
            return []
        nearest = await nearest_units(
            conn,
            tenant_id=tenant_id,
            tenant_slug=tenant_slug,
            incident_id=incident_id,
            category_id=row["category"],
            now=now,
            settings=settings,
            exclude=list(exclude),
            limit=1,
        )
        if not nearest:
            await incidents.record(
                conn,
                tenant_id=tenant_id,
                incident_id=incident_id,
                at=now,
                kind="no_unit_available",
                actor_type="system",
                actor_id=None,
            )
            return []
        return await assign(
            conn,
            tenant_id=tenant_id,
            incident_id=incident_id,
            unit_ids=[nearest[0][0]],
            by=None,
            now=now,
            settings=settings,
        )


_LOCK_ASSIGNMENT = """
SELECT id, incident, unit, status, assigned_at, version FROM assignment WHERE id = $1 AND tenant_id = $2 FOR UPDATE
"""
# Which timestamp each step writes.
_STEP_COLUMN = {
    "acknowledge": "acknowledged_at",
    "en_route": "en_route_at",
    "on_scene": "on_scene_at",
    "clear": "cleared_at",
}


async def assignment_by_id(conn: asyncpg.Connection, *, tenant_id: int, assignment_id: int) -> AssignmentRead:
    found = await views.assignments_of(conn, tenant_id=tenant_id, where="a.id = $2", args=(assignment_id,))
    if not found:
        raise NotFound("not_found")
    return found[0]


async def transition(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    assignment_id: int,
    command: str,
    at: datetime,
    now: datetime,
    actor_type: str,
    actor_id: int | None,
    settings: DispatchSettings,
    unit_must_be: int | None = None,
    outcome: str | None = None,
    notes: str = "",
    reason: str = "",
) -> None:
    current = await conn.fetchrow(_LOCK_ASSIGNMENT, assignment_id, tenant_id)
    if current is None or (unit_must_be is not None and current["unit"] != unit_must_be):
        raise NotFound("not_found")  # an officer never learns of other units' assignments
    # The assignment row is locked first, then its incident; every path that changes an assignment does the same.
    row = await incidents.locked(conn, tenant_id=tenant_id, incident_id=current["incident"])
    try:
        new_status = lifecycle.assignment_command(current["status"], command)
    except lifecycle.Refused as exc:
        raise incidents.refused(exc) from None
    if command == "clear" and outcome is None:
        raise Unprocessable("invalid_field", field="outcome", detail="required")
    step_at = max(at, current["assigned_at"])
    column = _STEP_COLUMN.get(command)
    sets = f", {column} = coalesce({column}, $3)" if column else ""
    if command in ("en_route", "on_scene"):  # moving implies the officer took the assignment
        sets += ", acknowledged_at = coalesce(acknowledged_at, $3)"
    if new_status in lifecycle.ENDED:
        sets += ", ended_at = $3"
    await conn.execute(
        f"UPDATE assignment SET status = $2::text, version = version + 1, outcome = coalesce($4::text, outcome), "
        f"notes = CASE WHEN $5::text = '' THEN notes ELSE $5::text END {sets} WHERE id = $1",
        assignment_id,
        new_status,
        step_at,
        outcome,
        notes,
    )
    call_sign = await conn.fetchval("SELECT call_sign FROM unit WHERE id = $1", current["unit"])
    data = {"unit": call_sign, "assignment": assignment_id}
    data.update({k: v for k, v in {"outcome": outcome, "notes": notes, "reason": reason}.items() if v})
    await incidents.record(
        conn,
        tenant_id=tenant_id,
        incident_id=row["id"],
        at=step_at,
        kind=f"unit_{new_status}",
        actor_type=actor_type,
        actor_id=actor_id,
        data=data,
    )
    assignment = await assignment_by_id(conn, tenant_id=tenant_id, assignment_id=assignment_id)
    await events.emit(
        conn, tenant_id=tenant_id, type="assignment.updated", data=assignment, unit_ids=[current["unit"]]
    )
    await sync_after_change(
        conn,
        row=row,
        unit_ids=[current["unit"]],
        now=now,
        at=step_at,
        actor_type=actor_type,
        actor_id=actor_id,
        settings=settings,
    )


async def cancel(
    *, staff: StaffPrincipal, assignment_id: int, reason: str, now: datetime, settings: DispatchSettings
) -> AssignmentRead:
    async with db.transaction() as conn:
        await transition(
            conn,
            tenant_id=staff.tenant_id,
            assignment_id=assignment_id,
            command="cancel",
            at=now,
            now=now,
            actor_type="staff",
            actor_id=staff.id,
            settings=settings,
            reason=reason,
        )
        return await assignment_by_id(conn, tenant_id=staff.tenant_id, assignment_id=assignment_id)
