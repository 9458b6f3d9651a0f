"""Staff-side test data in one place: accounts of every role, units on duty, logins and their tokens.

Accounts are inserted as rows with one argon2 hash computed once per test session: hashing is slow on purpose,
and the login endpoint (which verifies the hash) is what the tests exercise, not the hashing of each account.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from litestar import Litestar

from sereno.accounts.service import hash_password
from sereno.core.geo import point_ewkt
from tests.support.builders import INSIDE
from tests.support.fixtures import decode

__all__ = [
    "PASSWORD", "ROLES", "StaffMember", "Session", "password_hash", "create_staff", "create_unit", "login",
    "auth", "new_address", "client_from", "incident_body", "create_incident", "assign_units", "field_action",
]

PASSWORD = "clave-de-prueba-bastante-larga"
ROLES = ("officer", "dispatcher", "supervisor", "analyst", "admin", "clerk")


@functools.cache
def password_hash() -> str:
    """The hash of ``PASSWORD``, computed once per session and shared by every test account."""
    return hash_password(PASSWORD)


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    role: str


async def create_staff(
    conn: asyncpg.Connection, *, tenant_id: int, role: str, agency: str = "serenazgo", active: bool = True,
    full_name: str = "",
) -> StaffMember:
    """An account that logs in with ``PASSWORD``."""
    username = f"{role}-{uuid.uuid4().hex[:10]}"
    account_id = await conn.fetchval(
        "INSERT INTO staff_account (tenant, username, full_name, role, agency, password_hash, active) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        tenant_id, username, full_name or f"{role.title()} de Prueba", role, agency, password_hash(), active,
    )
    return StaffMember(id=account_id, username=username, role=role)


async def create_unit(
    conn: asyncpg.Connection, *, tenant_id: int, members: tuple[StaffMember, ...] = (),
    agency: str = "serenazgo", status: str = "available", position: dict[str, float] = INSIDE,
) -> int:
    """A unit on duty (``status``) with a position received just now and ``members`` riding in it."""
    unit_id = await conn.fetchval(
        "INSERT INTO unit (tenant, call_sign, agency, kind, status, emergency, location, "
        "position_accuracy_m, position_device_at, position_received_at, on_duty_since, version) "
        "VALUES ($1, $2, $3, 'car', $4, false, ST_GeogFromText($5), 10, now(), now(), now(), 1) RETURNING id",
        tenant_id, f"T{uuid.uuid4().hex[:8]}", agency, status, point_ewkt(position["lon"], position["lat"]),
    )
    for member in members:
        await conn.execute("INSERT INTO unit_member (unit, account, since) VALUES ($1, $2, now())",
                           unit_id, member.id)
    return unit_id


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Session:
    access_token: str
    refresh_token: str
    user: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.access_token)


async def login(client: httpx.AsyncClient, member: StaffMember | str, password: str = PASSWORD) -> Session:
    username = member if isinstance(member, str) else member.username
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body = decode(response)
    return Session(access_token=body["access_token"], refresh_token=body["refresh_token"], user=body["user"])


_hosts = itertools.count(1)


def new_address() -> str:
    """A client address no other test uses (TEST-NET-3), so that throttling by address stays per test."""
    n = next(_hosts)
    assert n < 255, "out of test addresses"
    return f"203.0.113.{n}"


@contextlib.asynccontextmanager
async def client_from(app: Litestar, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client calling from ``address`` (login throttling counts per address). The app must already be
    running: ask for the ``client`` fixture too."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


def incident_body(**overrides: Any) -> dict[str, Any]:
    """A call entered by a dispatcher: routine priority (no auto-dispatch), with the caller's contact."""
    body: dict[str, Any] = {
        "category": "suspicious_activity",
        "description": "Vecina llama: dos personas revisan autos estacionados en la cuadra 5.",
        "location": {**INSIDE, "accuracy_m": 20.0},
        "source": "phone",
        "contact": {"name": "Carmen Quispe", "phone": "+51 944 123 456", "callback_wanted": True},
    }
    body.update(overrides)
    return body


async def create_incident(client: httpx.AsyncClient, dispatcher: Session, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/incidents", json=incident_body(**overrides),
                                 headers=dispatcher.headers)
    assert response.status_code == 201, response.text
    return decode(response)


async def assign_units(client: httpx.AsyncClient, dispatcher: Session, incident_id: int,
                       *unit_ids: int) -> list[dict[str, Any]]:
    response = await client.post(f"/api/v1/incidents/{incident_id}/assignments",
                                 json={"unit_ids": list(unit_ids)}, headers=dispatcher.headers)
    assert response.status_code == 201, response.text
    return decode(response)


async def field_action(client: httpx.AsyncClient, officer: Session, assignment_id: int, action: str,
                       **body: Any) -> httpx.Response:
    """One tap in the field app, with a fresh ``action_id``."""
    return await client.post(f"/api/v1/field/assignments/{assignment_id}/{action}",
                             json={"action_id": str(uuid.uuid4()), **body}, headers=officer.headers)
