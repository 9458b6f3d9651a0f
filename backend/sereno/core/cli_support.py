"""What the domains' command groups share: running a coroutine with the database pool open, and naming a
tenant by its slug. (The top-level ``sereno`` command lives in sereno.cli.)"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

__all__ = ["run_with_pool", "tenant_id"]

T = TypeVar("T")


def run_with_pool(work: Callable[[], Awaitable[T]]) -> T:
    """``work()`` on a fresh event loop with the pool started from the validated settings."""
    from sereno.cli import _settings
    from sereno.core import db as core_db

    settings = _settings()

    async def run() -> T:
        await core_db.start_pool(settings)
        try:
            return await work()
        finally:
            await core_db.stop_pool()

    return asyncio.run(run())


async def tenant_id(slug: str) -> int:
    """The tenant's id, or a CLI error naming the unknown slug."""
    from sereno.core.errors import NotFound
    from sereno.tenants.service import get_tenant

    try:
        return (await get_tenant(slug=slug)).id
    except NotFound:
        raise click.ClickException(f"unknown tenant: {slug}") from None
