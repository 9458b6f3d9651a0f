"""Weekly committee report over a million incidents: the time to build it (goal < 3 s).

    .venv/bin/python benchmarks/report.py [--incidents N] [--runs R]

A scratch database on the project-local cluster of scripts/run (or DATABASE_URL's server) gets the test
city and N incidents spread over two years (categories, sectors, priorities, hours as a city's), each
dispatched one with its timeline (dispatched, on scene), callbacks for one in ten, 40 units with shifts and
assignments over the last eight weeks. Then the report for the last seven days (the comparisons reach back
four weeks, a year, and 24 months of trend) is built R times through the same service function the API
calls and encoded to JSON; the first run is cold. Results go to benchmarks/results/report-<date>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import msgspec

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _host import code_version, local_cluster, migrate, stop_local_cluster, with_database  # noqa: E402

from tests.support.builders import EAST, NORTH, SOUTH, TEST_CITY, WEST, create_city  # noqa: E402

_INCIDENTS = """
INSERT INTO incident (tenant, code, category, priority, status, source, location, sector, description,
                      anonymous, occurred_at, reported_at, updated_at, resolved_at, outcome, callback_due_at,
                      callback_done_at)
SELECT $1, 'TST-B-' || g, c.id, 1 + g % 4,
       CASE WHEN g % 50 = 0 THEN 'unfounded' WHEN g % 97 = 0 THEN 'duplicate' ELSE 'closed' END, 'app',
       ST_SetSRID(ST_MakePoint($2::float8 + ($3::float8 - $2::float8) * ((g::bigint * 7919) % 1000) / 1000.0,
                              $4::float8 + ($5::float8 - $4::float8) * ((g::bigint * 104729) % 1000) / 1000.0),
                  4326)::geography,
       s.id, '', true, t.at, t.at, t.at, t.at + interval '50 minutes', 'resolved_on_scene',
       CASE WHEN g % 10 = 0 THEN t.at + interval '4 hours' END,
       CASE WHEN g % 10 = 0 AND g % 30 <> 0 THEN t.at + interval '2 hours' END
FROM generate_series(1, $6::int) AS g
CROSS JOIN LATERAL (SELECT $7::timestamptz - make_interval(secs => ((g::bigint * 2654435761) % (730 * 86400))::float8)
                    AS at) AS t
CROSS JOIN LATERAL (SELECT id FROM category WHERE tenant = $1 ORDER BY id OFFSET g % 12 LIMIT 1) AS c
CROSS JOIN LATERAL (SELECT id FROM sector WHERE tenant = $1 ORDER BY id OFFSET g % 4 LIMIT 1) AS s
"""

_EVENTS = """
INSERT INTO incident_event (tenant_id, incident, at, actor_type, kind, data, public)
SELECT $1, i.id, i.reported_at + make_interval(mins => k.after + (i.id % 7)::int), 'system', k.kind, '{}', true
FROM incident i CROSS JOIN (VALUES ('reported', 0), ('dispatched', 2), ('on_scene', 11), ('resolved', 50))
    AS k(kind, after)
WHERE i.tenant = $1 AND i.status = 'closed'
"""

_UNITS = """
INSERT INTO unit (tenant, call_sign, agency, kind, status, emergency, version)
SELECT $1, 'B-' || g, 'serenazgo', 'car', 'off_duty', false, 1 FROM generate_series(1, 40) AS g;
"""

_SHIFTS = """
INSERT INTO unit_shift (tenant_id, unit, started_at, ended_at)
SELECT $1, u.id, d + make_interval(hours => (u.id % 2) * 12), d + make_interval(hours => (u.id % 2) * 12 + 12)
FROM unit u CROSS JOIN generate_series($2::timestamptz - interval '56 days', $2::timestamptz - interval '1 day',
                                       interval '1 day') AS d
WHERE u.tenant = $1
"""

_ASSIGNMENTS = """
INSERT INTO assignment (tenant_id, incident, unit, status, assigned_at, cleared_at, ended_at, version)
SELECT $1, i.id, (SELECT id FROM unit WHERE tenant = $1 ORDER BY id OFFSET (i.id % 40) LIMIT 1), 'cleared',
       i.reported_at + interval '2 minutes', i.resolved_at, i.resolved_at, 1
FROM incident i WHERE i.tenant = $1 AND i.status = 'closed' AND i.reported_at >= $2::timestamptz - interval '56 days'
"""


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=5)
    return p.parse_args()


async def run(args: argparse.Namespace) -> int:
    given = os.environ.get("DATABASE_URL")
    admin_dsn, started_cluster = (given, False) if given else local_cluster()
    scratch = f"sereno_bench_report_{os.getpid()}"
    dsn = with_database(admin_dsn, scratch)
    os.environ["DATABASE_URL"] = dsn
    from sereno.analytics import reports
    from sereno.core import db
    from sereno.settings import load_settings
    from sereno.tenants import service as tenants

    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{scratch}"')
        migrate(dsn)
        now = datetime.now(UTC)
        conn = await asyncpg.connect(dsn)
        try:
            tenant_id = await create_city(conn, **TEST_CITY)
            started = time.perf_counter()
            await conn.execute(_INCIDENTS, tenant_id, WEST, EAST, SOUTH, NORTH, args.incidents, now)
            await conn.execute(_EVENTS, tenant_id)
            await conn.execute(_UNITS, tenant_id)
            await conn.execute(_SHIFTS, tenant_id, now)
            await conn.execute(_ASSIGNMENTS, tenant_id, now)
            await conn.execute("VACUUM ANALYZE")
            counts = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM incident) AS incidents, (SELECT count(*) FROM incident_event) AS events"
            )
            print(
                f"seeded {counts['incidents']:,} incidents and {counts['events']:,} timeline events "
                f"in {time.perf_counter() - started:.0f} s"
            )
        finally:
            await conn.close()

        await db.start_pool(load_settings({**os.environ, "DATABASE_URL": dsn}))
        tenant = await tenants.get_tenant(slug=TEST_CITY["slug"])
        start, end = reports.default_period(now=now, time_zone=tenant.time_zone)
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            report = await reports.weekly_report(tenant=tenant, start=start, end=end, now=now, lang="es")
            body = msgspec.json.encode(report)
            times.append(time.perf_counter() - began)
        await db.stop_pool()
        print(
            f"weekly report ({report.total:,} incidents in the week, {len(body):,} bytes of JSON): "
            f"cold {times[0]:.2f} s, warm median {statistics.median(times[1:]):.2f} s (goal < 3 s)"
        )
        results = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "code": code_version(),
            "incidents": counts["incidents"],
            "events": counts["events"],
            "week_total": report.total,
            "seconds": [round(t, 3) for t in times],
            "cold_s": round(times[0], 3),
            "warm_median_s": round(statistics.median(times[1:]), 3),
            "goal_s": 3.0,
            "met": max(times) < 3.0,
        }
        out = ROOT / "benchmarks" / "results" / f"report-{datetime.now(UTC):%Y-%m-%d}.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"written to {out.relative_to(ROOT)}")
        return 0 if results["met"] else 1
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.close()
        if started_cluster:
            stop_local_cluster()


if __name__ == "__main__":
    sys.exit(asyncio.run(run(parse_args())))
