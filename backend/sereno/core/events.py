"""Live events for the console and the field app, sent in the state change's transaction (a NOTIFY delivered
at commit, or an outbox row published by the worker when the channels backend is Redis), carried to
WebSockets by Litestar's channels plugin.

Channel names: ``t<tenant>.console`` (every staff console of the tenant) and ``t<tenant>.unit<id>`` (the
officers of one unit). Messages are ``{"type", "at", "data"}`` JSON, small enough for PostgreSQL NOTIFY.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec

from sereno.core import outbox

__all__ = ["TOPIC", "SESSION_ENDED", "configure", "emit", "console_channel", "unit_channel", "account_channel"]

SESSION_ENDED = "session.ended"

TOPIC = "realtime.publish"


def console_channel(tenant_id: int) -> str:
    return f"t{tenant_id}.console"


def unit_channel(tenant_id: int, unit_id: int) -> str:
    return f"t{tenant_id}.unit{unit_id}"


def account_channel(tenant_id: int, account_id: int) -> str:
    """Every socket of one staff account listens here (e.g. to close when the session ends)."""
    return f"t{tenant_id}.account{account_id}"


# PostgreSQL channels backend: live events go out with a transactional NOTIFY at commit (no outbox hop).
# With Redis (several hosts) they go through the outbox worker, which publishes on Redis.
_direct_notify = True
_NOTIFY_LIMIT = 7500  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more


def configure(*, direct_notify: bool) -> None:
    global _direct_notify
    _direct_notify = direct_notify


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
    channels = [console_channel(tenant_id)] if console else []
    channels += [unit_channel(tenant_id, unit_id) for unit_id in unit_ids]
    channels += [account_channel(tenant_id, account_id) for account_id in account_ids]
    message = {"type": type, "at": datetime.now(UTC).isoformat(), "data": msgspec.to_builtins(data)}
    await outbox.enqueue(
        conn, topic=TOPIC, payload={"channels": channels, "message": message}, tenant_id=tenant_id
    )
