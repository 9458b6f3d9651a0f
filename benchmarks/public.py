"""Public feed benchmark: a cached feed page against a static file of the same size, and a 100,000-feature
GeoJSON export.

    .venv/bin/python benchmarks/public.py [--seconds N] [--workers W] [--concurrency C] [--features N]

One run, one server (``sereno run``, W workers) on a scratch database holding N published incidents in the
public projection: (1) GET of a static file of the same size as the feed page, served by the same server
(the citizen app's static router); (2) GET /api/v1/public/incidents (100 items, the version-keyed cache
warm, as a repeat visitor or a CDN revalidating would see it); the ratio (2)/(1) (goal >= 0.7); (3) the time
to stream the whole GeoJSON export of N features (goal < 2 s for 100,000), median of three, the feature
count checked. Load from wrk. Results are printed and written to benchmarks/results/public-<date>.json.
Without DATABASE_URL the project-local cluster of scripts/run is used; the scratch database is dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _host import (
    code_version,
    free_port,
    local_cluster,
    migrate,
    start_server,
    stop_local_cluster,
    stop_server,
    wait_healthy,
    with_database,
)
from _load import ensure_wrk

from tests.support.builders import EAST, NORTH, SOUTH, TEST_CITY, WEST, create_city

# N published items spread over two years and the city, a quarter of them placed by district only.
_SEED = """
INSERT INTO public_incident
    (tenant_id, incident_id, code, category_id, sensitive, listed, sector_id, month, day, hour_band, weekday,
     time_detail, resolved_on, status, outcome, response_s, resolution_s, cell_x, cell_y, level, lon, lat,
     published_at, updated_at)
SELECT $1, -g, 'TST-2026-' || lpad(g::text, 6, '0'), c.id, false, true, s.id,
       date_trunc('month', d)::date, d::date, (g % 8)::int2, extract(isodow FROM d)::int2,
       'hour_band', d::date, 'closed', 'resolved_on_scene', 300 + g % 1200, 1800 + g % 7200,
       NULL, NULL, CASE WHEN g % 4 = 0 THEN 'district' ELSE 'cell' END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE $2::float8 + ($3::float8 - $2::float8) * ((g::bigint * 7919) % 1000) / 1000.0 END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE $4::float8 + ($5::float8 - $4::float8) * ((g::bigint * 104729) % 1000) / 1000.0 END,
       now(), now()
FROM generate_series(1, $6::int) AS g
CROSS JOIN LATERAL (SELECT now() - make_interval(mins => (g * 37) % (730 * 24 * 60)) AS d) AS t
CROSS JOIN LATERAL (SELECT id FROM category WHERE tenant = $1 AND NOT sensitive
                    ORDER BY id OFFSET g % 8 LIMIT 1) AS c
