"""Dispatch benchmark: the nearest-available-unit query, and a P1 report's way to the officer's phone.

    .venv/bin/python benchmarks/dispatch.py [--units N] [--queries N] [--rounds N] [--busy-rounds N]

One run, one scratch database (created, migrated with ``sereno db migrate``, given the test city, dropped at
the end), on DATABASE_URL's cluster or else the project-local durable cluster of scripts/run:

(1) ``sereno.dispatch.queries.NEAREST_AVAILABLE`` with ``--units`` units on duty spread over the city, for
    ``--queries`` random incident points on one warmed connection: p50/p99 from Python, EXPLAIN (ANALYZE,
    BUFFERS) of one query (custom and generic plan) and the index it scans, server times of 200 more, and a
    check of the KNN order against a brute-force order. Goal: p99 < 5 ms.
(2) The real server (``sereno run``, outbox worker in process) with one officer in the unit nearest to the
    report point, its field WebSocket open and a Web Push subscription at the local push service of
    tests/support/push_endpoint.py: ``--rounds`` P1 reports, each timed from the POST to
    ``assignment.created`` on the socket and to the decrypted push, with the server-side stages read back
    from the outbox rows. Each report is sent when the outbox is idle; then ``--busy-rounds`` more are sent
    while the worker still publishes the previous round's events (queueing, and whether NOTIFY still wakes
    it). Goal: p99 < 250 ms.

Results are printed and written to benchmarks/results/dispatch-<date>.json.
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
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _common import write_results
from _dispatch_knn import create_units, measure_nearest
from _host import CpuMeter, durability, local_cluster, stop_local_cluster, with_database
from intake import prepare
from sereno.settings import load_settings

# The officer's unit (lon, lat): the middle of the north-west sector; no bulk unit within 150 m.
SPOT = (-79.0405, -8.1005)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--units", type=int, default=10_000, help="units on duty for (1) (default 10000)")
    p.add_argument("--queries", type=int, default=2_000,
                   help="nearest-unit queries timed in (1) (default 2000)")
    p.add_argument("--rounds", type=int, default=200, help="P1 reports timed in (2) (default 200)")
    p.add_argument("--busy-rounds", type=int, default=100,
                   help="P1 reports sent while the worker still works on the previous round (default 100)")
    p.add_argument("--warmup-rounds", type=int, default=5, help="untimed P1 reports before (2) (default 5)")
    p.add_argument("--seed", type=int, default=20261122)
    return p.parse_args()


async def run(args: argparse.Namespace) -> int:
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    given = os.environ.get("DATABASE_URL")
    admin_dsn, started_cluster = (given, False) if given else local_cluster()
    # Importing sereno's database module makes Piccolo connect to DATABASE_URL there and then (to check the
    # server version), so phase (2) is imported only once it names the cluster in use.
    os.environ["DATABASE_URL"] = admin_dsn
    from _dispatch_e2e import measure_end_to_end

    scratch = f"sereno_bench_dispatch_{os.getpid()}"
    dsn = with_database(admin_dsn, scratch)
    media = Path(tempfile.mkdtemp(prefix="sereno-bench-dispatch-"))
    rng = random.Random(args.seed)
    settings = load_settings({}).dispatch
    started = datetime.now(UTC)
    admin = await asyncpg.connect(admin_dsn)
    try:
        pg = await durability(admin)
        tenant_id, postmaster = await prepare(admin, scratch, dsn)
        conn = await asyncpg.connect(dsn)
        try:
            print(f"(1) {args.units} units on duty, {args.queries} nearest-unit queries ...", flush=True)
            units = await create_units(conn, tenant_id, count=args.units, keep_clear=SPOT, rng=rng)
        finally:
            await conn.close()
        nearest = await CpuMeter(postgres=postmaster).measure(
            measure_nearest(dsn, tenant_id, queries=args.queries, rng=rng, settings=settings))
        print(f"(2) real server, {args.rounds} P1 reports (+{args.warmup_rounds} warm-up) ...", flush=True)
        e2e = await measure_end_to_end(dsn, tenant_id, spot=SPOT, media=media, rounds=args.rounds,
                                       busy_rounds=args.busy_rounds, warmup=args.warmup_rounds, rng=rng,
                                       postmaster=postmaster)
    finally:
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"could not drop the scratch database {scratch}: {exc!r}", file=sys.stderr)
        await admin.close()
        shutil.rmtree(media, ignore_errors=True)
        if started_cluster:
            stop_local_cluster()

    results = {
        "date": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "machine": {"cpus": os.cpu_count(), "arch": platform.machine()},
        "postgres": pg,
        "units": units,
        "nearest_available": nearest,
        "end_to_end": e2e,
    }
    print_table(results)
    print(f"results: {write_results('dispatch', results).relative_to(ROOT)}")
    return 0


def _row(label: str, s: dict, goal: float | None = None) -> str:
    def f(v: float | None) -> str:
        return f"{v:9.2f}" if v is not None else f"{'-':>9}"

    verdict = "" if goal is None else ("   met" if s["p99"] is not None and s["p99"] < goal else "   NOT met")
    return f"  {label:<56}{s['n']:>6}{f(s['p50'])}{f(s['p99'])}{f(s['max'])}{verdict}"


def print_table(r: dict) -> None:
    pg, n, e = r["postgres"], r["nearest_available"], r["end_to_end"]
    head = f"  {'':<56}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(f"\nmachine: {r['machine']['cpus']} CPUs; PostgreSQL {pg['server_version'].split()[0]} "
          f"fsync={pg['fsync']} synchronous_commit={pg['synchronous_commit']}; run took {r['seconds']:.0f} s")
    print(f"\n(1) nearest available unit: {r['units']['units']} units on duty, one warmed connection "
          f"(first query on a new connection: {n['first_query_on_new_connection_ms']:.1f} ms)")
    print(head)
    print(_row("auto-dispatch (limit 3), end to end from Python", n["auto_dispatch_limit_3"], 5.0))
    print(_row("recommendations (limit 24), end to end", n["recommend_limit_24"]))
    print(_row("server execution time (EXPLAIN ANALYZE)", n["server_execution_ms_200_queries"]))
    for name, plan in (("custom", n["explain_custom_plan"]), ("generic", n["explain_generic_plan"])):
        print(f"  EXPLAIN (ANALYZE, BUFFERS), {name} plan: planning {plan['planning_ms']} ms, "
              f"execution {plan['execution_ms']} ms")
        for line in plan["index_lines"] or ["(no index scan in this plan)"]:
            print(f"    {line}")
    print(f"  GiST index: {n['gist_index']}")
    print(_row("control: SELECT 1 after each query, same connection", n["select_1_control"]))
    b = n["knn_vs_brute_force"]
    print(f"  KNN vs brute force ({b['checked']} queries, limit 24): same order as sphere distance "
          f"{b['same_order_as_sphere_distance']}, same nearest unit as spheroid distance "
          f"{b['same_nearest_as_spheroid_distance']}")
    print(f"  cores used: {n['cores']}")

    for name, how in (("idle", "each report sent when the outbox is idle"),
                      ("busy", "each report sent 0-30 ms after the previous clear, worker still busy")):
        if name in e:
            _print_rounds(e[name], how)
    print(f"  warm-up rounds (ms): {e['warmup_rounds']}")
    print(f"  socket messages: {e['socket_messages']}; "
          f"push service refused: {len(e['push_service_rejected'])}")


def _print_rounds(e: dict, how: str) -> None:
    print(f"\n(2) end to end on the real server, {e['rounds']} P1 reports: {how}")
    print(f"  {'':<56}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    print(_row("POST /api/v1/reports -> 201", e["post_to_201_ms"]))
    print(_row("POST sent -> assignment.created on WebSocket", e["post_to_websocket_ms"], 250.0))
    print(_row("POST sent -> push received and decrypted", e["post_to_push_ms"], 250.0))
    print("  stages, ms after the POST was sent (server times from the outbox rows):")
    for s in e["stages_ms_after_post"]:
        print(_row("  " + s["stage"], s))
    print("  hops inside the worker, per round:")
    for h in e["hops_ms"]:
        print(_row("  " + h["hop"], h))
    print(f"  missed rounds: {len(e['missed'])}; picked up by the 5 s poll instead of NOTIFY: "
          f"{len(e['picked_up_by_poll_not_notify'])} {e['picked_up_by_poll_not_notify'] or ''}; "
          f"cores used: {e['cores']}")


def main() -> None:
    args = parse_args()
    try:
        sys.exit(asyncio.run(run(args)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit(130)
    except RuntimeError as exc:  # a failed step (migration, server start, a refused request); cleaned up
        sys.exit(f"benchmark failed: {exc}")


if __name__ == "__main__":
    main()
