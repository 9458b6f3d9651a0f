"""SQL of the public projection: what the worker reads to publish, and what the public endpoints read."""

from __future__ import annotations

__all__ = [
    "TENANTS",
    "BUMP_VERSION",
    "PUBLISHABLE",
    "WITHDRAW",
    "RESTATUS",
    "INSERT",
    "MONTH_CELLS",
    "SET_LEVELS",
]

# Each tenant with what its grid and masking need: the reference latitude and the service area.
TENANTS = """
SELECT id, time_zone, round(ST_Y(ST_Centroid(service_area))::numeric, 1)::float8 AS lat0,
       ST_AsBinary(service_area) AS area
FROM tenant ORDER BY id
"""

# What the projection holds: resolved with a confirmed outcome (items, or counts for sensitive categories),
# and reports found unfounded (counted for the share of false reports, never listed). $2: confirmed outcomes.
_QUALIFIES = """(
    (i.status IN ('resolved', 'closed') AND (i.outcome = ANY($2::text[]) OR i.outcome = 'unfounded'))
    OR i.status = 'unfounded'
)"""

# Publishable and the delay over ($3: the latest end time allowed), not yet published. Nothing free-text or
# personal is read.
PUBLISHABLE = f"""
SELECT i.id, i.code, i.category AS category_id, c.sensitive, c.against_person, i.sector AS sector_id,
       i.status, i.outcome, i.reported_at, coalesce(i.occurred_at, i.reported_at) AS occurred_at,
       coalesce(i.resolved_at, i.updated_at) AS ended_at,
       ST_X(i.location::geometry) AS lon, ST_Y(i.location::geometry) AS lat,
       (SELECT min(e.at) FROM incident_event e WHERE e.incident = i.id AND e.kind = 'on_scene') AS on_scene_at
FROM incident i JOIN category c ON c.id = i.category
WHERE i.tenant = $1 AND {_QUALIFIES} AND coalesce(i.resolved_at, i.updated_at) <= $3
  AND NOT EXISTS (SELECT 1 FROM public_incident p WHERE p.incident_id = i.id)
ORDER BY i.id
LIMIT $4
"""

# Reopened since (or its outcome corrected): no longer publishable.
WITHDRAW = f"""
DELETE FROM public_incident p USING incident i
WHERE p.incident_id = i.id AND p.tenant_id = $1 AND NOT {_QUALIFIES}
RETURNING p.month
"""

RESTATUS = """
UPDATE public_incident p SET status = i.status, updated_at = $2
FROM incident i
WHERE p.incident_id = i.id AND p.tenant_id = $1 AND p.status <> i.status AND i.status IN ('resolved', 'closed')
"""

INSERT = """
INSERT INTO public_incident
    (tenant_id, incident_id, code, category_id, sensitive, listed, sector_id, month, day, hour_band, weekday,
     time_detail, resolved_on, status, outcome, response_s, resolution_s, cell_x, cell_y, level,
     published_at, updated_at)
SELECT $1, r.incident_id, r.code, r.category_id, r.sensitive, r.listed, r.sector_id, r.month, r.day,
       r.hour_band, r.weekday, r.time_detail, r.resolved_on, r.status, r.outcome, r.response_s, r.resolution_s,
       r.cell_x, r.cell_y, 'district', $2, $2
FROM unnest($3::int8[], $4::text[], $5::int4[], $6::bool[], $7::bool[], $8::int4[], $9::date[], $10::date[],
            $11::int2[], $12::int2[], $13::text[], $14::date[], $15::text[], $16::text[], $17::int4[],
            $18::int4[], $19::int4[], $20::int4[])
    AS r(incident_id, code, category_id, sensitive, listed, sector_id, month, day, hour_band, weekday,
         time_detail, resolved_on, status, outcome, response_s, resolution_s, cell_x, cell_y)
ON CONFLICT (incident_id) DO NOTHING
"""

MONTH_CELLS = """
SELECT id, month, cell_x, cell_y, level FROM public_incident
WHERE tenant_id = $1 AND month = ANY($2::date[]) AND listed
ORDER BY month, id
"""

SET_LEVELS = """
UPDATE public_incident p SET level = r.level, lon = r.lon, lat = r.lat, updated_at = $1
FROM unnest($2::int8[], $3::text[], $4::float8[], $5::float8[]) AS r(id, level, lon, lat)
WHERE p.id = r.id
"""

BUMP_VERSION = """
INSERT INTO public_feed_state (tenant_id, version, changed_at) VALUES ($1, 1, $2)
ON CONFLICT (tenant_id) DO UPDATE SET version = public_feed_state.version + 1, changed_at = $2
"""

FEED_VERSION = "SELECT version FROM public_feed_state WHERE tenant_id = $1"

NAMES = """
SELECT 'category' AS kind, id, code, name_es, name_en, sensitive FROM category WHERE tenant = $1
UNION ALL
SELECT 'sector', id, code, name, name, false FROM sector WHERE tenant = $1
"""

