"""Sereno as separate processes (``sereno run``, ``sereno worker``), for tests that crash, restart or run
several of them: ports from the range kept for such servers, start-up awaited from the log, SIGKILL as a
crash, and the log kept for the assertion messages. Whoever starts one stops it (``stop`` is safe to repeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Iterable, Mapping

__all__ = ["PORTS", "free_port", "SerenoProcess"]

PORTS = range(18100, 18200)
_START_S = 60.0  # generous: other test runs may share the machine's two CPUs
_READY_LINE = "Uvicorn running on"  # logged only once the lifespan (pool, worker, channels) has started


def free_port(ports: Iterable[int] = PORTS) -> int:
    """A port of ``ports`` nothing listens on now; the scan starts at a place that depends on the process,
    so that two test runs on one machine rarely race for the same one."""
    ports = list(ports)
    offset = os.getpid() % len(ports)
    for port in ports[offset:] + ports[:offset]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports[0]}-{ports[-1]}")


class SerenoProcess:
    """One ``python -m sereno <command>`` process with ``env`` over the test's environment."""

    def __init__(self, *command: str, env: Mapping[str, str], port: int | None = None) -> None:
        self.command = command
        self.port = port
        self.env = {**os.environ, **env, "SERENO_LOG_FORMAT": "text"}
        if port is not None:
            self.env |= {"SERENO_PORT": str(port), "SERENO_PUBLIC_URL": f"http://127.0.0.1:{port}"}
        self.log: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task | None = None

    @classmethod
    def api(cls, *, env: Mapping[str, str], port: int | None = None) -> SerenoProcess:
        port = port or free_port()
        return cls("run", "--host", "127.0.0.1", "--port", str(port), env=env, port=port)

    @classmethod
    def worker(cls, *, env: Mapping[str, str]) -> SerenoProcess:
        return cls("worker", env=env)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> SerenoProcess:
        """Start it; an API server is awaited until it listens (its lifespan has run)."""
        assert not self.running, "already running"
        self.log.append(f"--- start {' '.join(self.command)}\n")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "sereno", *self.command, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        ready = asyncio.get_running_loop().create_future() if self.port is not None else None
        self._reader = asyncio.create_task(self._read(self._process, ready))
        if ready is not None:
            try:
                await asyncio.wait_for(ready, timeout=_START_S)
            except BaseException:
                await self.stop()
                raise
        return self

    async def _read(self, process: asyncio.subprocess.Process, ready: asyncio.Future | None) -> None:
        assert process.stdout is not None
        while line := (await process.stdout.readline()).decode(errors="replace"):
            self.log.append(line)
            if ready is not None and not ready.done() and _READY_LINE in line:
                ready.set_result(None)
        if ready is not None and not ready.done():
            ready.set_exception(RuntimeError(f"sereno {self.command[0]} exited:\n{self.tail()}"))

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the machine or the OOM killer takes the process."""
        assert self._process is not None and self.running, "not running"
        self._process.send_signal(signal.SIGKILL)
        await self._finish()
        self.log.append("--- killed\n")

    async def stop(self) -> None:
        """SIGTERM (a graceful shutdown), SIGKILL if that takes too long."""
        if self._process is None:
            return
        if self.running:
            self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), timeout=15)
            except TimeoutError:
                self._process.kill()
        await self._finish()

    async def _finish(self) -> None:
        assert self._process is not None
        await self._process.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, timeout=5)

    def tail(self, lines: int = 60) -> str:
        return "".join(self.log[-lines:])

    def errors(self) -> list[str]:
        """Lines logged at ERROR or above (an unhandled exception in a request, a worker's unexpected error)."""
        return [line for line in self.log if line.startswith(("ERROR", "CRITICAL"))]
