"""SQL of the weekly committee report. Everything is aggregated in PostgreSQL; Python only arranges rows.

Every statement takes $1 tenant, $2 start, $3 end of the period (timestamptz, half-open); what more it
takes is said above it. Duplicates (merged into another report) and
reports cancelled by the reporter are not incidents and are left out everywhere.
"""

from __future__ import annotations

__all__ = ["COUNTS", "CLOCK", "TREND", "TIMES", "CALLBACKS", "OUTCOMES", "UNITS", "PARTICIPATION"]

_COUNTED = "status NOT IN ('duplicate', 'cancelled')"

# $4: the period's length. Counts per category and per sector in the period (0), the four periods before it (1) and the same period
# a year earlier, 52 weeks back so that weekdays line up (2).
COUNTS = f"""
WITH base AS (
    SELECT category, sector,
           CASE WHEN reported_at >= $2 THEN 0 WHEN reported_at >= $2 - 4 * $4::interval THEN 1 ELSE 2 END AS period
    FROM incident
    WHERE tenant = $1 AND {_COUNTED}
      AND ((reported_at >= $2 - 4 * $4::interval AND reported_at < $3)
           OR (reported_at >= $2 - interval '364 days' AND reported_at < $3 - interval '364 days'))
)
SELECT CASE WHEN grouping(category) = 0 THEN 'category' ELSE 'sector' END AS dim,
       coalesce(category, sector) AS key, period, count(*) AS n
FROM base
GROUP BY GROUPING SETS ((category, period), (sector, period))
"""

# $4: the period's length, $5: time zone. Hour of day and weekday (local) in the period and the four before.
CLOCK = f"""
SELECT extract(hour FROM reported_at AT TIME ZONE $5)::int AS hour,
       extract(isodow FROM reported_at AT TIME ZONE $5)::int AS weekday,
       (reported_at >= $2) AS current, count(*) AS n
FROM incident
WHERE tenant = $1 AND {_COUNTED} AND reported_at >= $2 - 4 * $4::interval AND reported_at < $3
GROUP BY 1, 2, 3
"""

# $2 here: the first month shown; $4: time zone. Incidents per calendar month (local), for the trend.
TREND = f"""
SELECT to_char(month, 'YYYY-MM') AS month, n FROM (
    SELECT date_trunc('month', reported_at AT TIME ZONE $4) AS month, count(*) AS n
    FROM incident
    WHERE tenant = $1 AND {_COUNTED} AND reported_at >= $2 AND reported_at < $3
    GROUP BY 1
) AS m ORDER BY 1
"""

# Report → dispatched → on scene → resolved, in seconds: median and p90 overall, by priority and by sector.
TIMES = f"""
WITH cur AS (
    SELECT id, priority, sector, reported_at, resolved_at FROM incident
    WHERE tenant = $1 AND {_COUNTED} AND reported_at >= $2 AND reported_at < $3
), t AS (
    -- Each incident's own timeline through the index on incident_event(incident): a few rows each, where
    -- a join would scan every event of the city.
    SELECT cur.priority, cur.sector,
           extract(epoch FROM s.dispatched_at - cur.reported_at)::float8 AS to_dispatch,
           extract(epoch FROM s.on_scene_at - cur.reported_at)::float8 AS to_scene,
           extract(epoch FROM cur.resolved_at - cur.reported_at)::float8 AS to_resolve
    FROM cur CROSS JOIN LATERAL (
        SELECT min(e.at) FILTER (WHERE e.kind = 'dispatched') AS dispatched_at,
               min(e.at) FILTER (WHERE e.kind = 'on_scene') AS on_scene_at
        FROM incident_event e WHERE e.incident = cur.id
    ) AS s
)
SELECT CASE WHEN grouping(priority) = 0 THEN 'priority' WHEN grouping(sector) = 0 THEN 'sector' ELSE 'all' END
           AS dim,
       coalesce(priority::int, sector) AS key, count(*) AS n,
       count(to_dispatch) AS n_dispatch,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY to_dispatch) AS dispatch_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY to_dispatch) AS dispatch_p90,
       count(to_scene) AS n_scene,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY to_scene) AS scene_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY to_scene) AS scene_p90,
       count(to_resolve) AS n_resolve,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY to_resolve) AS resolve_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY to_resolve) AS resolve_p90
FROM t
GROUP BY GROUPING SETS ((), (priority), (sector))
"""

