"""Nearest available units (PostGIS KNN on geography through GeoAlchemy2) and unit reads."""

from __future__ import annotations

from geoalchemy2 import Geography
from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    func,
    select,
)

from sereno.core.sql import CompiledQuery

__all__ = ["NEAREST_AVAILABLE", "UNITS", "UNITS_BY_ID"]

_md = MetaData()
unit_t = Table(
    "unit",
    _md,
    Column("id", Integer, primary_key=True),
    Column("tenant", Integer),
    Column("call_sign", String),
    Column("agency", String),
    Column("kind", String),
    Column("status", String),
    Column("emergency", Boolean),
    Column("location", Geography("POINT", srid=4326)),
    Column("position_accuracy_m", Float),
    Column("position_received_at", DateTime(timezone=True)),
)

_point = func.ST_SetSRID(
    func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), 4326
)
_target = func.geography(_point)

#: Available units of the given agencies near (lon, lat), heard from since ``silent_before``, nearest first by
#: the geography ``<->`` operator (metres; on geometry/4326 it would order by degrees). Excludes ``exclude``.
#: No condition on distance: dispatch/auto.py relies on "no unit for one point" meaning "no unit for any".
NEAREST_AVAILABLE = CompiledQuery(
    select(
        unit_t.c.id,
        func.ST_Distance(unit_t.c.location, _target).label("distance_m"),
        (unit_t.c.position_received_at < bindparam("stale_before", type_=DateTime(timezone=True))).label(
            "stale"
        ),
    )
    .where(
        unit_t.c.tenant == bindparam("tenant_id", type_=Integer),
        unit_t.c.status == "available",
        unit_t.c.emergency.is_(False),
        unit_t.c.location.isnot(None),
        unit_t.c.position_received_at >= bindparam("silent_before", type_=DateTime(timezone=True)),
        unit_t.c.agency == any_(bindparam("agencies", type_=ARRAY(String))),
        ~(unit_t.c.id == any_(bindparam("exclude", type_=ARRAY(Integer)))),
    )
    .order_by(unit_t.c.location.op("<->")(_target))
    .limit(bindparam("limit", type_=Integer))
)

_UNITS_SELECT = """
SELECT u.id, u.call_sign, u.agency, u.kind, u.status, u.emergency,
       ST_Y(u.location::geometry) AS lat, ST_X(u.location::geometry) AS lon, u.position_accuracy_m AS accuracy_m,
       u.position_received_at AS position_at, coalesce(u.position_received_at < $2, true) AS stale,
       coalesce((SELECT json_agg(json_build_object('id', a.id, 'full_name', a.full_name) ORDER BY a.full_name)
                 FROM unit_member m JOIN staff_account a ON a.id = m.account WHERE m.unit = u.id), '[]')::text AS members
FROM unit u
"""
#: Every unit of a tenant ($1) with position and members; $2 = stale threshold.
UNITS = _UNITS_SELECT + "WHERE u.tenant = $1 ORDER BY u.call_sign"
#: The same for some units ($3): a separate statement, so its plan always uses the primary key (a generic
#: plan for "all or some" would scan every unit of a large city).
UNITS_BY_ID = _UNITS_SELECT + "WHERE u.tenant = $1 AND u.id = ANY($3::int[]) ORDER BY u.call_sign"
