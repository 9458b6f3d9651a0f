"""Incident reads for the command center: one statement per view, no per-row queries."""

from __future__ import annotations

from geoalchemy2 import Geography
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    any_,
    bindparam,
    func,
    select,
)

from sereno.core.sql import CompiledQuery

__all__ = ["SUMMARY_SELECT", "OPEN_QUEUE", "SUMMARY_BY_ID", "DUPLICATE_CANDIDATES"]

# The columns of IncidentSummary from incident ``i`` ({source}: the table, or the rows chosen before), with
# what they need; the statements below add their WHERE and ORDER BY.
_SUMMARY = """
SELECT i.id, i.code, i.status, i.priority, c.code AS category_code, c.name_es, c.name_en,
       ST_Y(i.location::geometry) AS lat, ST_X(i.location::geometry) AS lon, i.accuracy_m,
       s.code AS sector_code, s.name AS sector_name, i.reported_at,
       extract(epoch FROM ($1::timestamptz - i.reported_at))::int AS age_s, i.source, i.callback_due_at,
       (i.callback_due_at IS NOT NULL AND i.callback_done_at IS NULL AND i.callback_due_at < $1) AS callback_overdue,
       coalesce(a.units, '[]') AS units, coalesce(a.escalated, false) AS escalated, i.version
FROM {source}
JOIN category c ON c.id = i.category
LEFT JOIN sector s ON s.id = i.sector
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('unit_id', u.id, 'call_sign', u.call_sign, 'status', x.status)
                    ORDER BY x.assigned_at)::text AS units,
           bool_or(x.escalated_at IS NOT NULL AND x.status = 'assigned') AS escalated
    FROM assignment x JOIN unit u ON u.id = x.unit
    WHERE x.incident = i.id AND x.status IN ('assigned', 'acknowledged', 'en_route', 'on_scene')
) a ON true
"""
SUMMARY_SELECT = _SUMMARY.format(source="incident i")

#: $1 now, $2 tenant, $3 limit. The queue's incidents are chosen first, from narrow rows, and only those get
#: their joins and units: joined first, every open and resolved incident of the city paid for its units before
#: the sort kept 200 (46 ms with 10,000 of them, growing with each; now a sort of narrow rows).
OPEN_QUEUE = (
    """
WITH top AS (
    SELECT id, status = 'resolved' AS resolved, priority, reported_at FROM incident
    WHERE tenant = $2 AND status IN ('new', 'triaged', 'dispatched', 'en_route', 'on_scene', 'resolved')
    ORDER BY status = 'resolved', priority, reported_at, id
    LIMIT $3
)"""
    + _SUMMARY.format(source="top JOIN incident i ON i.id = top.id")
    + "ORDER BY top.resolved, top.priority, top.reported_at, top.id\n"
)

#: $1 now, $2 tenant, $3 incident ids
SUMMARY_BY_ID = SUMMARY_SELECT + "WHERE i.tenant = $2 AND i.id = ANY($3::bigint[])"

OPEN_STATUSES = ("new", "triaged", "dispatched", "en_route", "on_scene")
_md = MetaData()
_incident = Table(
    "incident",
    _md,
    Column("id", BigInteger, primary_key=True),
    Column("tenant", Integer),
    Column("category", Integer),
    Column("status", String),
    Column("reported_at", DateTime(timezone=True)),
    Column("location", Geography("POINT", srid=4326)),
)
_target = _incident.alias("target")
_radius = bindparam("radius_m", type_=Float)

#: Open incidents near this one, recent, of a category in ``category_ids``: merge candidates.
DUPLICATE_CANDIDATES = CompiledQuery(
    select(_incident.c.id, func.ST_Distance(_incident.c.location, _target.c.location).label("distance_m"))
    .select_from(_incident.join(_target, _target.c.id == bindparam("incident_id", type_=BigInteger)))
    .where(
        and_(
            _incident.c.tenant == _target.c.tenant,
            _incident.c.id != _target.c.id,
            _incident.c.status == any_(bindparam("open", value=list(OPEN_STATUSES), type_=ARRAY(String))),
            _incident.c.category == any_(bindparam("category_ids", type_=ARRAY(Integer))),
            func.abs(func.extract("epoch", _incident.c.reported_at - _target.c.reported_at))
            <= bindparam("window_s", type_=Float),
            func.ST_DWithin(_incident.c.location, _target.c.location, _radius),
        )
    )
    .order_by("distance_m")
    .limit(10)
)