# $4: now. Callbacks due in the period: done in time, done late, still not done.
CALLBACKS = """
SELECT count(*) AS due,
       count(*) FILTER (WHERE callback_done_at <= callback_due_at) AS on_time,
       count(*) FILTER (WHERE callback_done_at > callback_due_at) AS late,
       count(*) FILTER (WHERE callback_done_at IS NULL AND callback_due_at < $4) AS overdue
FROM incident
WHERE tenant = $1 AND callback_due_at >= $2 AND callback_due_at < $3
"""

OUTCOMES = f"""
SELECT count(*) AS total,
       count(*) FILTER (WHERE status = 'unfounded' OR outcome = 'unfounded') AS unfounded,
       count(*) FILTER (WHERE status IN ('resolved', 'closed')) AS resolved
FROM incident
WHERE tenant = $1 AND {_COUNTED} AND reported_at >= $2 AND reported_at < $3
"""

# Per unit: seconds on duty within the period (shifts clipped to it) and seconds on cases (assignments from
# assignment to clearing, clipped too). $4: now, for what is still open.
UNITS = """
WITH duty AS (
    SELECT unit, sum(extract(epoch FROM least(coalesce(ended_at, $4), $3) - greatest(started_at, $2)))::float8 AS s
    FROM unit_shift
    WHERE tenant_id = $1 AND started_at < $3 AND coalesce(ended_at, $4) > $2
    GROUP BY unit
), busy AS (
    SELECT unit,
           sum(extract(epoch FROM least(coalesce(cleared_at, ended_at, $4), $3) - greatest(assigned_at, $2)))::float8
               AS s, count(*) AS cases
    FROM assignment
    WHERE tenant_id = $1 AND assigned_at < $3 AND coalesce(cleared_at, ended_at, $4) > $2
      AND status NOT IN ('declined', 'timed_out')
    GROUP BY unit
)
SELECT u.id, u.call_sign, u.agency, coalesce(d.s, 0) AS duty_s, coalesce(b.s, 0) AS busy_s,
       coalesce(b.cases, 0) AS cases
FROM unit u LEFT JOIN duty d ON d.unit = u.id LEFT JOIN busy b ON b.unit = u.id
WHERE u.tenant = $1 AND (d.s IS NOT NULL OR b.s IS NOT NULL)
ORDER BY u.call_sign
"""

# $4: now. Citizens' complaints, suggestions and questions received in the period, per department (and all):
# how many, how many answered (or closed with a reason) so far and how many of those by the deadline, how many
# are still open past it, and the median hours to an answer.
PARTICIPATION = """
SELECT d.code, d.name_es, d.name_en, grouping(d.id) = 1 AS total,
       count(*) AS received,
       count(*) FILTER (WHERE r.answered_at IS NOT NULL) AS answered,
       count(*) FILTER (WHERE r.answered_at <= r.due_at) AS on_time,
       count(*) FILTER (WHERE r.status IN ('received', 'in_progress') AND r.due_at < $4) AS overdue,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.answered_at - r.received_at))
           FILTER (WHERE r.answered_at IS NOT NULL) AS answer_p50_s
FROM participation_request r JOIN department d ON d.id = r.department
WHERE r.tenant = $1 AND r.received_at >= $2 AND r.received_at < $3
GROUP BY GROUPING SETS ((d.id, d.code, d.name_es, d.name_en), ())
"""
