"""Fixtures for dispatch: the "dsp" tenant, its console staff and officers, a desk on the session app and
one on an app whose clock the test moves (timers and SLAs without sleeping)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from sereno.app import create_app
from sereno.core import db as core_db
from sereno.core.clock import FixedClock, SystemClock
from tests.integration.dispatch.desk import TENANT, Console, Desk, Officer
from tests.support.builders import create_city
from tests.support.fixtures import build_settings, running
from tests.support.staff import create_staff, login

_OFFICERS = ("Agente Rosa Huamán", "Agente Luis Mendoza", "Agente Ana Torres")


@pytest.fixture(scope="session")
async def dispatch_city(client: httpx.AsyncClient) -> int:
    async with core_db.connection() as conn:
        existing = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TENANT["slug"])
        return existing or await create_city(conn, **TENANT)


@pytest.fixture(scope="session")
async def console(client: httpx.AsyncClient, dispatch_city: int) -> Console:
    async with core_db.connection() as conn:
        people = {role: await create_staff(conn, tenant_id=dispatch_city, role=role,
                                           full_name=f"{role.title()} Dsp")
                  for role in ("dispatcher", "supervisor", "analyst")}
        officers = [await create_staff(conn, tenant_id=dispatch_city, role="officer", full_name=name)
                    for name in _OFFICERS]
    sessions = {role: await login(client, member) for role, member in people.items()}
    seated = [Officer(id=o.id, full_name=name, session=await login(client, o))
              for o, name in zip(officers, _OFFICERS, strict=True)]
    return Console(**sessions, officers=tuple(seated))


@pytest.fixture
async def quiet_city(app: Litestar, client: httpx.AsyncClient, dispatch_city: int) -> None:
    """Every test starts with no unit of "dsp" on duty and nothing waiting in the outbox, so the nearest-unit
    searches see only the units the test places."""
    async with core_db.connection() as conn:
        await conn.execute(
            "UPDATE assignment SET status = 'cancelled', ended_at = now() WHERE tenant_id = $1 "
            "AND status IN ('assigned', 'acknowledged', 'en_route', 'on_scene')", dispatch_city)
        await conn.execute(
            "UPDATE unit SET status = 'off_duty', emergency = false WHERE tenant = $1", dispatch_city)
    await app.state.worker.drain()


@pytest.fixture
async def desk(app: Litestar, client: httpx.AsyncClient, dispatch_city: int, console: Console,
               quiet_city: None) -> Desk:
    assert isinstance(app.state.clock, SystemClock)
    return Desk(client=client, worker=app.state.worker, clock=app.state.clock,
                settings=app.state.settings.dispatch, tenant_id=dispatch_city, console=console)


@pytest.fixture
async def clocked(media_dir: Path, client: httpx.AsyncClient, dispatch_city: int, console: Console,
                  quiet_city: None) -> AsyncIterator[Desk]:
    """A desk on an app of its own whose clock stands still until the test advances it."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(build_settings(media_dir), clock=clock)
    async with running(app) as clocked_client:
        yield Desk(client=clocked_client, worker=app.state.worker, clock=clock,
                   settings=app.state.settings.dispatch, tenant_id=dispatch_city, console=console)
