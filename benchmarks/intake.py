"""Intake benchmark: reports/s through the whole intake path, against raw inserts and a trivial endpoint.

    .venv/bin/python benchmarks/intake.py [--seconds N] [--workers W] [--concurrency C] [--client wrk|aiohttp]

One run, one database cluster, durable commits: (2) raw asyncpg INSERTs of the incident row alone and
(2') of every row a report writes (incident, timeline event, idempotency record, outbox event) in one
statement and one commit per report; (4) GET /healthz and (5) POST /api/v1/reports on the real server
(``sereno run``); (6) p50/p99 latency of an open-loop load at half the rate of (5). (2'), (4) and (5) run in
``--rounds`` rounds, back to back in each round, and the ratio reported is the median round's: the
durable raw baseline alone moves by half between runs minutes apart (the disk's fsync time). The goal of the issue is
(5) / min((2'), (4)) >= 0.5 ("raw inserts of the same rows"); (2) is printed for comparison. Results are
printed and written to benchmarks/results/intake-<date>.json.

Without DATABASE_URL the project-local durable cluster of scripts/run (port $SERENO_LOCAL_PG_PORT, default 54329) is used; a scratch
database is created, migrated and dropped again. The closed-loop load comes from wrk (installed with apt
when missing) because a Python client needs several times its CPU, which the server would then lack on a
small machine; the open loop is aiohttp. Each phase also shows the CPU cores used by the server, PostgreSQL,
the load generator and everything else on the machine ("other": if it is not near zero, the run was
disturbed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _host import (
    CpuMeter,
    code_version,
    durability,
    free_port,
    local_cluster,
    migrate,
    postmaster_of,
    start_server,
    stop_local_cluster,
    stop_server,
    wait_healthy,
    with_database,
)
from _intake_report import NOISE_CORES, failed, print_table, round_phases, write_results
from _load import closed_loop, ensure_wrk, open_loop, random_point
from sereno.core.geo import point_ewkt
from sereno.settings import load_settings

from tests.support.builders import MID_LAT, MID_LON, TEST_CITY, create_city, report_body


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10, help="measured seconds per phase (default 10)")
    p.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    p.add_argument("--concurrency", type=int, default=32, help="connections of the load (default 32)")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before a closed-loop phase")
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds of (2'), (4) and (5), one after the other on the same server; the ratio is the "
                        "median of the rounds' ratios (default 3)")
    p.add_argument("--client", choices=["auto", "wrk", "aiohttp"], default="auto",
                   help="closed-loop load generator; auto: wrk (apt-installed when missing), else aiohttp")
    p.add_argument("--client-procs", type=int, default=os.cpu_count() or 1, help="aiohttp load processes")
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="extra environment for the server, e.g. SERENO_DB_POOL_SIZE=32 (repeatable)")
    p.add_argument("--category", default=report_body()["category"],
                   help="category of the reports (default robbery_assault: P1, so every report also goes "
                        "through auto-dispatch in the server's outbox worker; e.g. noise_disturbance is P3)")
    p.add_argument("--allow-non-durable", action="store_true",
                   help="run and report a ratio even if fsync or synchronous_commit is off")
    return p.parse_args()


# ------------------------------------------------------------------------------------------- (2) raw inserts

# The incident row of reports/service.py `_INSERT`, alone: same columns, same code and point expressions.
_RAW = """
INSERT INTO incident (tenant, code, category, priority, status, source, location, accuracy_m, sector,
                      description, anonymous, tracking_token_hash, occurred_at, reported_at, updated_at)
VALUES ($1, $2 || lpad(sereno_next_report_number($1)::text, 6, '0'), $3, $4, 'new', 'app',
        ST_GeogFromText($5), $6, $7, $8, true, $9, NULL, $10, $10)
