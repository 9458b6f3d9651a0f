"""What benchmarks/intake.py needs from this machine: the durable local cluster, a scratch database, the real
server as a subprocess, and the CPU time each party used during a phase."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg

__all__ = [
    "CpuMeter",
    "code_version",
    "durability",
    "free_port",
    "local_cluster",
    "migrate",
    "postmaster_of",
    "start_server",
    "stop_local_cluster",
    "stop_server",
    "wait_healthy",
    "with_database",
]

ROOT = Path(__file__).resolve().parents[1]
SERENO = Path(sys.executable).parent / "sereno"
# scripts/run's durable cluster (the test cluster of scripts/test runs with fsync off); both ports can be moved
# with the same variables as the scripts, so that two checkouts on one machine keep their clusters apart.
LOCAL_PORT = int(os.environ.get("SERENO_LOCAL_PG_PORT", "54329"))
_TCK = os.sysconf("SC_CLK_TCK")


def code_version() -> dict[str, str | bool | None]:
    """The commit measured, and whether backend/ had uncommitted changes (figures move with the code)."""

    def git(*args: str) -> str | None:
        out = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
        return out.stdout.strip() if out.returncode == 0 else None

    return {"commit": git("rev-parse", "--short", "HEAD"),
            "backend_dirty": bool(git("status", "--porcelain", "--", "backend"))}


# ------------------------------------------------------------------------------------------- database

def _lib(script: str) -> str:
    cmd = f'source "{ROOT}/scripts/lib.sh" && {script}'
    return subprocess.run(["bash", "-c", cmd], check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def local_cluster() -> tuple[str, bool]:
    """Start the cluster the way scripts/run does; its DSN, and whether this run started it."""
    with socket.socket() as s:
        was_running = s.connect_ex(("127.0.0.1", LOCAL_PORT)) == 0
    return _lib(f'start_local_cluster run {LOCAL_PORT} && echo "$DATABASE_URL"'), not was_running


def stop_local_cluster() -> None:
    _lib('d="$(readlink -f "$(_cluster_dir run)")" && '
         '_as_pg "$PGBIN/pg_ctl" -D "$d/data" stop -m fast -w >/dev/null')


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


async def durability(conn: asyncpg.Connection) -> dict[str, str]:
    names = ["fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "server_version"]
    return {name: await conn.fetchval(f"SHOW {name}") for name in names}


def migrate(dsn: str) -> None:
    env = {**os.environ, "DATABASE_URL": dsn, "SERENO_LOG_LEVEL": "warning"}
    out = subprocess.run([SERENO, "db", "migrate"], env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"sereno db migrate failed:\n{out.stdout}{out.stderr}")


async def postmaster_of(conn: asyncpg.Connection) -> int | None:
    """The postmaster's pid when the database runs on this machine (its backends are its children)."""
    backend = await conn.fetchval("SELECT pg_backend_pid()")
    with contextlib.suppress(OSError, IndexError, ValueError):
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return None


# ------------------------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> asyncio.subprocess.Process:
    with log.open("wb") as out:  # the child keeps its own descriptor
        return await asyncio.create_subprocess_exec(
            SERENO, "run", "--port", str(port), "--workers", str(workers), env=env, cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # own group: one signal stops all


async def wait_healthy(url: str, proc: asyncio.subprocess.Process, log: Path, timeout: float = 60) -> None:
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
    """Cores used by process trees (server, postgres), by this process with its children (the load), and by
    the whole machine; ``other`` is what the rest of the machine used meanwhile (noise)."""

    def __init__(self, **roots: int | None) -> None:
        self.roots = {name: pid for name, pid in roots.items() if pid}

    def snapshot(self) -> dict[str, float]:
        table = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                    # utime, stime and those of reaped children: a backend that exited is not lost
                    table[int(entry.name)] = (int(fields[1]), sum(map(int, fields[11:15])))
        snap = {"wall": time.monotonic()}
        for name, root in self.roots.items():
            tree, ticks = {root}, 0
            for pid in sorted(table):  # a child's pid is larger than its parent's, barring wrap-around
                if pid in tree or table[pid][0] in tree:
                    tree.add(pid)
                    ticks += table[pid][1]
            snap[name] = ticks / _TCK
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        snap["client"] = sum(u.ru_utime + u.ru_stime for u in usage)
        cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        snap["machine"] = (sum(cpu) - cpu[3] - cpu[4]) / _TCK  # all but idle and iowait
        return snap

    @staticmethod
    def cores(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        wall = after["wall"] - before["wall"]
        used = {k: round((after[k] - before[k]) / wall, 2) for k in after if k != "wall" and k in before}
        ours = sum(v for k, v in used.items() if k != "machine")
        used["other"] = round(max(0.0, used["machine"] - ours), 2)
        return used

    async def measure(self, coro) -> dict:
        before = self.snapshot()
        result = await coro
        result["cores"] = self.cores(before, self.snapshot())
        return result
