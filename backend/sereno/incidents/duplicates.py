"""Duplicate candidates: open incidents of the same or a related category, near in place and time."""

from __future__ import annotations

from datetime import datetime

from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db
from sereno.core.errors import NotFound
from sereno.dispatch.policy import policy_for
from sereno.incidents import views
from sereno.incidents.queries import DUPLICATE_CANDIDATES
from sereno.incidents.schemas import DuplicateCandidate

__all__ = ["candidates"]


async def candidates(
    *, staff: StaffPrincipal, incident_id: int, now: datetime, lang: str
) -> list[DuplicateCandidate]:
    policy = policy_for(staff.tenant_slug)
    async with db.connection() as conn:
        code = await conn.fetchval(
            "SELECT c.code FROM incident i JOIN category c ON c.id = i.category WHERE i.id = $1 AND i.tenant = $2",
            incident_id,
            staff.tenant_id,
        )
        if code is None:
            raise NotFound("not_found")
        category_ids = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM category WHERE tenant = $1 AND code = ANY($2::text[])",
                staff.tenant_id,
                list(policy.related_to(code)),
            )
        ]
        near = await DUPLICATE_CANDIDATES.fetch(
            conn,
            incident_id=incident_id,
            category_ids=category_ids,
            window_s=policy.duplicate_window_s,
            radius_m=policy.duplicate_radius_m,
        )
        by_id = {
            s.id: s
            for s in await views.summaries(
                conn, tenant_id=staff.tenant_id, ids=[r["id"] for r in near], now=now, lang=lang
            )
        }
    return [
        DuplicateCandidate(incident=by_id[r["id"]], distance_m=round(r["distance_m"], 1))
        for r in near
        if r["id"] in by_id
    ]