"""


# Every row a report writes (the incident, its first timeline event, its idempotency record and its outbox
# event), inserted the fastest raw way: one statement, one commit per report.
_RAW_SAME_ROWS = """
WITH inc AS (
    INSERT INTO incident (tenant, code, category, priority, status, source, location, accuracy_m, sector,
                          description, anonymous, tracking_token_hash, occurred_at, reported_at, updated_at)
    VALUES ($1, $2 || lpad(sereno_next_report_number($1)::text, 6, '0'), $3, $4, 'new', 'app',
            ST_GeogFromText($5), $6, $7, $8, true, $9, NULL, $10, $10)
    RETURNING id, code
), ev AS (
    INSERT INTO incident_event (tenant_id, incident, at, actor_type, kind, data, public)
    SELECT $1, id, $10, 'citizen', 'reported', '{}', true FROM inc
), idem AS (
    INSERT INTO idempotency_record (tenant_id, scope, key, request_hash, status_code, response, created_at)
    SELECT $1, 'report', $9, $9, 201, jsonb_build_object('code', code), $10 FROM inc
)
INSERT INTO outbox_event (tenant_id, topic, payload)
SELECT $1, 'bench.raw', jsonb_build_object('id', id) FROM inc
"""


async def raw_inserts(
    dsn: str, tenant_id: int, *, concurrency: int, seconds: float, warmup: float, category: str,
    statement: str = _RAW,
) -> dict:
    conns = await asyncio.gather(*(asyncpg.connect(dsn) for _ in range(concurrency)))
    try:
        c = conns[0]
        category = await c.fetchrow(
            "SELECT id, default_priority FROM category WHERE tenant = $1 AND code = $2",
            tenant_id, category)
        sectors = dict(await c.fetch("SELECT code, id FROM sector WHERE tenant = $1", tenant_id))
        prefix = f"{TEST_CITY['prefix']}-{datetime.now(ZoneInfo('America/Lima')).year}-"
        description = report_body()["description"]
        start = time.monotonic() + warmup
        end = start + seconds
        done = 0

        async def writer(conn: asyncpg.Connection, rng: random.Random) -> None:
            nonlocal done
            while time.monotonic() < end:
                lon, lat = random_point(rng)
                sector = sectors[("N" if lat >= MID_LAT else "S") + ("W" if lon < MID_LON else "E")]
                await conn.execute(statement, tenant_id, prefix, category["id"], category["default_priority"],
                                   point_ewkt(round(lon, 6), round(lat, 6)), 12.5, sector, description,
                                   os.urandom(32).hex(), datetime.now(UTC))
                if start <= time.monotonic() <= end:
                    done += 1

        await asyncio.gather(*(writer(conn, random.Random(i)) for i, conn in enumerate(conns)))
        return {"ok": done, "seconds": seconds, "rate": done / seconds, "statuses": {}, "errors": []}
    finally:
        await asyncio.gather(*(conn.close() for conn in conns))


async def settle(dsn: str) -> None:
    """Leave the tables as a long-running database has them before the server is measured: the raw phase's
    outbox rows delivered (pending rows of a topic no worker handles would sit at the head of every claim),
    and fresh statistics (autovacuum visits a new database about once a minute; until then the planner takes
    the outbox for empty and claims with a sequential scan of thousands of rows per report)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("UPDATE outbox_event SET done_at = now() WHERE topic = 'bench.raw'")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def outbox_backlog(dsn: str) -> int:
    """Reports whose side effects (console event, P1 auto-dispatch) the server's outbox worker has not yet
    delivered at the end of a phase: if it grows phase after phase, the intake rate outruns the worker."""
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM outbox_event WHERE done_at IS NULL AND topic = 'incident.reported'")
    finally:
        await conn.close()


async def drained(dsn: str, timeout_s: float = 120.0) -> None:
    """Wait (bounded) until the server's worker has delivered the previous round's reports, so that a round's
    baseline is not measured against the worker's catch-up."""
    deadline = time.monotonic() + timeout_s
    while await outbox_backlog(dsn) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)


# ------------------------------------------------------------------------------------------- run

def choose_client(wanted: str) -> str:
    if wanted == "aiohttp" or ensure_wrk():
        return "wrk" if wanted == "auto" else wanted
    if wanted == "wrk":
        raise SystemExit("wrk is not installed and could not be installed with apt")
    return "aiohttp"


