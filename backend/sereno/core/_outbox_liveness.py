"""How outbox workers tell they are alive, so that a dead worker's claims need not wait out their lease.

A running worker holds a session-level advisory lock on its LISTEN connection, with a random key it writes on
every row it claims (``outbox_event.claimed_by``). When the process dies or PostgreSQL ends its session the
lock goes with it, and any worker's next sweep makes those claims due again at once.
"""

from __future__ import annotations

import logging
import secrets

import asyncpg

from sereno.core import db

__all__ = ["hold_claimant_key", "release_orphans"]

log = logging.getLogger("sereno.outbox")

# Claims (still leased, not done) of workers whose advisory lock nobody holds: their session has ended. A bigint
# advisory key shows in pg_locks as classid (high half) and objid (low half), with objsubid 1.
_RELEASE_ORPHANS = """
UPDATE outbox_event SET leased_until = NULL, claimed_by = NULL
WHERE done_at IS NULL AND claimed_by IS NOT NULL AND leased_until > now() AND topic = ANY($1::text[])
  AND claimed_by NOT IN (
      SELECT (l.classid::bigint << 32) | l.objid::bigint FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
  )
"""


def _new_key() -> int:
    return secrets.randbits(62) | 1 << 40  # above 2**32, so that it never meets a hashtext() key


async def hold_claimant_key(conn: asyncpg.Connection) -> int:
    """Take a free advisory lock on ``conn`` (held as long as the connection lives) and return its key."""
    key = _new_key()
    while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
        key = _new_key()
    return key


async def release_orphans(topics: list[str]) -> None:
    """Make the claims of dead workers on ``topics`` due again."""
    async with db.connection() as conn:
        released = await conn.execute(_RELEASE_ORPHANS, topics)
    if released != "UPDATE 0":
        log.warning(
            "outbox worker: %s events claimed by a worker that died are due again", released.split()[-1]
        )
