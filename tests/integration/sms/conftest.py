"""SMS tests: an app with the gateway's auth token set, and a gateway that signs as Twilio does (with
Twilio's own ``RequestValidator``, not Sereno's code). Each test texts from a number of its own."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sereno.app import create_app
from sereno.core import db as core_db
from twilio.request_validator import RequestValidator

from tests.support.fixtures import build_settings, running
from tests.support.staff import Session, create_staff, login

AUTH_TOKEN = "twilio-auth-token-for-tests"
CITY_NUMBER = "+51944000111"
PATH = "/api/v1/sms/inbound"
SIGNED_URL = "http://testserver.local" + PATH  # SERENO_PUBLIC_URL in tests


@dataclass
class Gateway:
    client: httpx.AsyncClient
    sender: str

    def form(self, body: str | None, *, sid: str | None = None, **extra: str) -> dict[str, str]:
        form = {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": self.sender,
                "To": CITY_NUMBER, "NumMedia": "0", "FromCountry": "PE", **extra}
        if body is not None:
            form["Body"] = body
        return {k: v for k, v in form.items() if v is not None}

    async def post(self, form: dict[str, str], *, token: str = AUTH_TOKEN, url: str = SIGNED_URL,
                   signature: str | None = None) -> httpx.Response:
        signed = signature if signature is not None else RequestValidator(token).compute_signature(url, form)
        return await self.client.post(PATH, data=form, headers={"X-Twilio-Signature": signed})

    async def text(self, body: str, **options) -> httpx.Response:
        return await self.post(self.form(body, sid=options.pop("sid", None)), **options)


@pytest.fixture(scope="session")
async def sms_client(media_dir: Path, city: int, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(build_settings(media_dir, SERENO_SMS_AUTH_TOKEN=AUTH_TOKEN,
                                    SERENO_SMS_NUMBERS=f"{CITY_NUMBER}=tst,+51944999999=nowhere"))
    async with running(app) as sms:
        yield sms


@pytest.fixture
def gateway(sms_client: httpx.AsyncClient) -> Gateway:
    return Gateway(client=sms_client, sender=f"+51 9{random.randrange(10**7, 10**8)}")


@pytest.fixture(scope="session")
async def dispatcher(client: httpx.AsyncClient, city: int) -> Session:
    async with core_db.connection() as conn:
        member = await create_staff(conn, tenant_id=city, role="dispatcher", full_name="Despacho SMS")
    return await login(client, member)


async def incidents_from(sender: str) -> list[dict]:
    async with core_db.connection() as conn:
        rows = await conn.fetch(
            "SELECT i.id, i.code, i.status, i.priority, i.source, i.description, i.callback_due_at, i.tenant, "
            "c.code AS category, ST_Y(i.location::geometry) AS lat, ST_X(i.location::geometry) AS lon, "
            "s.code AS sector, rc.phone, rc.callback_wanted "
            "FROM incident i JOIN reporter_contact rc ON rc.incident = i.id JOIN category c ON c.id = i.category "
            "LEFT JOIN sector s ON s.id = i.sector WHERE rc.phone = $1 ORDER BY i.id", sender)
    return [dict(r) for r in rows]