async def prepare(admin: asyncpg.Connection, scratch: str, dsn: str) -> tuple[int, int | None]:
    """A fresh, migrated scratch database with the test city: (tenant id, postmaster pid)."""
    await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{scratch}"')
    migrate(dsn)
    conn = await asyncpg.connect(dsn)
    try:
        tenant_id = await create_city(conn, **TEST_CITY)
        # The per-tenant code sequence is created on first use, and that creation fails under concurrent
        # first reports (duplicate pg_class entry); draw one number so that no phase measures that race.
        await conn.fetchval("SELECT sereno_next_report_number($1)", tenant_id)
        return tenant_id, await postmaster_of(conn)
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> int:
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    client = choose_client(args.client)
    given = os.environ.get("DATABASE_URL")
    admin_dsn, started_cluster = (given, False) if given else local_cluster()
    scratch = f"sereno_bench_{os.getpid()}"
    dsn = with_database(admin_dsn, scratch)
    media = Path(tempfile.mkdtemp(prefix="sereno-bench-"))
    env = {**os.environ, "DATABASE_URL": dsn, "SERENO_RATE_LIMIT_PER_MINUTE": "1000000000",
           "SERENO_DEFAULT_TENANT": TEST_CITY["slug"], "SERENO_LOG_LEVEL": "warning",
           "SERENO_MEDIA_DIR": str(media), **dict(kv.split("=", 1) for kv in args.server_env)}
    C, N, tag = args.concurrency, args.seconds, str(os.getpid())
    server = admin = None
    try:
        admin = await asyncpg.connect(admin_dsn)
        pg = await durability(admin)
        durable = pg["fsync"] == "on" and pg["synchronous_commit"] != "off"
        print(f"PostgreSQL {pg['server_version']}: fsync={pg['fsync']} synchronous_commit="
              f"{pg['synchronous_commit']} full_page_writes={pg['full_page_writes']}")
        if not durable and not args.allow_non_durable:
            print("durability is off: refusing to report a ratio (pass --allow-non-durable to run anyway)")
            return 2
        tenant_id, postmaster = await prepare(admin, scratch, dsn)

        print(f"(2) raw inserts: {C} connections, {N:g} s ...", flush=True)
        raw_incident = await CpuMeter(postgres=postmaster).measure(
            raw_inserts(dsn, tenant_id, concurrency=C, seconds=N, warmup=args.warmup, category=args.category))
        await settle(dsn)

        port, log = free_port(), media / "server.log"
        url = f"http://127.0.0.1:{port}"
        server = await start_server(env, port, args.workers, log)
        await wait_healthy(url, server, log)
        meter = CpuMeter(server=server.pid, postgres=postmaster)
        load = {"concurrency": C, "seconds": N, "warmup": args.warmup, "client": client,
                "category": args.category,
                "procs": args.client_procs}
        rounds = []
        for n in range(1, args.rounds + 1):
            # Each round's phases run back to back, so that a drift of the machine (the disk's fsync time, a
            # checkpoint) weighs on the round's baseline as on its reports.
            await drained(dsn)
            print(f"round {n}: (2') raw inserts of every row a report writes: {C} connections, {N:g} s ...",
                  flush=True)
            raw = await meter.measure(
                raw_inserts(dsn, tenant_id, concurrency=C, seconds=N, warmup=args.warmup,
                            category=args.category, statement=_RAW_SAME_ROWS))
            await settle(dsn)
            print(f"round {n}: (4) GET /healthz: {client}, {C} connections, {N:g} s ...", flush=True)
            health = await meter.measure(closed_loop(url, "healthz", tag=f"h{n}-{tag}", **load))
            print(f"round {n}: (5) POST /api/v1/reports: {client}, {C} connections, {N:g} s ...", flush=True)
            reports = await meter.measure(closed_loop(url, "report", tag=f"r{n}-{tag}", **load))
            reports["outbox_backlog"] = await outbox_backlog(dsn)
            denominator = min(raw["rate"], health["rate"])
            rounds.append({"raw_inserts": raw, "healthz": health, "reports": reports,
                           "ratio": reports["rate"] / denominator if denominator else None})
        median = sorted(rounds, key=lambda r: r["ratio"] or 0.0)[len(rounds) // 2]
        rate, latency = 0.5 * median["reports"]["rate"], {}
        if rate > 0:
            await drained(dsn)
            print(f"(6) open loop at {rate:.0f} reports/s (half of the median round's), {N:g} s ...", flush=True)
            latency = await meter.measure(
                open_loop(url, "report", rate=rate, seconds=N, max_conn=max(256, 4 * C), tag=f"o{tag}",
                          category=args.category))
        if latency:
            latency["outbox_backlog"] = await outbox_backlog(dsn)
        server_log = log.read_text()[-2000:]
    finally:
        if server is not None:
            await stop_server(server)
        if admin is not None:
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            except (OSError, asyncpg.PostgresError) as exc:
                print(f"could not drop the scratch database {scratch}: {exc!r}", file=sys.stderr)
            await admin.close()
        shutil.rmtree(media, ignore_errors=True)
        if started_cluster:
            stop_local_cluster()

    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "machine": {"cpus": os.cpu_count(), "arch": platform.machine()},
        "postgres": pg,
        "durable": durable,
        "server": {"workers": args.workers, "pool_size": load_settings(env).db.pool_size,
                   "env": args.server_env},
        "load": {"client": client, "concurrency": C, "seconds": N, "warmup": args.warmup,
                 "category": args.category, "rounds": args.rounds,
                 "client_procs": args.client_procs if client == "aiohttp" else None},
        "raw_incident_row_only": raw_incident,
        "rounds": rounds,
        # the median round's phases, under the names of a one-round run
        "raw_inserts": median["raw_inserts"],
        "healthz": median["healthz"],
        "reports": median["reports"],
        "latency_at_half_rate": latency,
        "ratio": median["ratio"],
        "ratios": [r["ratio"] for r in rounds],
        # other processes on the machine took CPU the measured parties needed: the figures are not clean
        "disturbed": any(phase and phase["cores"]["other"] > NOISE_CORES
                         for phase in (raw_incident, latency, *round_phases(rounds))),
        "server_log_tail": server_log,
    }
    print_table(results)
    print(f"results: {write_results(results).relative_to(ROOT)}")
    return 0 if all(failed(phase) == 0 for phase in (latency, *round_phases(rounds))) else 1


def main() -> None:
    args = parse_args()
    try:
        sys.exit(asyncio.run(run(args)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit(130)
    except (RuntimeError, OSError) as exc:  # a failed step (database, server, load); cleaned up already
        sys.exit(f"benchmark failed: {exc}")


if __name__ == "__main__":
    main()
