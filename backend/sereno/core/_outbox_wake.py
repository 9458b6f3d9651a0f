"""Waking outbox workers after a commit. A process's own workers are woken directly; another process's (a
``sereno worker`` apart) by NOTIFY, coalesced: while one NOTIFY is on its way, the commits that want another
get one more after it, not one each. Every commit made before a call is still followed by a NOTIFY sent after
that call, so no wake-up is lost; under load a process sends about one per round trip instead of one per
report. A failed NOTIFY is only logged: the change is committed, and the worker also polls.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

import asyncpg

from sereno.core import db

__all__ = ["NOTIFY_CHANNEL", "notify", "running", "wake_after_commit", "waker"]

log = logging.getLogger("sereno.outbox")

NOTIFY_CHANNEL = "sereno_outbox"


class _Worker(Protocol):
    handlers: Collection[str]

    def wake(self) -> None: ...


# This process's running workers (each adds itself while it runs).
running: weakref.WeakSet[_Worker] = weakref.WeakSet()


async def wake_after_commit(topic: str | None = None) -> None:
    """Wake a worker after a commit that enqueued ``topic`` (None: any) without NOTIFY: this process's own
    workers for it directly; if it runs none (``sereno worker`` elsewhere), by a NOTIFY in a transaction of its
    own, which writes nothing and so never holds the notify lock across a durable commit, coalesced with the
    process's other wake-ups. Workers for other topics sleep on: a claim that finds nothing still costs an
    index scan."""
    woken = False
    for worker in list(running):
        if topic is None or topic in worker.handlers:
            worker.wake()
            woken = True
    if not woken:
        await notify(NOTIFY_CHANNEL)


@functools.cache
def waker(topic: str) -> Callable[[], Awaitable[None]]:
    """One callback per topic, so that a transaction enqueueing many events of a topic wakes its worker once."""

    async def wake() -> None:
        await wake_after_commit(topic)

    return wake


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
