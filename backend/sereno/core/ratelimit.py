"""A fixed-window limit on anonymous writes, per client.

Litestar's ``RateLimitMiddleware`` keeps the timestamp of each of a client's recent requests in a list and
re-encodes that list into its store on every request, so its cost grows with the limit and the traffic. Here a
client costs one counter per window: an int in a dict (per process), or one ``INCR`` with its ``EXPIRE`` in
a Redis transaction (shared by every process). Windows are aligned to the clock, so a client may get up to
twice the limit across a window boundary: the budget is there to stop floods, not to meter.

The key is the client's address as the server sees it. Behind a reverse proxy listed in
``SERENO_TRUSTED_PROXIES`` uvicorn has already put the client the proxy named in its place (and ignores
``X-Forwarded-For`` from anyone else, which a client could otherwise write to choose its own key).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Protocol

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send
    from redis.asyncio import Redis

__all__ = ["Counter", "FixedWindow", "MemoryCounter", "RateLimitMiddleware", "RedisCounter", "client_key"]


class Counter(Protocol):
    async def hit(self, key: str, *, window: int, window_s: int) -> int:
        """Count one request of ``key`` in ``window``; the count so far, this one included."""
        ...


class MemoryCounter:
    """Counts of the current window in this process only (each worker process has its own budget)."""

    def __init__(self) -> None:
        self._window = -1
        self._counts: dict[str, int] = {}

    async def hit(self, key: str, *, window: int, window_s: int) -> int:
        if window != self._window:  # a new window: the old counts can go all at once
            self._window, self._counts = window, {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count


class RedisCounter:
    """Counts shared by every process: ``INCR`` and ``EXPIRE`` in one MULTI, so a key never outlives its
    window even if a process dies between the two."""

    def __init__(self, redis: Redis, *, namespace: str = "sereno-rl") -> None:
        self.redis = redis
        self.namespace = namespace

    async def hit(self, key: str, *, window: int, window_s: int) -> int:
        name = f"{self.namespace}:{window}:{key}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_s + 1)
            count, _ = await pipe.execute()
        return int(count)


class FixedWindow:
    """``limit`` requests per ``window_s`` seconds per key."""

    def __init__(
        self, *, limit: int, window_s: int, counter: Counter, now: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.counter = counter
        self.now = now

    async def check(self, key: str) -> int | None:
        """None if the request may pass; else the seconds until the window ends (for Retry-After)."""
        now = self.now()
        window = int(now // self.window_s)
        if await self.counter.hit(key, window=window, window_s=self.window_s) <= self.limit:
            return None
        return max(1, math.ceil((window + 1) * self.window_s - now))


def client_key(scope: Scope) -> str:
    """The client's address: the peer, or the client a trusted proxy named (SERENO_TRUSTED_PROXIES)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimitMiddleware(ASGIMiddleware):
    """Answers 429 with Retry-After (through the app's exception handlers) once a client's budget for the
    throttled routes is spent; other routes pass untouched."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, *, limiter: FixedWindow, throttled: Collection[tuple[str, str]]) -> None:
        self.limiter = limiter
        self.throttled = frozenset(throttled)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if (scope["method"], scope["path"].rstrip("/")) in self.throttled:
            retry_after = await self.limiter.check(client_key(scope))
            if retry_after is not None:
                raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})
        await next_app(scope, receive, send)
