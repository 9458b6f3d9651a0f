"""Auto-dispatch of a batch of new P1 reports (the outbox hands them over together under load).

What ``service.auto_dispatch`` does for one incident, done for many in one transaction: lock them, look for a
fitting available unit near each, and flag those for which there is none ("no unit available", so they stand
out in the queue) with one insert. The incidents that do have a candidate are returned, and the caller
dispatches them one at a time through ``auto_dispatch``: each assignment changes who is available for the
next one. When every unit is busy (a surge), a batch thus costs a few round trips and one commit instead of
six round trips and a commit per report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sereno.core import db
from sereno.dispatch.nearest import nearest_to
from sereno.settings import DispatchSettings

__all__ = ["flag_unserved"]

_LOCK = """
SELECT i.id, i.priority, i.status, ST_X(i.location::geometry) AS lon, ST_Y(i.location::geometry) AS lat,
       c.code AS category_code
FROM incident i JOIN category c ON c.id = i.category
WHERE i.tenant = $1 AND i.id = ANY($2::bigint[])
ORDER BY i.id
FOR UPDATE OF i
"""
_NO_UNIT = """
INSERT INTO incident_event (tenant_id, incident, at, actor_type, actor_id, kind, data, public)
SELECT $1, incident, $3, 'system', NULL, 'no_unit_available', '{}'::jsonb, false
FROM unnest($2::bigint[]) AS incident
"""


async def flag_unserved(
    *,
    tenant_id: int,
    tenant_slug: str,
    incident_ids: Sequence[int],
    now: datetime,
    settings: DispatchSettings,
) -> list[int]:
    """Flag the P1 incidents no unit can serve now; the others (with a candidate unit) are returned.

    NEAREST_AVAILABLE chooses units by what they are (available, fitting agency, heard from lately), never by
    distance, which only orders them: if it finds no unit for one incident, it finds none for any other of
    the same category. So one search per category tells whether there is anyone at all, and in a surge, when
    every unit is busy, a batch of reports costs one search per category instead of one per report."""
    unserved, candidates = [], []
    nobody: set[str] = set()  # categories for which no unit at all is available
    async with db.transaction() as conn:
        for row in await conn.fetch(_LOCK, tenant_id, list(incident_ids)):
            if row["priority"] != 1 or row["status"] not in ("new", "triaged"):
                continue  # triaged down or handled meanwhile: as auto_dispatch, leave it
            if row["lon"] is None or row["category_code"] in nobody:
                unserved.append(row["id"])
                continue
            found = await nearest_to(
                conn,
                tenant_id=tenant_id,
                tenant_slug=tenant_slug,
                lon=row["lon"],
                lat=row["lat"],
                category_code=row["category_code"],
                now=now,
                settings=settings,
                exclude=[],
                limit=1,
            )
            if found:
                candidates.append(row["id"])
            else:
                nobody.add(row["category_code"])
                unserved.append(row["id"])
        if unserved:
            await conn.execute(_NO_UNIT, tenant_id, unserved, now)
    return candidates
