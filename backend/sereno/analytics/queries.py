"""The SQL of analytics: a tenant's incidents as an :class:`EventSet`, its service area and its sectors.

Incident times are ``coalesce(occurred_at, reported_at)`` converted to the tenant's local time (days since
1970-01-01, local), so hours of day are the city's. Duplicates, unfounded and cancelled reports are not
incidents that happened and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import numpy as np

from sereno.analytics.allocation import DEFAULT_PRIORITY_WEIGHTS, priority_weights
from sereno.analytics.events import EventSet

__all__ = ["TenantArea", "load_tenant_area", "load_tenant_events"]

NOT_HAPPENED = ("duplicate", "unfounded", "cancelled")

_TENANT = "SELECT id, time_zone, ST_AsText(service_area) AS area FROM tenant WHERE slug = $1"
_SECTORS = "SELECT id, code, name, ST_AsText(area) AS area FROM sector WHERE tenant = $1 ORDER BY code"
_EVENTS = """
SELECT extract(epoch FROM (coalesce(i.occurred_at, i.reported_at) AT TIME ZONE $2)) / 86400.0 AS t,
       ST_X(i.location::geometry) AS lon, ST_Y(i.location::geometry) AS lat,
       c.code AS category, i.priority
FROM incident i JOIN category c ON c.id = i.category
WHERE i.tenant = $1 AND i.location IS NOT NULL AND NOT (i.status = ANY($3::text[]))
  AND (cardinality($4::text[]) = 0 OR c.code = ANY($4::text[]))
  AND coalesce(i.occurred_at, i.reported_at) < coalesce($5::timestamptz, 'infinity')
ORDER BY 1
"""


@dataclass(frozen=True)
class TenantArea:
    tenant_id: int
    time_zone: str
    service_area_wkt: str | None
    sectors: list[tuple[int, str, str, str | None]]  # id, code, name, WKT


async def load_tenant_area(conn: asyncpg.Connection, *, tenant_slug: str) -> TenantArea:
    tenant = await conn.fetchrow(_TENANT, tenant_slug)
    if tenant is None:
        raise LookupError(f"no tenant {tenant_slug!r}")
    sectors = await conn.fetch(_SECTORS, tenant["id"])
    return TenantArea(
        tenant_id=tenant["id"],
        time_zone=tenant["time_zone"],
        service_area_wkt=tenant["area"],
        sectors=[(s["id"], s["code"], s["name"], s["area"]) for s in sectors],
    )


async def load_tenant_events(
    conn: asyncpg.Connection,
    *,
    area: TenantArea,
    categories: tuple[str, ...] = (),
    before=None,
    weights=DEFAULT_PRIORITY_WEIGHTS,
) -> EventSet:
    """The tenant's incidents (in ``categories``; all when empty) that happened before ``before`` (an aware
    datetime; all when None), weighted by priority."""
    rows = await conn.fetch(
        _EVENTS, area.tenant_id, area.time_zone, list(NOT_HAPPENED), list(categories), before
    )
    return EventSet(
        t=np.array([r["t"] for r in rows], dtype=float),
        lon=np.array([r["lon"] for r in rows], dtype=float),
        lat=np.array([r["lat"] for r in rows], dtype=float),
        category=np.array([r["category"] for r in rows], dtype=object),
        weight=priority_weights(np.array([r["priority"] for r in rows], dtype=int), weights=weights),
    )


async def count_units(conn: asyncpg.Connection, *, tenant_id: int) -> int:
    """The city's patrol units (the default number to place per shift)."""
    return await conn.fetchval("SELECT count(*) FROM unit WHERE tenant = $1", tenant_id)
