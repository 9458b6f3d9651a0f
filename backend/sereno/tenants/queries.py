"""Spatial queries about tenants and sectors (GeoAlchemy2 expressions, compiled once for asyncpg)."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, bindparam, func, select

from sereno.core.sql import CompiledQuery

__all__ = ["LOCATE", "SECTORS", "TENANT_BY_SLUG"]

# Descriptions only: Piccolo owns the schema and its migrations; nothing here emits DDL.
_md = MetaData()
tenant_t = Table(
    "tenant",
    _md,
    Column("id", Integer, primary_key=True),
    Column("slug", String),
    Column("name", String),
    Column("code_prefix", String),
    Column("default_language", String),
    Column("time_zone", String),
    Column("emergency_phone", String),
    Column("service_area", Geometry("MULTIPOLYGON", srid=4326)),
)
sector_t = Table(
    "sector",
    _md,
    Column("id", Integer, primary_key=True),
    Column("tenant", Integer),
    Column("code", String),
    Column("name", String),
    Column("area", Geometry("MULTIPOLYGON", srid=4326)),
)

_point = func.ST_SetSRID(
    func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), 4326
)
_inside = (
    select(func.ST_Covers(tenant_t.c.service_area, _point))
    .where(tenant_t.c.id == bindparam("tenant_id", type_=Integer))
    .scalar_subquery()
)
_sector = (
    select(sector_t.c.id)
    .where(
        sector_t.c.tenant == bindparam("tenant_id", type_=Integer), func.ST_Covers(sector_t.c.area, _point)
    )
    .order_by(sector_t.c.id)
    .limit(1)
    .scalar_subquery()
)
#: Is (lon, lat) inside the tenant's service area, and which sector contains it.
LOCATE = CompiledQuery(select(_inside.label("inside"), _sector.label("sector_id")))

_centroid = func.ST_PointOnSurface(tenant_t.c.service_area)
#: A tenant with its service area as GeoJSON and a point inside it to centre maps on.
TENANT_BY_SLUG = CompiledQuery(
    select(
        tenant_t.c.id,
        tenant_t.c.slug,
        tenant_t.c.name,
        tenant_t.c.code_prefix,
        tenant_t.c.default_language,
        tenant_t.c.time_zone,
        tenant_t.c.emergency_phone,
        func.ST_Y(_centroid).label("center_lat"),
        func.ST_X(_centroid).label("center_lon"),
        func.ST_AsGeoJSON(tenant_t.c.service_area, 6).label("service_area"),
    ).where(tenant_t.c.slug == bindparam("slug", type_=String))
)

#: The tenant's sectors (patrol zones) as GeoJSON, for maps.
SECTORS = CompiledQuery(
    select(sector_t.c.code, sector_t.c.name, func.ST_AsGeoJSON(sector_t.c.area, 6).label("area"))
    .where(sector_t.c.tenant == bindparam("tenant_id", type_=Integer))
    .order_by(sector_t.c.code)
)
