"""A PostgreSQL cluster of a drill's own, which the drill may stop and start at will: the shared test cluster
(scripts/test, port 54330) serves every other test and person on the machine and is never touched.

Started with the flags of scripts/lib.sh ``start_local_cluster`` in its ``fast`` mode. As root, the server
runs as the ``postgres`` OS user (it refuses to run as root) from a data folder that user owns.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

import asyncpg

from tests.support.processes import free_port

__all__ = ["PORTS", "Cluster"]

PORTS = range(54360, 54370)
_PGBIN = Path("/usr/lib/postgresql/15/bin")


class Cluster:
    def __init__(self) -> None:
        self.port = free_port(PORTS)
        self.root = Path(tempfile.mkdtemp(prefix="sereno-drill-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    async def _run(self, *args: str) -> None:
        command = [str(_PGBIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{output.decode(errors='replace')}")

    async def create(self) -> Cluster:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        await self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8")
        for attempt in range(3):
            try:
                await self.start()
                return self
            except RuntimeError:  # another run took the port meanwhile
                if attempt == 2:
                    raise
                self.port = free_port(PORTS)
        return self

    async def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=100 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        await self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    async def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session (their clients see the connection close), as a restart does."""
        await self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    async def create_database(self, name: str) -> str:
        conn = await asyncpg.connect(self.url("postgres"))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        conn = await asyncpg.connect(self.url(name))
        try:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        finally:
            await conn.close()
        return self.url(name)

    async def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                await self.stop("immediate")
            except RuntimeError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
