"""Which units to send: the nearest available ones of agencies fitting the category (fresh positions first)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db
from sereno.core.errors import NotFound
from sereno.dispatch.policy import policy_for
from sereno.dispatch.queries import NEAREST_AVAILABLE
from sereno.dispatch.schemas import Recommendation
from sereno.dispatch.units import read_units
from sereno.settings import DispatchSettings

__all__ = ["nearest_to", "nearest_units", "recommend"]

# The incident's point and the code of the category it is being dispatched as, in one round trip.
_POINT = """
SELECT ST_X(i.location::geometry) AS lon, ST_Y(i.location::geometry) AS lat,
       (SELECT code FROM category WHERE id = $2) AS category
FROM incident i WHERE i.id = $1
"""


async def nearest_units(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    tenant_slug: str,
    incident_id: int,
    category_id: int,
    now: datetime,
    settings: DispatchSettings,
    exclude: list[int],
    limit: int,
) -> list[tuple[int, float, bool]]:
    point = await conn.fetchrow(_POINT, incident_id, category_id)
    if point is None or point["lon"] is None:
        return []
    return await nearest_to(
        conn,
        tenant_id=tenant_id,
        tenant_slug=tenant_slug,
        lon=point["lon"],
        lat=point["lat"],
        category_code=point["category"],
        now=now,
        settings=settings,
        exclude=exclude,
        limit=limit,
    )


async def nearest_to(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    tenant_slug: str,
    lon: float,
    lat: float,
    category_code: str,
    now: datetime,
    settings: DispatchSettings,
    exclude: list[int],
    limit: int,
) -> list[tuple[int, float, bool]]:
    """(unit id, metres, stale position) of the nearest available units fitting the category at a point."""
    policy = policy_for(tenant_slug)
    rows = await NEAREST_AVAILABLE.fetch(
        conn,
        tenant_id=tenant_id,
        lon=lon,
        lat=lat,
        stale_before=now - timedelta(seconds=settings.stale_position_s),
        silent_before=now - timedelta(seconds=settings.silent_unit_s),
        agencies=list(policy.agencies_for(category_code)),
        exclude=exclude,
        limit=limit * 3,
    )
    # Fresh positions first, then stale ones, each nearest first (KNN already ordered by distance).
    ranked = sorted(rows, key=lambda r: r["stale"])[:limit]
    return [(r["id"], r["distance_m"], r["stale"]) for r in ranked]


async def recommend(
    *, staff: StaffPrincipal, incident_id: int, now: datetime, settings: DispatchSettings, limit: int = 8
) -> list[Recommendation]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT id, category FROM incident WHERE id = $1 AND tenant = $2", incident_id, staff.tenant_id
        )
        if row is None:
            raise NotFound("not_found")
        nearest = await nearest_units(
            conn,
            tenant_id=staff.tenant_id,
            tenant_slug=staff.tenant_slug,
            incident_id=incident_id,
            category_id=row["category"],
            now=now,
            settings=settings,
            exclude=[],
            limit=limit,
        )
        units = {
            u.id: u
            for u in await read_units(
                conn,
                tenant_id=staff.tenant_id,
                now=now,
                stale_s=settings.stale_position_s,
                ids=[n[0] for n in nearest],
            )
        }
    policy = policy_for(staff.tenant_slug)
    return [
        Recommendation(unit=units[uid], distance_m=round(dist, 1), eta_s=policy.eta_s(dist), stale=stale)
        for uid, dist, stale in nearest
    ]


# Assignments of the incident since it was last reopened: a unit that cleared before does not resolve it again.