CROSS JOIN LATERAL (SELECT id FROM sector WHERE tenant = $1 ORDER BY id OFFSET g % 4 LIMIT 1) AS s
"""


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10, help="measured seconds per rate phase (default 10)")
    p.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    p.add_argument("--concurrency", type=int, default=32, help="connections of the load (default 32)")
    p.add_argument("--features", type=int, default=100_000, help="published incidents (default 100,000)")
    return p.parse_args()


async def wrk_rate(url: str, *, seconds: float, concurrency: int) -> dict:
    """Requests per second of a plain GET, after one second of warm-up."""
    threads = str(min(os.cpu_count() or 1, concurrency))
    for duration in ("1s", f"{seconds:g}s"):
        proc = await asyncio.create_subprocess_exec(
            "wrk",
            "-t",
            threads,
            "-c",
            str(concurrency),
            "-d",
            duration,
            "--latency",
            url,
            stdout=asyncio.subprocess.PIPE,
        )
        out = (await proc.communicate())[0].decode()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rate": rate,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
    }


async def export_seconds(url: str, encoding: str) -> tuple[float, int, int]:
    """Wall time to receive (and, gzipped, decompress) the whole export; (seconds, features, bytes)."""
    async with aiohttp.ClientSession(auto_decompress=True) as session:
        start = time.perf_counter()
        headers = {"Accept-Encoding": encoding}
        async with session.get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=120)) as response:
            body = await response.read()
            assert response.status == 200, body[:300]
        elapsed = time.perf_counter() - start
    return elapsed, len(json.loads(body)["features"]), len(body)


async def run(args: argparse.Namespace) -> int:
    if not ensure_wrk():
        raise SystemExit("wrk is not installed and could not be installed with apt")
    given = os.environ.get("DATABASE_URL")
    admin_dsn, started_cluster = (given, False) if given else local_cluster()
    scratch = f"sereno_bench_public_{os.getpid()}"
    dsn = with_database(admin_dsn, scratch)
    static = ROOT / "pwa" / f"bench-static-{os.getpid()}.json"
    server = None
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{scratch}"')
        migrate(dsn)
        conn = await asyncpg.connect(dsn)
        try:
            tenant_id = await create_city(conn, **TEST_CITY)
            started = time.perf_counter()
            await conn.execute(_SEED, tenant_id, WEST, EAST, SOUTH, NORTH, args.features)
            await conn.execute("INSERT INTO public_feed_state (tenant_id, version) VALUES ($1, 1)", tenant_id)
            await conn.execute("VACUUM ANALYZE public_incident")
            print(f"seeded {args.features:,} published incidents in {time.perf_counter() - started:.1f} s")
        finally:
            await conn.close()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(tempfile.mkstemp(prefix="sereno-bench-public-", suffix=".log")[1])
        env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "SERENO_DEFAULT_TENANT": TEST_CITY["slug"],
            "SERENO_LOG_LEVEL": "warning",
            "SERENO_MEDIA_DIR": tempfile.mkdtemp(prefix="sereno-bench-"),
        }
        server = await start_server(env, port, args.workers, log)
        await wait_healthy(base, server, log)

        feed_url = f"{base}/api/v1/public/incidents?tenant={TEST_CITY['slug']}"
        async with aiohttp.ClientSession() as session:
            async with session.get(feed_url) as response:
                page = await response.read()
                assert response.status == 200 and len(json.loads(page)["items"]) == 100, page[:300]
        static.write_bytes(page)  # same size and bytes, served by the citizen app's static router
        static_url = f"{base}/app/{static.name}"

        print(f"feed page: {len(page):,} bytes; {args.workers} workers, wrk {args.concurrency} connections")
        static_result = await wrk_rate(static_url, seconds=args.seconds, concurrency=args.concurrency)
        print(
            f"(1) static file          {static_result['rate']:>9,.0f} req/s  p99 {static_result['p99_ms']} ms"
        )
        feed_result = await wrk_rate(feed_url, seconds=args.seconds, concurrency=args.concurrency)
        print(f"(2) cached feed page     {feed_result['rate']:>9,.0f} req/s  p99 {feed_result['p99_ms']} ms")
        ratio = feed_result["rate"] / static_result["rate"]
        print(f"    ratio (2)/(1) = {ratio:.2f}  (goal >= 0.7)")

        export_url = f"{base}/api/v1/public/incidents.geojson?tenant={TEST_CITY['slug']}"
        export = {}
        for encoding in ("identity", "gzip"):
            runs = [await export_seconds(export_url, encoding) for _ in range(3)]
            median = statistics.median(r[0] for r in runs)
            features, size = runs[0][1], runs[0][2]
            assert features == args.features, f"export had {features} features, expected {args.features}"
            print(
                f"(3) GeoJSON export of {features:,} features ({size / 1e6:.1f} MB), {encoding}: "
                f"{median:.2f} s median of 3 ({', '.join(f'{r[0]:.2f}' for r in runs)})  (goal < 2 s)"
            )
            export[encoding] = {
                "features": features,
                "bytes": size,
                "seconds": [round(r[0], 3) for r in runs],
                "median_s": round(median, 3),
            }
        seconds = max(e["median_s"] for e in export.values())

        results = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "code": code_version(),
            "workers": args.workers,
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "page_bytes": len(page),
            "static": static_result,
            "feed": feed_result,
            "ratio": round(ratio, 3),
            "export": export,
            "goals": {"ratio_min": 0.7, "export_max_s": 2.0, "met": ratio >= 0.7 and seconds < 2.0},
        }
        out = ROOT / "benchmarks" / "results" / f"public-{datetime.now(UTC):%Y-%m-%d}.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"written to {out.relative_to(ROOT)}")
        return 0 if results["goals"]["met"] else 1
    finally:
        static.unlink(missing_ok=True)
        if server is not None:
            await stop_server(server)
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.close()
        if started_cluster:
            stop_local_cluster()


if __name__ == "__main__":
    sys.exit(asyncio.run(run(parse_args())))
