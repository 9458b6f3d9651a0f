"""Intake benchmark: reports/s through the whole intake path, against raw inserts and a trivial endpoint.

    .venv/bin/python benchmarks/intake.py [--seconds N] [--workers W] [--concurrency C] [--client wrk|aiohttp]

One run, one database cluster, durable commits: (2) raw asyncpg INSERTs of the incident row the intake
writes, one row per transaction; (4) GET /healthz and (5) POST /api/v1/reports on the real server
(``sereno run``); (6) p50/p99 latency of an open-loop load at half the rate of (5). The goal of the issue is
(5) / min((2), (4)) >= 0.5. Results are printed and written to benchmarks/results/intake-<date>.json.
Without DATABASE_URL the project-local durable cluster of scripts/run (port 54329) is used; a scratch
database is created, migrated and dropped again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _load import closed_loop, ensure_wrk, open_loop, random_point  # noqa: E402
from sereno.core.geo import point_ewkt  # noqa: E402
from sereno.settings import load_settings  # noqa: E402
from tests.support.builders import MID_LAT, MID_LON, TEST_CITY, create_city, report_body  # noqa: E402

LOCAL_PORT = 54329
SERENO = Path(sys.executable).parent / "sereno"
TCK = os.sysconf("SC_CLK_TCK")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10, help="measured seconds per phase (default 10)")
    p.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    p.add_argument("--concurrency", type=int, default=32, help="connections of the closed-loop load (default 32)")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each closed-loop phase")
    p.add_argument("--client", choices=["auto", "wrk", "aiohttp"], default="auto",
                   help="closed-loop load generator; auto: wrk (apt-installed when missing), else aiohttp")
    p.add_argument("--client-procs", type=int, default=os.cpu_count() or 1, help="aiohttp load processes")
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="extra environment for the server, e.g. SERENO_DB_POOL_SIZE=32 (repeatable)")
    p.add_argument("--allow-non-durable", action="store_true", help="report a ratio even if fsync or commits are off")
    return p.parse_args()


# ------------------------------------------------------------------------------------------- database

def _cluster(script: str) -> str:
    cmd = f'source "{ROOT}/scripts/lib.sh" && {script}'
    return subprocess.run(["bash", "-c", cmd], check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def local_cluster() -> tuple[str, bool]:
    """The durable cluster of scripts/run: its DSN, and whether this run started it."""
    with socket.socket() as s:
        was_running = s.connect_ex(("127.0.0.1", LOCAL_PORT)) == 0
    return _cluster(f'start_local_cluster run {LOCAL_PORT} && echo "$DATABASE_URL"'), not was_running


def stop_local_cluster() -> None:
    _cluster('d="$(readlink -f "$(_cluster_dir run)")" && _as_pg "$PGBIN/pg_ctl" -D "$d/data" stop -m fast -w >/dev/null')


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


async def durability(conn: asyncpg.Connection) -> dict:
    names = ["fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "server_version"]
    return {name: await conn.fetchval(f"SHOW {name}") for name in names}


def migrate(dsn: str) -> None:
    env = {**os.environ, "DATABASE_URL": dsn, "SERENO_LOG_LEVEL": "warning"}
    out = subprocess.run([SERENO, "db", "migrate"], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"sereno db migrate failed:\n{out.stdout}{out.stderr}")


# ------------------------------------------------------------------------------------------- (2) raw inserts

# The incident row of reports/service.py `_INSERT`, alone: same columns, same code and point expressions.
_RAW = """
INSERT INTO incident (tenant, code, category, priority, status, source, location, accuracy_m, sector,
                      description, anonymous, tracking_token_hash, occurred_at, reported_at, updated_at)
VALUES ($1, $2 || lpad(sereno_next_report_number($1)::text, 6, '0'), $3, $4, 'new', 'app',
        ST_GeogFromText($5), $6, $7, $8, true, $9, NULL, $10, $10)
