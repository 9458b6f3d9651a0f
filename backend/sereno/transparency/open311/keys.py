"""API keys of Open311 client applications: issued by an administrator (``sereno open311 key create``),
required for POST, revoked by turning them inactive. Looked up on every POST (no cache), so a revocation
takes effect at once."""

from __future__ import annotations

import hashlib
import secrets

import msgspec

from sereno.core import db
from sereno.tenants.schemas import TenantInfo
from sereno.transparency.open311 import queries
from sereno.transparency.open311.errors import Open311Error

__all__ = ["ClientInfo", "authenticate", "create_client", "key_hash", "list_clients", "revoke_client"]

_PREFIX = "o311_"


class ClientInfo(msgspec.Struct, frozen=True):
    id: int
    name: str
    key_prefix: str
    active: bool


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_client(*, tenant_id: int, name: str) -> tuple[int, str]:
    """A new client and its key (returned once; only its hash is stored)."""
    key = _PREFIX + secrets.token_urlsafe(32)
    async with db.connection() as conn:
        client_id = await conn.fetchval(queries.CREATE_CLIENT, tenant_id, name, key_hash(key), key[:12])
    return client_id, key


async def authenticate(*, tenant: TenantInfo, api_key: str | None) -> int:
    """The client id behind ``api_key``, which must be active and issued for this tenant; 403 otherwise."""
    if not api_key:
        raise Open311Error(403, "api_key_missing")
    if len(api_key) > 200:
        raise Open311Error(403, "api_key_invalid")
    async with db.connection() as conn:
        row = await conn.fetchrow(queries.CLIENT_BY_KEY, key_hash(api_key))
    if row is None or row["tenant_id"] != tenant.id:
        raise Open311Error(403, "api_key_invalid")
    return row["id"]


async def list_clients(*, tenant_id: int) -> list[ClientInfo]:
    async with db.connection() as conn:
        rows = await conn.fetch(queries.LIST_CLIENTS, tenant_id)
    return [
        ClientInfo(id=r["id"], name=r["name"], key_prefix=r["key_prefix"], active=r["active"]) for r in rows
    ]


async def revoke_client(*, tenant_id: int, client_id: int) -> bool:
    async with db.connection() as conn:
        status = await conn.execute(queries.REVOKE_CLIENT, tenant_id, client_id)
    return status.endswith(" 1")
