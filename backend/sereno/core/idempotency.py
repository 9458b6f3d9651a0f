"""Exactly-once writes keyed by the client's ``Idempotency-Key``.

The key is claimed with an insert in the same transaction as the write it protects. A concurrent retry blocks
on the unique index until the first transaction ends, then finds the committed record: the original response
comes back and nothing is created twice. A crash before commit leaves no record, so the retry simply runs.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import asyncpg
import msgspec

from sereno.core import db, outbox
from sereno.core.errors import BadRequest, Unprocessable

__all__ = [
    "Replay",
    "validate_key",
    "request_hash",
    "claim",
    "store_response",
    "PURGE_TOPIC",
    "purge_handlers",
]

_KEY_RE = re.compile(r"^[\x21-\x7e]{8,200}$")


class Replay(msgspec.Struct, frozen=True):
    status_code: int
    response: dict[str, Any]


def validate_key(key: str | None) -> str:
    if not key:
        raise BadRequest("idempotency_key_required")
    if not _KEY_RE.match(key):
        raise BadRequest("idempotency_key_invalid")
    return key


def request_hash(body: msgspec.Struct) -> str:
    """A hash of the decoded request, so that re-serialising the same JSON differently still matches."""
    return hashlib.sha256(msgspec.json.encode(body, order="deterministic")).hexdigest()


_CLAIM = """
INSERT INTO idempotency_record (tenant_id, scope, key, request_hash, status_code, response)
VALUES ($1, $2, $3, $4, 0, 'null'::jsonb)
ON CONFLICT (tenant_id, scope, key) DO NOTHING
RETURNING id
"""
_EXISTING = """
SELECT request_hash, status_code, response::text AS response FROM idempotency_record
WHERE tenant_id = $1 AND scope = $2 AND key = $3
"""
_STORE = "UPDATE idempotency_record SET status_code = $2, response = $3::jsonb WHERE id = $1"


async def claim(
    conn: asyncpg.Connection, *, tenant_id: int, scope: str, key: str, body_hash: str
) -> int | Replay:
    """Claim the key inside the caller's transaction: its record id, or the earlier response to replay."""
    record_id = await conn.fetchval(_CLAIM, tenant_id, scope, key, body_hash)
    if record_id is not None:
        return record_id
    row = await conn.fetchrow(_EXISTING, tenant_id, scope, key)
    if row["request_hash"] != body_hash:
        raise Unprocessable("idempotency_key_reused")
    return Replay(status_code=row["status_code"], response=msgspec.json.decode(row["response"]))


async def existing(
    conn: asyncpg.Connection, *, tenant_id: int, scope: str, key: str, body_hash: str
) -> Replay | None:
    """The earlier response to replay if the key was claimed before (422 if for another body), else None;
    claims nothing."""
    row = await conn.fetchrow(_EXISTING, tenant_id, scope, key)
    if row is None:
        return None
    if row["request_hash"] != body_hash:
        raise Unprocessable("idempotency_key_reused")
    return Replay(status_code=row["status_code"], response=msgspec.json.decode(row["response"]))


async def store_response(conn: asyncpg.Connection, record_id: int, status_code: int, response: Any) -> None:
    await conn.execute(_STORE, record_id, status_code, msgspec.json.encode(response).decode())


# A phone may keep an offline report for days before it is sent; keys are remembered well beyond that.
RETENTION_DAYS = 30
PURGE_TOPIC = "maintenance.purge_idempotency"
PURGE_EVERY_S = 6 * 3600.0


def purge_handlers() -> dict[str, outbox.Handler]:
    async def purge(message: outbox.OutboxMessage) -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "DELETE FROM idempotency_record WHERE created_at < now() - make_interval(days => $1)",
                RETENTION_DAYS,
            )
            await outbox.enqueue(conn, topic=PURGE_TOPIC, payload={}, tenant_id=None, delay_s=PURGE_EVERY_S)

    return {PURGE_TOPIC: purge}
