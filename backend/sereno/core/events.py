"""Live events for the console and the field app: written to the outbox in the state change's transaction,
published on the channels backend (PostgreSQL NOTIFY or Redis) by the worker, carried to WebSockets by
Litestar's channels plugin. Clients must not rely on order across events: several workers publish.

Channel names: ``t<tenant>.console`` (every staff console of the tenant) and ``t<tenant>.unit<id>`` (the
officers of one unit). Messages are ``{"type", "at", "data"}`` JSON, small enough for PostgreSQL NOTIFY.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import asyncpg

from sereno.core import outbox

__all__ = [
    "TOPIC",
    "SESSION_ENDED",
    "emit",
    "emit_many",
    "payloads",
    "console_channel",
    "unit_channel",
    "account_channel",
]

SESSION_ENDED = "session.ended"

TOPIC = "realtime.publish"


def console_channel(tenant_id: int) -> str:
    return f"t{tenant_id}.console"


def unit_channel(tenant_id: int, unit_id: int) -> str:
    return f"t{tenant_id}.unit{unit_id}"


def account_channel(tenant_id: int, account_id: int) -> str:
    """Every socket of one staff account listens here (e.g. to close when the session ends)."""
    return f"t{tenant_id}.account{account_id}"


async def emit(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    type: str,
    data: Any,
    console: bool = True,
    unit_ids: Iterable[int] = (),
    account_ids: Iterable[int] = (),
) -> None:
    await emit_many(
        conn,
        tenant_id=tenant_id,
        type=type,
        items=[data],
        console=console,
        unit_ids=unit_ids,
        account_ids=account_ids,
    )


async def emit_many(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    type: str,
    items: Iterable[Any],
    console: bool = True,
    unit_ids: Iterable[int] = (),
    account_ids: Iterable[int] = (),
) -> None:
    """One event per item, all to the same channels, written in one statement."""
    live = payloads(
        tenant_id=tenant_id,
        type=type,
        items=items,
        console=console,
        unit_ids=unit_ids,
        account_ids=account_ids,
    )
    await outbox.enqueue_many(conn, topic=TOPIC, payloads=live, tenant_id=tenant_id)


def payloads(
    *,
    tenant_id: int,
    type: str,
    items: Iterable[Any],
    console: bool = True,
    unit_ids: Iterable[int] = (),
    account_ids: Iterable[int] = (),
) -> list[dict[str, Any]]:
    """The live events of ``emit_many`` as they are published: ``{"channels", "message"}``, one per item.

    An outbox handler whose events follow from a change that is already committed may publish them itself
    (``realtime.channels.Publisher``) instead of writing them to the outbox: its own message is marked done
    only after they went out, so they are still sent at least once."""
    channels = [console_channel(tenant_id)] if console else []
    channels += [unit_channel(tenant_id, unit_id) for unit_id in unit_ids]
    channels += [account_channel(tenant_id, account_id) for account_id in account_ids]
    at = datetime.now(UTC).isoformat()
    # ``data`` may be a msgspec struct: it is encoded to JSON as it is, without a copy as builtins.
    return [{"channels": channels, "message": {"type": type, "at": at, "data": data}} for data in items]
