"""Group commit of report intake: reports that arrive while the previous batch is being written share one
statement and one commit.

Under load each report's statement costs PostgreSQL and the server about as much to start, send, parse and
commit as it costs to write its rows; reports that would wait anyway (the previous batch is still committing)
are therefore written together, and each still gets its own row back: its code, or why it was not filed. A
lone report goes alone, through the same one-report statement as before, so a quiet system waits for nothing.

If a batch fails as a whole (the statement is one transaction: nothing of it was written), every report in it
is filed again on its own, so one report's error is only ever that report's. A key that appears twice in one
batch is claimed once, and the other request finds it claimed, exactly as two requests in two statements do.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from collections.abc import Sequence

import asyncpg

from sereno.core import db
from sereno.reports.queries import INTAKE, INTAKE_MANY

__all__ = ["file_report", "file_reports"]

log = logging.getLogger("sereno.reports")

# Enough to absorb every request of a busy process in one batch; a batch's statement stays a few ms long.
_MAX_BATCH = 64
# Batches in flight at once per process: while one commits, the next one is already being written.
_FLIGHTS = db.INTAKE_CONNECTIONS


async def file_reports(conn: asyncpg.Connection, rows: Sequence[tuple]) -> list[asyncpg.Record]:
    """One INTAKE_MANY for ``rows`` (each the arguments of INTAKE without photos): per row, in order, the
    same ``inside``, ``incident_id`` and ``code`` that INTAKE would return."""
    columns = list(zip(*rows, strict=True))
    del columns[14]  # photo ids: never in a batch
    return await conn.fetch(INTAKE_MANY, *columns)


class _Batcher:
    def __init__(self) -> None:
        self.pending: list[tuple[tuple, asyncio.Future]] = []
        self.flights = 0

    async def submit(self, args: tuple) -> asyncpg.Record | None:
        future = asyncio.get_running_loop().create_future()
        self.pending.append((args, future))
        if self.flights < _FLIGHTS:
            self.flights += 1
            # A fresh context: the flight serves many requests, so it must not carry this one's (its request id).
            asyncio.get_running_loop().create_task(self._fly(), context=contextvars.Context())
        return await future

    async def _fly(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending[:_MAX_BATCH], self.pending[_MAX_BATCH:]
                await self._write(batch)
        finally:
            self.flights -= 1

    @staticmethod
    async def _write(batch: list[tuple[tuple, asyncio.Future]]) -> None:
        results: Sequence[asyncpg.Record | None]
        try:
            async with db.intake_connection() as conn:
                if len(batch) == 1:
                    results = [await conn.fetchrow(INTAKE, *batch[0][0])]
                else:
                    results = await file_reports(conn, [args for args, _ in batch])
        except Exception as exc:  # noqa: BLE001 - nothing was written: each report is filed again alone
            if len(batch) > 1:
                log.warning("report batch of %s failed (%r): filing them one by one", len(batch), exc)
                results = [None] * len(batch)
            else:
                if not batch[0][1].done():
                    batch[0][1].set_exception(exc)
                return
        for (_, future), row in zip(batch, results, strict=True):
            if not future.done():  # the request may have been cancelled (client gone)
                future.set_result(row)


_batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batcher] = weakref.WeakKeyDictionary()


async def file_report(args: tuple) -> asyncpg.Record:
    """File one report without photos (INTAKE's arguments), in a batch with those arriving meanwhile."""
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(loop)
    if batcher is None:
        batcher = _batchers[loop] = _Batcher()
    row = await batcher.submit(args)
    if row is None:  # its batch failed: alone, so that an error is its own
        async with db.intake_connection() as conn:
            row = await conn.fetchrow(INTAKE, *args)
    return row