# Items, newest first. $2/$3: category/sector ids or null; $4/$5: date range (an item whose time detail is
# the month is filtered by its month, so a filter can never reveal a date that is not published); $6: cursor.
_ITEM_FILTER = """
tenant_id = $1 AND listed
  AND ($2::int4[] IS NULL OR category_id = ANY($2::int4[]))
  AND ($3::int4[] IS NULL OR sector_id = ANY($3::int4[]))
  AND ($4::date IS NULL OR CASE WHEN time_detail = 'month' THEN month >= date_trunc('month', $4::date)::date
                                ELSE day >= $4::date END)
  AND ($5::date IS NULL OR CASE WHEN time_detail = 'month' THEN month <= $5::date ELSE day <= $5::date END)
"""
ITEMS = f"""
SELECT id, code, category_id, sector_id, month, day, hour_band, time_detail, status, outcome, response_s,
       resolution_s, level, lon, lat, published_at
FROM public_incident
WHERE {_ITEM_FILTER} AND ($6::int8 IS NULL OR id < $6::int8)
ORDER BY id DESC
LIMIT $7
"""
ITEMS_ALL = f"""
SELECT id, code, category_id, sector_id, month, day, hour_band, time_detail, status, outcome, response_s,
       resolution_s, level, lon, lat, published_at
FROM public_incident
WHERE {_ITEM_FILTER}
ORDER BY id DESC
"""

# Statistics over every published row (sensitive and unfounded included where they may count); the time
# filter works on months only, so no statistic can isolate a day. $4/$5: first and last month.
_STATS_FILTER = """
tenant_id = $1
  AND ($2::int4[] IS NULL OR category_id = ANY($2::int4[]))
  AND ($3::int4[] IS NULL OR sector_id = ANY($3::int4[]))
  AND ($4::date IS NULL OR month >= $4::date)
  AND ($5::date IS NULL OR month <= $5::date)
"""
STATS = f"""
WITH rows AS (SELECT * FROM public_incident WHERE {_STATS_FILTER}),
confirmed AS (SELECT * FROM rows WHERE outcome <> 'unfounded')
SELECT 'category' AS dim, category_id::text AS key, count(*) AS n FROM confirmed GROUP BY 2
UNION ALL SELECT 'month', to_char(month, 'YYYY-MM'), count(*) FROM confirmed GROUP BY 2
UNION ALL SELECT 'district', sector_id::text, count(*) FROM confirmed WHERE sector_id IS NOT NULL GROUP BY 2
UNION ALL SELECT 'weekday', weekday::text, count(*) FROM confirmed WHERE listed GROUP BY 2
UNION ALL SELECT 'hour_band', hour_band::text, count(*) FROM confirmed WHERE listed GROUP BY 2
UNION ALL SELECT 'outcome', CASE WHEN outcome = 'unfounded' THEN 'unfounded' ELSE 'confirmed' END, count(*)
          FROM rows GROUP BY 2
UNION ALL SELECT 'response', 'p50', percentile_cont(0.5) WITHIN GROUP (ORDER BY response_s) FROM confirmed
UNION ALL SELECT 'response', 'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY response_s) FROM confirmed
UNION ALL SELECT 'response', 'n', count(response_s) FROM confirmed
UNION ALL SELECT 'resolution', 'p50', percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_s) FROM confirmed
UNION ALL SELECT 'resolution', 'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_s) FROM confirmed
UNION ALL SELECT 'resolution', 'n', count(resolution_s) FROM confirmed
"""

# The CSV export rendered by PostgreSQL (COPY), row by row, from the same filter as the feed. $6: language; $7/$8: outcome codes and their names; $9: cell size (m).
_EXPORT_FROM = f"""
FROM public_incident p
JOIN category c ON c.id = p.category_id
LEFT JOIN sector s ON s.id = p.sector_id
LEFT JOIN unnest($7::text[], $8::text[]) AS o(code, name) ON o.code = p.outcome
WHERE {_ITEM_FILTER}
ORDER BY p.id DESC
"""
_EXPORT_VALUES = {
    "category_name": "CASE WHEN $6::text = 'en' THEN c.name_en ELSE c.name_es END",
    "month": "to_char(p.month, 'YYYY-MM')",
    "date": "CASE WHEN p.time_detail <> 'month' THEN p.day END",
    "hour_band": "CASE WHEN p.time_detail = 'hour_band' THEN lpad((p.hour_band * 3)::text, 2, '0') || ':00-' "
    "|| lpad(((p.hour_band + 1) * 3)::text, 2, '0') || ':00' END",
    "response_min": "round(p.response_s / 60.0)::int",
    "resolution_min": "round(p.resolution_s / 60.0)::int",
    "placed": "p.level IN ('cell', 'coarse') AND p.lon IS NOT NULL",
    "precision_m": "CASE p.level WHEN 'cell' THEN $9::int WHEN 'coarse' THEN $9::int * 4 END",
    "published_at": """to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""",
}
CSV_ROWS = f"""
SELECT p.code AS id, c.code AS category, {_EXPORT_VALUES["category_name"]} AS category_name,
       s.code AS district, s.name AS district_name, {_EXPORT_VALUES["month"]} AS month,
       {_EXPORT_VALUES["date"]} AS date, {_EXPORT_VALUES["hour_band"]} AS hour_band, p.status,
       p.outcome, o.name AS outcome_name, {_EXPORT_VALUES["response_min"]} AS response_min,
       {_EXPORT_VALUES["resolution_min"]} AS resolution_min,
       CASE WHEN {_EXPORT_VALUES["placed"]} THEN round(p.lat::numeric, 6) END AS lat,
       CASE WHEN {_EXPORT_VALUES["placed"]} THEN round(p.lon::numeric, 6) END AS lon,
       CASE WHEN {_EXPORT_VALUES["placed"]} THEN {_EXPORT_VALUES["precision_m"]} END AS precision_m,
       {_EXPORT_VALUES["published_at"]} AS published_at
{_EXPORT_FROM}
"""
