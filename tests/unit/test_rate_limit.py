"""The anonymous-write budget: a fixed window per client, Retry-After until the window ends."""

from __future__ import annotations

from sereno.core.ratelimit import FixedWindow, MemoryCounter, client_key


class _Clock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


async def test_a_client_over_its_budget_waits_until_the_window_ends():
    clock = _Clock(600.0 + 15.2)  # 15.2 s into a one-minute window
    limiter = FixedWindow(limit=2, window_s=60, counter=MemoryCounter(), now=clock)
    assert [await limiter.check("10.0.0.1") for _ in range(3)] == [None, None, 45]
    clock.at = 600.0 + 59.5
    assert await limiter.check("10.0.0.1") == 1  # never "retry after 0 seconds"


async def test_the_next_window_gives_a_fresh_budget():
    clock = _Clock(600.0)
    limiter = FixedWindow(limit=1, window_s=60, counter=MemoryCounter(), now=clock)
    assert await limiter.check("10.0.0.1") is None
    assert await limiter.check("10.0.0.1") == 60
    clock.at = 660.0
    assert await limiter.check("10.0.0.1") is None


async def test_each_client_has_its_own_budget():
    limiter = FixedWindow(limit=1, window_s=60, counter=MemoryCounter(), now=_Clock(600.0))
    assert await limiter.check("10.0.0.1") is None
    assert await limiter.check("10.0.0.2") is None
    assert await limiter.check("10.0.0.1") == 60


def test_client_key_is_the_peer_address_whatever_x_forwarded_for_says():
    scope = {"client": ("10.0.0.9", 5123), "headers": [(b"x-forwarded-for", b"203.0.113.7, 198.51.100.2")]}
    assert client_key(scope) == "10.0.0.9"  # a client could write any X-Forwarded-For it likes
