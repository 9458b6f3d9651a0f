"""Escalation: assignments nobody acknowledged in time are flagged on the console and, for P1, timed out and
handed to the next nearest unit. Run by the worker every few seconds (a ticker), with an injectable clock."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from sereno.core import db, events
from sereno.dispatch.service import assignment_by_id, auto_dispatch, transition
from sereno.incidents import service as incidents
from sereno.settings import DispatchSettings

__all__ = ["escalate_overdue"]

_OVERDUE = """
SELECT a.id, a.tenant_id, a.incident, a.unit, i.priority, t.slug
FROM assignment a JOIN incident i ON i.id = a.incident JOIN tenant t ON t.id = a.tenant_id
WHERE a.status = 'assigned' AND a.escalated_at IS NULL AND a.ack_deadline <= $1
ORDER BY a.ack_deadline
LIMIT 50
FOR UPDATE OF a SKIP LOCKED
"""


async def escalate_overdue(*, now: datetime, settings: DispatchSettings) -> int:
    """Assignments nobody acknowledged in time: flagged on the console and, for P1, timed out and given to the
    next nearest unit. Safe to run from several workers at once (rows are claimed with SKIP LOCKED)."""
    handled = 0
    async with db.transaction() as conn:
        overdue = await conn.fetch(_OVERDUE, now)
        for a in overdue:
            await conn.execute(
                "UPDATE assignment SET escalated_at = $2, version = version + 1 WHERE id = $1", a["id"], now
            )
            await incidents.record(
                conn,
                tenant_id=a["tenant_id"],
                incident_id=a["incident"],
                at=now,
                kind="escalated",
                actor_type="system",
                actor_id=None,
                data={"assignment": a["id"]},
            )
            assignment = await assignment_by_id(conn, tenant_id=a["tenant_id"], assignment_id=a["id"])
            await events.emit(conn, tenant_id=a["tenant_id"], type="assignment.escalated", data=assignment)
            if a["priority"] == 1:
                await transition(
                    conn,
                    tenant_id=a["tenant_id"],
                    assignment_id=a["id"],
                    command="time_out",
                    at=now,
                    now=now,
                    actor_type="system",
                    actor_id=None,
                    settings=settings,
                )
            else:
                await incidents.publish_incident(
                    conn, tenant_id=a["tenant_id"], incident_id=a["incident"], now=now
                )
            handled += 1
    for a in overdue:
        if a["priority"] == 1:
            tried = [r["unit"] for r in await _units_tried(a["incident"])]
            await auto_dispatch(
                tenant_id=a["tenant_id"],
                tenant_slug=a["slug"],
                incident_id=a["incident"],
                now=now,
                settings=settings,
                exclude=tried,
            )
    return handled


async def _units_tried(incident_id: int) -> list[asyncpg.Record]:
    async with db.connection() as conn:
        return await conn.fetch("SELECT DISTINCT unit FROM assignment WHERE incident = $1", incident_id)
