"""Mixed-load benchmark: the highest constant arrival rate the API serves with p99 < 250 ms, 1 and 2 processes.

    .venv/bin/python benchmarks/load.py [--seconds N] [--start R] [--factor F] [--processes 1,2] [--units 500]

The load (benchmarks/_mixed.py, open loop, latency from each request's scheduled time): ``--units`` officers'
units each posting their position every ``--position-every`` seconds (500 units every 15 s: 33 requests/s,
always on), and at a constant rate R per second the citizens', dispatchers' and public's requests in the
proportions of ``--mix``: citizen reports without a photo, reports with a 1600x1200 JPEG (upload target, bytes,
confirmation, report: timed end to end), the dispatch console's queue (GET /api/v1/incidents, 200 rows) and the
public feed (GET /api/v1/public/incidents). A tenth of the reports are P1, so the outbox worker also
auto-dispatches.

For each server layout, R starts at ``--start`` and grows by ``--factor`` while every operation keeps its p99
under 250 ms and fewer than 0.1 % of requests fail; one more step between the last rate that held and the
first that did not narrows the answer. Layouts: 1 API process with the outbox worker inside (the one-command
set-up), and 2 API processes (``SERENO_WORKERS=2``) with the worker as its own ``sereno worker`` process. Each
layout gets a fresh scratch database on the durable cluster (DATABASE_URL's, or scripts/run's), seeded with
the test city, the units and their officers, 10 dispatchers and ``--public-items`` published incidents.

Printed per step: throughput, p50/p99 per operation, errors, and the CPU cores used by the API, the worker,
PostgreSQL, the load generator itself (it shares the machine: on 2 CPUs it takes a real part of it) and
anything else ("other": if not near zero, the run was disturbed). Results: benchmarks/results/load-<date>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _common import write_results
from _host import (
    SERENO,
    CpuMeter,
    code_version,
    durability,
    free_port,
    local_cluster,
    start_server,
    stop_local_cluster,
    stop_server,
    wait_healthy,
    with_database,
)
from _mixed import OPERATIONS
from intake import prepare
from PIL import Image, ImageFilter
from public import _SEED as PUBLIC_SEED  # the public benchmark's published incidents, spread over the city

from tests.support.builders import EAST, NORTH, SOUTH, TEST_CITY, WEST

GOAL_P99_MS = 250.0
MAX_ERROR_SHARE = 0.001
_TOKEN_S = 6 * 3600  # tokens outlive the run (the server's own default is 15 min)
_NOISE_CORES = 0.2


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=20, help="measured seconds per step (default 20)")
    p.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before each step (default 3)")
    p.add_argument("--start", type=float, default=50, help="first rate R, requests/s besides positions")
    p.add_argument("--factor", type=float, default=1.5, help="R grows by this factor while it holds")
    p.add_argument("--max-rate", type=float, default=5000)
    p.add_argument("--refine", type=int, default=2,
                   help="steps between the last rate that held and the first that did not (default 2)")
    p.add_argument("--processes", default="1,2", help="API process counts to measure (default 1,2)")
    p.add_argument("--units", type=int, default=500, help="units on duty posting positions (default 500)")
    p.add_argument("--position-every", type=float, default=15.0, help="seconds between a unit's positions")
    p.add_argument("--mix", default="report=0.15,report_photo=0.05,console=0.30,public=0.50",
                   help="shares of R per operation")
    p.add_argument("--public-items", type=int, default=5000, help="published incidents (default 5000)")
    p.add_argument("--generators", type=int, default=1, help="load generator processes (default 1)")
    p.add_argument("--port", type=int, default=0, help="API port (default: any free one)")
    return p.parse_args()


# ------------------------------------------------------------------------------------------- set-up

async def seed(dsn: str, tenant_id: int, *, units: int, public_items: int, secret: str) -> dict:
    """Officers in units on duty, dispatchers, published incidents; access tokens minted with the server's
    secret (logging 500 officers in would measure argon2, not the API)."""
    # Imported here, once DATABASE_URL names the cluster: importing sereno's database module connects to it.
    from sereno.accounts.auth import issue_tokens
    from tests.support.staff import create_staff, create_unit

    conn = await asyncpg.connect(dsn)
    try:
        officers = [await create_staff(conn, tenant_id=tenant_id, role="officer") for _ in range(units)]
        for i, officer in enumerate(officers):
            spot = {"lon": WEST + (EAST - WEST) * ((i * 7919) % 1000) / 1000,
                    "lat": SOUTH + (NORTH - SOUTH) * ((i * 104729) % 1000) / 1000}
            await create_unit(conn, tenant_id=tenant_id, members=(officer,), position=spot)
        dispatchers = [await create_staff(conn, tenant_id=tenant_id, role="dispatcher") for _ in range(10)]

        async def token(account_id: int) -> str:
            session = secrets.token_urlsafe(24)
            await conn.execute(
                "INSERT INTO staff_session (id, account, expires_at) "
                "VALUES ($1, $2, now() + make_interval(secs => $3))", session, account_id, float(_TOKEN_S))
            access, _ = issue_tokens(secret.encode(), account_id=account_id, session_id=session,
                                     access_s=_TOKEN_S, refresh_s=_TOKEN_S)
            return access

        await conn.execute(PUBLIC_SEED, tenant_id, WEST, EAST, SOUTH, NORTH, public_items)
        await conn.execute("INSERT INTO public_feed_state (tenant_id, version) VALUES ($1, 1) "
                           "ON CONFLICT (tenant_id) DO NOTHING", tenant_id)
        await conn.execute("VACUUM ANALYZE")
        return {"officer_tokens": [await token(o.id) for o in officers],
                "dispatcher_tokens": [await token(d.id) for d in dispatchers]}
    finally:
        await conn.close()


def photo_file(folder: Path) -> Path:
    """A photo as the citizen app sends it: 1600 px on the long side, JPEG quality 80 (~160 KB)."""
    path = folder / "photo.jpg"
    Image.effect_noise((1600, 1200), 40).convert("RGB").filter(ImageFilter.GaussianBlur(2)).save(
        path, "JPEG", quality=80)
    return path


class Layout:
    """The API as ``processes`` uvicorn processes; with more than one, the outbox worker as its own process."""

    def __init__(self, processes: int, env: dict[str, str], port: int, logs: Path) -> None:
        self.processes, self.port, self.logs = processes, port, logs
        self.env = {**env, "SERENO_WORKER_IN_PROCESS": "true" if processes == 1 else "false"}
        self.server = self.worker = None
        self.url = f"http://127.0.0.1:{port}"

    @property
    def name(self) -> str:
        return ("1 API process, outbox worker inside" if self.processes == 1
                else f"{self.processes} API processes + 1 outbox worker process")

    async def start(self) -> None:
        self.server = await start_server(self.env, self.port, self.processes, self.logs / "server.log")
        await wait_healthy(self.url, self.server, self.logs / "server.log")
        if self.processes > 1:
            with (self.logs / "worker.log").open("wb") as out:
                self.worker = await asyncio.create_subprocess_exec(
                    SERENO, "worker", env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True)

    async def stop(self) -> None:
        for proc in (self.worker, self.server):
            if proc is not None:
                await stop_server(proc)


# ------------------------------------------------------------------------------------------- steps

async def generate(url: str, rate: float, args: argparse.Namespace, tokens: dict, photo: Path,
                   folder: Path) -> dict:
    """Run the load generators (child processes) for one step; their results merged."""
    n, start_at = args.generators, time.time() + 1.0
    mix = dict((k, float(v)) for k, v in (part.split("=") for part in args.mix.split(",")))
    procs = []
    for i in range(n):
        spec = {
            "url": url, "rate": rate / n, "offset_s": i / rate, "mix": mix, "seconds": args.seconds,
            "warmup_s": args.warmup, "start_at": start_at, "seed": i, "tag": f"{os.getpid()}-{rate:g}-{i}",
            "officer_tokens": tokens["officer_tokens"][i::n], "dispatcher_tokens": tokens["dispatcher_tokens"],
            "position_every_s": args.position_every, "photo": str(photo), "max_connections": 1000,
            "category": "noise_disturbance", "p1_category": "robbery_assault", "p1_share": 0.1,
        }  # fmt: skip
        path = folder / f"spec-{i}.json"
        path.write_text(json.dumps(spec))
        procs.append(await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "benchmarks" / "_mixed.py"), str(path), stdout=subprocess.PIPE))
    try:
        outs = [(await p.communicate())[0] for p in procs]
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
    if any(p.returncode for p in procs):
        raise RuntimeError("a load generator failed")
    return merge([json.loads(out) for out in outs], rate=rate, args=args)


def merge(parts: list[dict], *, rate: float, args: argparse.Namespace) -> dict:
    """One step's figures: per operation n, p50, p99, statuses; throughput; the verdict."""
    # Percentiles of the parts cannot be merged exactly; with one generator (the default) there is one part,
    # with several the worst part's p99 is kept (conservative).
    ops = {}
    for op in OPERATIONS:
        shares = [p["operations"][op] for p in parts if p["operations"][op]["n"] or p["operations"][op]["statuses"]]
        if not shares:
            continue
        statuses: dict[str, int] = {}
        for s in shares:
            for k, v in s["statuses"].items():
                statuses[k] = statuses.get(k, 0) + v
        ops[op] = {"n": sum(s["n"] for s in shares), "rate": round(statuses.get("ok", 0) / args.seconds, 1),
                   "p50": max((s["p50"] or 0) for s in shares), "p99": max((s["p99"] or 0) for s in shares),
                   "max": max((s["max"] or 0) for s in shares), "statuses": statuses}
    total = sum(sum(o["statuses"].values()) for o in ops.values())
    failed = sum(v for o in ops.values() for k, v in o["statuses"].items() if k != "ok")
    slow = [op for op, o in ops.items() if o["n"] and o["p99"] >= GOAL_P99_MS]
    share = failed / total if total else 1.0
    return {
        "rate": rate,
        "positions_per_s": round(args.units / args.position_every, 1),
        "throughput": round((total - failed) / args.seconds, 1),
        "operations": ops,
        "errors": failed,
        "error_share": round(share, 5),
        "lag_p99_ms": max((p["lag_ms"]["p99"] or 0) for p in parts),
        "error_samples": [e for p in parts for e in p["errors"]][:8],
        "held": not slow and share < MAX_ERROR_SHARE,
        "slow": slow,
    }


