"""The worker's sweep for requests past their deadline: each is flagged once (``overdue_at``, a timeline
entry) and the console hears of it live. The inbox computes "overdue" from the deadline itself, so a request
is shown late even before the sweep reaches it; the flag is the record of when it became late."""

from __future__ import annotations

import logging

from sereno.core import db, events, outbox
from sereno.core.clock import Clock
from sereno.participation import queries as q
from sereno.participation.service import LIVE_EVENT

__all__ = ["OVERDUE_TOPIC", "OVERDUE_EVERY_S", "handlers", "flag_overdue"]

log = logging.getLogger("sereno.participation")

OVERDUE_TOPIC = "maintenance.participation_overdue"
OVERDUE_EVERY_S = 300
_BATCH = 500


async def flag_overdue(*, clock: Clock) -> int:
    """Flag what became late since the last sweep; returns how many requests were flagged."""
    flagged = 0
    while True:
        async with db.transaction() as conn:
            rows = await conn.fetch(q.MARK_OVERDUE, clock.now(), _BATCH)
            for row in rows:
                await events.emit(
                    conn,
                    tenant_id=row["tenant"],
                    type=LIVE_EVENT,
                    data={
                        "id": row["id"],
                        "code": row["code"],
                        "overdue": True,
                        "department_id": row["department"],
                    },
                )
        flagged += len(rows)
        if len(rows) < _BATCH:
            break
    if flagged:
        log.info("%s participation requests passed their deadline unanswered", flagged)
    return flagged


def handlers(clock: Clock) -> dict[str, outbox.Handler]:
    async def sweep(message: outbox.OutboxMessage) -> None:
        await flag_overdue(clock=clock)
        async with db.transaction() as conn:
            await outbox.enqueue(
                conn, topic=OVERDUE_TOPIC, payload={}, tenant_id=None, delay_s=OVERDUE_EVERY_S
            )

    return {OVERDUE_TOPIC: sweep}
