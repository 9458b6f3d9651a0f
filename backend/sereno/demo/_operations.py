"""The operational record of the demo's recent weeks, derived from its incident history in SQL: units' shifts,
the assignments behind each dispatched incident, and callbacks with their deadlines, so that the weekly
report has units' load and callback compliance to show. Deterministic (hashes of ids, not random draws)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

__all__ = ["record_operations"]

_WEEKS = 8

# Two 12-hour shifts a day (06-18 and 18-06 local), each unit working one of them, four days in six.
_SHIFTS = """
INSERT INTO unit_shift (tenant_id, unit, started_at, ended_at)
SELECT u.tenant, u.id, s.start, s.start + interval '12 hours'
FROM unit u
CROSS JOIN LATERAL (
    SELECT (d::date + CASE WHEN u.id % 2 = 0 THEN time '06:00' ELSE time '18:00' END) AT TIME ZONE 'America/Lima'
           AS start, d::date AS day
    FROM generate_series(($2::timestamptz AT TIME ZONE 'America/Lima')::date - $3::int * 7,
                         ($2::timestamptz AT TIME ZONE 'America/Lima')::date - 1, interval '1 day') AS d
) AS s
WHERE u.tenant = $1 AND (extract(doy FROM s.day)::int + u.id) % 6 < 4 AND s.start + interval '12 hours' <= $2
"""

# Each dispatched incident of those weeks: one assignment to a unit on shift then (else any unit), with the
# times of its timeline.
_ASSIGNMENTS = """
WITH steps AS (
    SELECT i.id, i.tenant, i.outcome,
           min(e.at) FILTER (WHERE e.kind = 'dispatched') AS dispatched_at,
           min(e.at) FILTER (WHERE e.kind = 'en_route') AS en_route_at,
           min(e.at) FILTER (WHERE e.kind = 'on_scene') AS on_scene_at,
           min(e.at) FILTER (WHERE e.kind = 'resolved') AS resolved_at
    FROM incident i JOIN incident_event e ON e.incident = i.id
    WHERE i.tenant = $1 AND i.reported_at >= $2::timestamptz - $3::int * interval '7 days'
    GROUP BY i.id
)
INSERT INTO assignment (tenant_id, incident, unit, status, assigned_at, acknowledged_at, en_route_at, on_scene_at,
                        cleared_at, ended_at, outcome, version)
SELECT s.tenant, s.id,
       coalesce(
           (SELECT sh.unit FROM unit_shift sh WHERE sh.tenant_id = s.tenant AND sh.started_at <= s.dispatched_at
              AND sh.ended_at > s.dispatched_at ORDER BY hashint8(s.id + sh.unit) LIMIT 1),
           (SELECT u.id FROM unit u WHERE u.tenant = s.tenant ORDER BY hashint8(s.id + u.id) LIMIT 1)),
       'cleared', s.dispatched_at, s.dispatched_at + interval '40 seconds', s.en_route_at, s.on_scene_at,
       s.resolved_at, s.resolved_at, s.outcome, 5
FROM steps s
WHERE s.dispatched_at IS NOT NULL AND s.resolved_at IS NOT NULL
"""

# Reporters who asked to be called back: due 4 hours after the report; most called in time, some late, a
# few of the last days still waiting.
_CALLBACKS = """
UPDATE incident i SET
    callback_due_at = i.reported_at + interval '4 hours',
    callback_done_at = CASE
        WHEN abs(hashint8(i.id)) % 20 = 0 AND i.reported_at > $2::timestamptz - interval '3 days' THEN NULL
        ELSE i.reported_at + make_interval(mins => (abs(hashint8(i.id)) % 300)::int) END
FROM reporter_contact c
WHERE c.incident = i.id AND c.callback_wanted AND i.tenant = $1
  AND i.reported_at >= $2::timestamptz - $3::int * interval '7 days' AND i.reported_at < $2::timestamptz - interval '4 hours'
"""


async def record_operations(conn: asyncpg.Connection, *, tenant_id: int, now: datetime) -> None:
    for statement in (_SHIFTS, _ASSIGNMENTS, _CALLBACKS):
        await conn.execute(statement, tenant_id, now, _WEEKS)
