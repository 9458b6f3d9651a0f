"""NOTIFYs of one process, coalesced: while one is on its way, the commits that want another get one more after
it, not one each. Every commit made before a call is still followed by a NOTIFY sent after that call, so no
wake-up is lost; under load a process sends about one per round trip instead of one per report. A failed
NOTIFY is only logged: the change is committed, and the worker also polls.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

import asyncpg

from sereno.core import db

__all__ = ["notify"]

log = logging.getLogger("sereno.outbox")


class _Notifier:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.sending = False
        self.again = False

    async def notify(self) -> None:
        if self.sending:
            self.again = True
            return
        self.sending = True
        try:
            while True:
                self.again = False
                async with db.connection() as conn:
                    await conn.execute(f"NOTIFY {self.channel}")
                if not self.again:
                    return
        except (db.DatabaseUnavailable, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("outbox: could not wake the worker (%r); it will find the events when it polls", exc)
        finally:
            self.sending = False


_notifiers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Notifier]] = (
    weakref.WeakKeyDictionary()
)


async def notify(channel: str) -> None:
    """NOTIFY ``channel`` after the caller's commit, coalesced with the other callers of this process."""
    by_channel = _notifiers.setdefault(asyncio.get_running_loop(), {})
    notifier = by_channel.get(channel)
    if notifier is None:
        notifier = by_channel[channel] = _Notifier(channel)
    await notifier.notify()