async def settle(dsn: str, timeout: float = 60.0) -> int:
    """Wait (up to ``timeout``) for the outbox worker to deliver what the last step queued; what is left."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout
        while True:
            left = await conn.fetchval(
                "SELECT count(*) FROM outbox_event WHERE done_at IS NULL AND available_at <= now()")
            if left == 0 or time.monotonic() > deadline:
                return left
            await asyncio.sleep(0.5)
    finally:
        await conn.close()


def print_step(step: dict) -> None:
    c = step["cores"]
    verdict = "held" if step["held"] else "NOT held (" + ", ".join(
        [f"p99 >= {GOAL_P99_MS:g} ms: {', '.join(step['slow'])}"] * bool(step["slow"])
        + [f"errors {step['error_share']:.2%}"] * (step["error_share"] >= MAX_ERROR_SHARE)) + ")"
    print(f"  R = {step['rate']:g}/s (+ {step['positions_per_s']:g} positions/s): throughput "
          f"{step['throughput']:g} req/s, errors {step['errors']} ({step['error_share']:.3%}), generator lag "
          f"p99 {step['lag_p99_ms']:.1f} ms; cores: api {c.get('server', 0):.2f} worker {c.get('worker', 0):.2f} "
          f"postgres {c.get('postgres', 0):.2f} generator {c.get('client', 0):.2f} other {c.get('other', 0):.2f}"
          f"  -> {verdict}")
    for op, o in step["operations"].items():
        print(f"      {op:<13} {o['rate']:>7.1f}/s  p50 {o['p50']:>7.1f} ms  p99 {o['p99']:>7.1f} ms"
              f"  max {o['max']:>7.1f} ms  {o['statuses']}")
    for sample in step["error_samples"][:3]:
        print(f"      error: {sample}")
    if step.get("backlog"):
        print(f"      outbox events still undelivered 60 s after the step: {step['backlog']}")


async def measure_layout(processes: int, args: argparse.Namespace, admin: asyncpg.Connection, admin_dsn: str,
                         folder: Path) -> dict:
    scratch = f"sereno_bench_load_{os.getpid()}_{processes}"
    dsn = with_database(admin_dsn, scratch)
    secret = secrets.token_urlsafe(48)
    env = {**os.environ, "DATABASE_URL": dsn, "SERENO_SECRET_KEY": secret,
           "SERENO_RATE_LIMIT_PER_MINUTE": "1000000000", "SERENO_DEFAULT_TENANT": TEST_CITY["slug"],
           "SERENO_LOG_LEVEL": "warning", "SERENO_MEDIA_DIR": str(folder / f"media-{processes}")}
    layout = Layout(processes, env, args.port or free_port(), folder)
    steps: list[dict] = []
    print(f"\n{layout.name}: {args.units} units posting positions every {args.position_every:g} s; "
          f"R = the other requests ({args.mix})", flush=True)
    try:
        tenant_id, postmaster = await prepare(admin, scratch, dsn)
        tokens = await seed(dsn, tenant_id, units=args.units, public_items=args.public_items, secret=secret)
        await layout.start()
        meter = CpuMeter(server=layout.server.pid, worker=layout.worker.pid if layout.worker else None,
                         postgres=postmaster)
        photo = photo_file(folder)
        held = failed = None
        rate, refinements = args.start, 0
        while rate <= args.max_rate:
            step = await meter.measure(generate(layout.url, rate, args, tokens, photo, folder))
            step["backlog"] = await settle(dsn)
            steps.append(step)
            print_step(step)
            if step["held"]:
                held = rate
            else:
                failed = rate
            if failed is None:
                rate = round(rate * args.factor)
                continue
            # Bisect between the last rate that held and the first that did not, a few steps at most.
            if held is None or failed - held <= max(5, 0.1 * held) or refinements >= args.refine:
                break
            rate, refinements = round((held + failed) / 2), refinements + 1
    finally:
        await layout.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    best = max((s for s in steps if s["held"]), key=lambda s: s["rate"], default=None)
    return {"processes": processes, "layout": layout.name, "steps": steps,
            "highest_rate": best["rate"] if best else None,
            "highest_total_rate": round(best["rate"] + best["positions_per_s"], 1) if best else None}


async def run(args: argparse.Namespace) -> int:
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    given = os.environ.get("DATABASE_URL")
    admin_dsn, started_cluster = (given, False) if given else local_cluster()
    os.environ["DATABASE_URL"] = admin_dsn
    folder = Path(tempfile.mkdtemp(prefix="sereno-bench-load-"))
    admin = await asyncpg.connect(admin_dsn)
    layouts = []
    try:
        pg = await durability(admin)
        print(f"PostgreSQL {pg['server_version']}: fsync={pg['fsync']} "
              f"synchronous_commit={pg['synchronous_commit']}; {os.cpu_count()} CPUs", flush=True)
        for processes in (int(p) for p in args.processes.split(",")):
            layouts.append(await measure_layout(processes, args, admin, admin_dsn, folder))
    finally:
        await admin.close()
        shutil.rmtree(folder, ignore_errors=True)
        if started_cluster:
            stop_local_cluster()
    print()
    for layout in layouts:
        rate = layout["highest_rate"]
        answer = (f"R = {rate:g}/s, {layout['highest_total_rate']:g} requests/s with the positions" if rate
                  else f"none (not even R = {args.start:g}/s)")
        print(f"highest rate with every p99 < {GOAL_P99_MS:g} ms and errors < {MAX_ERROR_SHARE:.1%}, "
              f"{layout['layout']}: {answer}")
    steps = [s for layout in layouts for s in layout["steps"]]
    generator = max((s["cores"].get("client", 0) for s in steps), default=0)
    print(f"the load generator itself used up to {generator:.2f} of the {os.cpu_count()} CPUs during a step")
    disturbed = any(s["cores"].get("other", 0) > _NOISE_CORES for s in steps)
    if disturbed:
        print(f"WARNING: other processes used more than {_NOISE_CORES} cores during a step: figures disturbed")
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "machine": {"cpus": os.cpu_count(), "arch": platform.machine(), "python": platform.python_version()},
        "postgres": pg,
        "args": vars(args),
        "goal": {"p99_ms": GOAL_P99_MS, "max_error_share": MAX_ERROR_SHARE},
        "layouts": layouts,
        "generator_cores_max": generator,
        # other processes took CPU the measured parties needed: the figures are not clean
        "disturbed": disturbed,
        "command": " ".join([".venv/bin/python", "benchmarks/load.py", *sys.argv[1:]]),
    }
    print(f"results: {write_results('load', results).relative_to(ROOT)}")
    return 0


def main() -> None:
    args = parse_args()
    try:
        sys.exit(asyncio.run(run(args)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit(130)
    except (RuntimeError, OSError) as exc:
        sys.exit(f"benchmark failed: {exc}")


if __name__ == "__main__":
    main()
