"""Alarm tests: a city of their own ("alm", so nearest-unit searches see only the units placed here), a
payment processor (silent POS alarms) and a sensor network with their devices, and a dispatcher."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from litestar import Litestar
from sereno.alarms import partners
from sereno.core import db as core_db

from tests.integration.alarms.partner import PartnerApi, Site
from tests.support.builders import create_city
from tests.support.staff import Session, create_staff, create_unit, login

CITY = {"slug": "alm", "name": "Ciudad Alarma", "prefix": "ALM"}
SHOP = {"lat": -8.1050, "lon": -79.0350}
NEAR_SHOP = {"lat": -8.1060, "lon": -79.0355}


@dataclass(frozen=True)
class Desk:
    """The command center of "alm"."""

    tenant_id: int
    dispatcher: Session
    analyst: Session


@pytest.fixture(scope="session")
async def alarm_city(client: httpx.AsyncClient) -> int:
    async with core_db.connection() as conn:
        existing = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", CITY["slug"])
        return existing or await create_city(conn, **CITY)


@pytest.fixture(scope="session")
async def desk(client: httpx.AsyncClient, alarm_city: int) -> Desk:
    async with core_db.connection() as conn:
        dispatcher = await create_staff(conn, tenant_id=alarm_city, role="dispatcher", full_name="Despacho Alm")
        analyst = await create_staff(conn, tenant_id=alarm_city, role="analyst", full_name="Analista Alm")
    return Desk(tenant_id=alarm_city, dispatcher=await login(client, dispatcher), analyst=await login(client, analyst))


@pytest.fixture
async def quiet(app: Litestar, alarm_city: int) -> None:
    """No unit of "alm" on duty and nothing waiting in the outbox."""
    async with core_db.connection() as conn:
        await conn.execute(
            "UPDATE assignment SET status = 'cancelled', ended_at = now() WHERE tenant_id = $1 "
            "AND status IN ('assigned', 'acknowledged', 'en_route', 'on_scene')", alarm_city)
        await conn.execute("UPDATE unit SET status = 'off_duty' WHERE tenant = $1", alarm_city)
    await app.state.worker.drain()


async def new_partner(app: Litestar, client: httpx.AsyncClient, tenant_id: int, *, kind: str = "alarm",
                      callback_url: str = "") -> PartnerApi:
    partner_id, _, key = await partners.create_partner(
        tenant_id=tenant_id, name=f"Procesadora {uuid.uuid4().hex[:6]}", kind=kind, callback_url=callback_url,
        secret=app.state.secret_key)
    return PartnerApi(client=client, partner_id=partner_id, key=key)


async def new_site(partner: PartnerApi, *, at: dict[str, float] = SHOP, heartbeat_s: int = 0,
                   name: str = "Bodega San Martín") -> Site:
    device_id = f"POS-{uuid.uuid4().hex[:8]}"
    await partners.add_device(partner_id=partner.partner_id, device_id=device_id, name=name, lat=at["lat"],
                              lon=at["lon"], now=datetime.now(UTC), phone="+51 944 000 111",
                              heartbeat_s=heartbeat_s)
    return Site(device_id=device_id, name=name, lat=at["lat"], lon=at["lon"])


@pytest.fixture
async def processor(app: Litestar, client: httpx.AsyncClient, alarm_city: int) -> PartnerApi:
    return await new_partner(app, client, alarm_city)


@pytest.fixture
async def sensors(app: Litestar, client: httpx.AsyncClient, alarm_city: int) -> PartnerApi:
    return await new_partner(app, client, alarm_city, kind="sensor")


@pytest.fixture
async def shop(processor: PartnerApi) -> Site:
    return await new_site(processor)


async def admin_headers(client: httpx.AsyncClient, tenant_id: int) -> dict[str, str]:
    """The login headers of a new administrator of the city."""
    async with core_db.connection() as conn:
        member = await create_staff(conn, tenant_id=tenant_id, role="admin")
    return (await login(client, member)).headers


async def place_unit(tenant_id: int, at: dict[str, float] = NEAR_SHOP) -> int:
    async with core_db.connection() as conn:
        return await create_unit(conn, tenant_id=tenant_id, position=at)
