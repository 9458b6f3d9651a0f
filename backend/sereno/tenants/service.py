"""Tenants and categories: looked up often, changed rarely, so cached per process for a short while."""

from __future__ import annotations

import time

import msgspec

from sereno.core import db
from sereno.core.errors import NotFound, Unprocessable
from sereno.tenants.queries import LOCATE, SECTORS, TENANT_BY_SLUG
from sereno.tenants.schemas import CategoryInfo, LatLon, TenantInfo

__all__ = ["clear_caches", "get_category", "get_tenant", "list_categories", "locate", "sectors_geojson"]

_TTL_S = 60.0
_tenants: dict[str, tuple[float, TenantInfo]] = {}
_categories: dict[int, tuple[float, dict[str, CategoryInfo]]] = {}


def clear_caches() -> None:
    _tenants.clear()
    _categories.clear()


async def get_tenant(*, slug: str) -> TenantInfo:
    cached = _tenants.get(slug)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    async with db.connection() as conn:
        row = await TENANT_BY_SLUG.fetchrow(conn, slug=slug)
    if row is None:
        raise NotFound("unknown_tenant", tenant=slug)
    tenant = TenantInfo(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        code_prefix=row["code_prefix"],
        default_language=row["default_language"],
        time_zone=row["time_zone"],
        emergency_phone=row["emergency_phone"],
        center=LatLon(lat=row["center_lat"], lon=row["center_lon"]),
        service_area=msgspec.json.decode(row["service_area"]),
    )
    _tenants[slug] = (time.monotonic() + _TTL_S, tenant)
    return tenant


_CATEGORIES = """
SELECT id, code, name_es, name_en, default_priority, sensitive, emergency, icon
FROM category WHERE tenant = $1 AND active ORDER BY sort_order, id
"""


async def _category_map(tenant_id: int) -> dict[str, CategoryInfo]:
    cached = _categories.get(tenant_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    async with db.connection() as conn:
        rows = await conn.fetch(_CATEGORIES, tenant_id)
    by_code = {row["code"]: CategoryInfo(**dict(row)) for row in rows}
    _categories[tenant_id] = (time.monotonic() + _TTL_S, by_code)
    return by_code


async def list_categories(*, tenant_id: int) -> list[CategoryInfo]:
    return list((await _category_map(tenant_id)).values())


async def get_category(*, tenant_id: int, code: str) -> CategoryInfo:
    category = (await _category_map(tenant_id)).get(code)
    if category is None:
        raise Unprocessable("unknown_category", category=code)
    return category


async def locate(conn, *, tenant: TenantInfo, lon: float, lat: float) -> int | None:
    """The sector containing the point; refuses points outside the service area."""
    row = await LOCATE.fetchrow(conn, tenant_id=tenant.id, lon=lon, lat=lat)
    if not row["inside"]:
        raise Unprocessable("outside_service_area", tenant=tenant.name)
    return row["sector_id"]


async def sectors_geojson(*, tenant_id: int) -> dict:
    """The sectors as a GeoJSON FeatureCollection (``properties``: ``code``, ``name``)."""
    async with db.connection() as conn:
        rows = await SECTORS.fetch(conn, tenant_id=tenant_id)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["code"],
                "geometry": msgspec.json.decode(row["area"]),
                "properties": {"code": row["code"], "name": row["name"]},
            }
            for row in rows
        ],
    }