"""


async def raw_inserts(dsn: str, tenant_id: int, *, concurrency: int, seconds: float, warmup: float) -> dict:
    conns = await asyncio.gather(*(asyncpg.connect(dsn) for _ in range(concurrency)))
    try:
        c = conns[0]
        category = await c.fetchrow(
            "SELECT id, default_priority FROM category WHERE tenant = $1 AND code = $2",
            tenant_id, report_body()["category"])
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
                await conn.execute(_RAW, tenant_id, prefix, category["id"], category["default_priority"],
                                   point_ewkt(round(lon, 6), round(lat, 6)), 12.5, sector, description,
                                   os.urandom(32).hex(), datetime.now(UTC))
                if start <= time.monotonic() <= end:
                    done += 1

        await asyncio.gather(*(writer(conn, random.Random(i)) for i, conn in enumerate(conns)))
        return {"ok": done, "seconds": seconds, "rate": done / seconds, "statuses": {}, "errors": []}
    finally:
        await asyncio.gather(*(conn.close() for conn in conns))


# ------------------------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> asyncio.subprocess.Process:
    with open(log, "wb") as out:  # the child keeps its own descriptor
        return await asyncio.create_subprocess_exec(
            SERENO, "run", "--port", str(port), "--workers", str(workers), env=env, cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # own group: one signal stops all


async def wait_healthy(url: str, proc: asyncio.subprocess.Process, log: Path, timeout: float = 60) -> None:
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(url + "/healthz", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server not healthy after {timeout:.0f} s:\n{log.read_text()[-2000:]}")


async def stop_server(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=15)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()


# ------------------------------------------------------------------------------------------- CPU accounting

class CpuMeter:
    """CPU seconds of the server's and PostgreSQL's process trees and of this process with its children."""

    def __init__(self, **roots: int | None) -> None:
        self.roots = {name: pid for name, pid in roots.items() if pid}

    @staticmethod
    def _procs() -> dict[int, tuple[int, int]]:
        table = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                    table[int(entry.name)] = (int(fields[1]), sum(map(int, fields[11:15])))  # incl. reaped children
        return table

    def snapshot(self) -> dict[str, float]:
        table = self._procs()
        snap = {"wall": time.monotonic()}
        for name, root in self.roots.items():
            tree, ticks = {root}, 0
            for pid in sorted(table):  # children have larger pids, barring wrap-around
                if pid in tree or table[pid][0] in tree:
                    tree.add(pid)
                    ticks += table[pid][1]
            snap[name] = ticks / TCK
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        snap["client"] = sum(u.ru_utime + u.ru_stime for u in usage)
        cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        snap["machine"] = (sum(cpu) - cpu[3] - cpu[4]) / TCK
        return snap

    @staticmethod
    def cores(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        wall = after["wall"] - before["wall"]
        return {k: round((after[k] - before[k]) / wall, 2) for k in after if k != "wall" and k in before}


async def measured(meter: CpuMeter, coro) -> dict:
    before = meter.snapshot()
    result = await coro
    result["cores"] = CpuMeter.cores(before, meter.snapshot())
    return result


# ------------------------------------------------------------------------------------------- run

async def run(args: argparse.Namespace) -> int:
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    client = args.client
    if client in ("auto", "wrk") and not ensure_wrk():
        if client == "wrk":
            raise SystemExit("wrk is not installed and could not be installed with apt")
        client = "aiohttp"
    client = "wrk" if client == "auto" else client
    admin_dsn, started_cluster = (os.environ["DATABASE_URL"], False) if os.environ.get("DATABASE_URL") else local_cluster()
    scratch = f"sereno_bench_{os.getpid()}"
    dsn = with_database(admin_dsn, scratch)
    media = Path(tempfile.mkdtemp(prefix="sereno-bench-"))
    server = postmaster = None
    admin = await asyncpg.connect(admin_dsn)
    try:
        settings = await durability(admin)
        durable = settings["fsync"] == "on" and settings["synchronous_commit"] != "off"
        print(f"PostgreSQL {settings['server_version']}: fsync={settings['fsync']} synchronous_commit="
              f"{settings['synchronous_commit']} full_page_writes={settings['full_page_writes']}")
        if not durable and not args.allow_non_durable:
            print("durability is off: refusing to report a ratio (pass --allow-non-durable to run anyway)")
            return 2
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{scratch}"')
        migrate(dsn)
        conn = await asyncpg.connect(dsn)
        try:
            tenant_id = await create_city(conn, **TEST_CITY)
            # The per-tenant code sequence is created on first use, and that creation fails under concurrent
            # first reports (duplicate pg_class entry); draw one number so that no phase measures that race.
            await conn.fetchval("SELECT sereno_next_report_number($1)", tenant_id)
            backend = await conn.fetchval("SELECT pg_backend_pid()")
            with contextlib.suppress(OSError, IndexError):  # the postmaster, if the database is on this machine
                postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        finally:
            await conn.close()
        C, N = args.concurrency, args.seconds
        print(f"(2) raw inserts: {C} connections, {N:g} s ...", flush=True)
        raw = await measured(CpuMeter(postgres=postmaster),
                             raw_inserts(dsn, tenant_id, concurrency=C, seconds=N, warmup=args.warmup))

        env = {**os.environ, "DATABASE_URL": dsn, "SERENO_RATE_LIMIT_PER_MINUTE": "1000000000",
               "SERENO_DEFAULT_TENANT": TEST_CITY["slug"], "SERENO_LOG_LEVEL": "warning",
               "SERENO_MEDIA_DIR": str(media), **dict(kv.split("=", 1) for kv in args.server_env)}
        port, log = free_port(), media / "server.log"
        url = f"http://127.0.0.1:{port}"
        server = await start_server(env, port, args.workers, log)
        await wait_healthy(url, server, log)
        meter = CpuMeter(server=server.pid, postgres=postmaster)
        load = dict(concurrency=C, seconds=N, warmup=args.warmup, client=client, procs=args.client_procs)
        print(f"(4) GET /healthz: {client}, {C} connections, {N:g} s ...", flush=True)
        health = await measured(meter, closed_loop(url, "healthz", tag=f"h{os.getpid()}", **load))
        print(f"(5) POST /api/v1/reports: {client}, {C} connections, {N:g} s ...", flush=True)
        reports = await measured(meter, closed_loop(url, "report", tag=f"r{os.getpid()}", **load))
        rate = 0.5 * reports["rate"]
        print(f"(6) open loop at {rate:.0f} reports/s, {N:g} s ...", flush=True)
        latency = await measured(meter, open_loop(url, "report", rate=rate, seconds=N, max_conn=max(256, 4 * C),
                                                  tag=f"o{os.getpid()}")) if rate > 0 else {}
        server_log = log.read_text()
    finally:
        if server is not None:
            await stop_server(server)
        with contextlib.suppress(Exception):
            await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.close()
        subprocess.run(["rm", "-rf", str(media)], check=False)
        if started_cluster:
            stop_local_cluster()

    denominator = min(raw["rate"], health["rate"])
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "cpu": platform.processor() or platform.machine()},
        "postgres": settings, "durable": durable,
        "server": {"workers": args.workers, "pool_size": load_settings(env).db.pool_size, "env": args.server_env},
        "load": {"client": client, "concurrency": C, "seconds": N, "warmup": args.warmup,
                 "client_procs": args.client_procs if client == "aiohttp" else None},
        "raw_inserts": raw, "healthz": health, "reports": reports, "latency_at_half_rate": latency,
        "ratio": reports["rate"] / denominator if denominator else None,
        "server_log_tail": server_log[-2000:],
    }
    print_table(results)
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    path, n = out_dir / f"intake-{datetime.now().date()}.json", 1
    while path.exists():
        n += 1
        path = out_dir / f"intake-{datetime.now().date()}-{n}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {path.relative_to(ROOT)}")
    return 0 if all(not r.get("errors") for r in (raw, health, reports, latency)) else 1


def print_table(r: dict) -> None:
    pg, load, lat = r["postgres"], r["load"], r["latency_at_half_rate"]
    print(f"\nmachine: {r['machine']['cpus']} CPUs; PostgreSQL {pg['server_version']} fsync={pg['fsync']} "
          f"synchronous_commit={pg['synchronous_commit']}; server: {r['server']['workers']} workers, pool "
          f"{r['server']['pool_size']}/worker; load: {load['client']}, concurrency {load['concurrency']}, "
          f"{load['seconds']:g} s per phase")
    print(f"{'phase':<34}{'rate /s':>10}{'non-2xx':>9}   cores: server postgres client machine")
    for label, res in (("(2) raw INSERT, 1 row/transaction", r["raw_inserts"]), ("(4) GET /healthz", r["healthz"]),
                       ("(5) POST /api/v1/reports", r["reports"]), ("(6) open loop at half of (5)", lat)):
        if not res:
            continue
        cores = res["cores"]
        bad = sum(v for k, v in res["statuses"].items() if k not in ("200", "201"))
        print(f"{label:<34}{res['rate']:>10.0f}{bad:>9}   " + "".join(
            f"{cores.get(k, float('nan')):>7.2f}" for k in ("server", "postgres", "client", "machine")))
        for error in res.get("errors", []):
            print(f"    error: {error}")
    if lat:
        print(f"latency at {lat['target_rate']:.0f}/s (from scheduled send): p50 {lat['p50_ms']:.1f} ms, "
              f"p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms (client send lag p99 "
              f"{lat['send_lag_p99_ms']:.1f} ms)")
    ratio = r["ratio"]
    verdict = "" if r["durable"] else " (NOT durable: not comparable)"
    print(f"ratio (5)/min((2),(4)) = {ratio:.2f}  goal >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}{verdict}")


def main() -> None:
    args = parse_args()
    try:
        sys.exit(asyncio.run(run(args)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit(130)


if __name__ == "__main__":
    main()
