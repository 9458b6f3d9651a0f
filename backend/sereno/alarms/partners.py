"""Registering partners, their keys and devices (``sereno alarms ...``, administrators only).

A partner has at most two valid keys: rotation issues a second one, the partner moves to it, and the old one
is revoked; both verify in between, so rotation needs no downtime. Revocation takes effect on the next
request (keys are looked up on every request, no cache)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import msgspec

from sereno.alarms import queries, signing
from sereno.core import db
from sereno.core.errors import Conflict, NotFound, Unprocessable

__all__ = [
    "MAX_VALID_KEYS",
    "KeyInfo",
    "add_device",
    "check_callback_url",
    "check_inside_area",
    "create_partner",
    "issue_key",
    "list_keys",
    "revoke_key",
    "set_mapping",
    "upsert_device",
]

MAX_VALID_KEYS = 2


class KeyInfo(msgspec.Struct, frozen=True):
    id: int
    fingerprint: str
    valid: bool


async def create_partner(
    *, tenant_id: int, name: str, kind: str, callback_url: str, secret: bytes
) -> tuple[int, KeyInfo, str]:
    """A partner and its first key (returned once)."""
    if kind not in ("alarm", "sensor"):
        raise Unprocessable("alarm_partner_kind_unknown")
    check_callback_url(callback_url)
    async with db.transaction() as conn:
        partner_id = await conn.fetchval(
            "INSERT INTO alarm_partner (tenant, name, kind, callback_url) VALUES ($1, $2, $3, $4) RETURNING id",
            tenant_id, name[:120], kind, callback_url,
        )
        info, key = await _new_key(conn, partner_id=partner_id, secret=secret)
    return partner_id, info, key


async def issue_key(*, partner_id: int, secret: bytes) -> tuple[KeyInfo, str]:
    """A further key (rotation); refused while the partner already has two valid keys."""
    async with db.transaction() as conn:
        if await conn.fetchval("SELECT 1 FROM alarm_partner WHERE id = $1 FOR UPDATE", partner_id) is None:
            raise NotFound("alarm_partner_unknown")
        valid = await conn.fetchval(
            "SELECT count(*) FROM alarm_partner_key WHERE partner = $1 AND revoked_at IS NULL", partner_id
        )
        if valid >= MAX_VALID_KEYS:
            raise Conflict("alarm_partner_has_two_keys")
        return await _new_key(conn, partner_id=partner_id, secret=secret)


async def _new_key(conn, *, partner_id: int, secret: bytes) -> tuple[KeyInfo, str]:
    salt = signing.new_salt()
    key = signing.derive_key(secret, salt)
    fingerprint = signing.fingerprint(key)
    key_id = await conn.fetchval(
        "INSERT INTO alarm_partner_key (partner, salt, fingerprint) VALUES ($1, $2, $3) RETURNING id",
        partner_id, salt, fingerprint,
    )
    return KeyInfo(id=key_id, fingerprint=fingerprint[:16], valid=True), key


async def revoke_key(*, partner_id: int, key_id: int) -> bool:
    async with db.connection() as conn:
        status = await conn.execute(
            "UPDATE alarm_partner_key SET revoked_at = now() WHERE id = $1 AND partner = $2 AND revoked_at IS NULL",
            key_id, partner_id,
        )
    return status.endswith(" 1")


async def list_keys(*, partner_id: int) -> list[KeyInfo]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id, fingerprint, revoked_at IS NULL AS valid FROM alarm_partner_key WHERE partner = $1 "
            "ORDER BY id", partner_id,
        )
    return [KeyInfo(id=r["id"], fingerprint=r["fingerprint"][:16], valid=r["valid"]) for r in rows]


async def add_device(
    *, partner_id: int, device_id: str, name: str, lat: float, lon: float, now: datetime, phone: str = "",
    heartbeat_s: int = 0,
) -> int:
    """Register a device at its fixed place (inside the partner's city), or update it if it exists."""
    async with db.transaction() as conn:
        tenant_id = await conn.fetchval("SELECT tenant FROM alarm_partner WHERE id = $1", partner_id)
        if tenant_id is None:
            raise NotFound("alarm_partner_unknown")
        return await upsert_device(conn, tenant_id=tenant_id, partner_id=partner_id, device_id=device_id,
                                   name=name, lat=lat, lon=lon, phone=phone, heartbeat_s=heartbeat_s,
                                   active=True, now=now)  # fmt: skip


async def upsert_device(
    conn, *, tenant_id: int, partner_id: int, device_id: str, name: str, lat: float, lon: float, phone: str,
    heartbeat_s: int, active: bool, now: datetime,
) -> int:
    """Register or replace a device of the tenant's partner in one statement, its active state included: a
    device put inactive is never active in between, and switching it on or off restarts its silence watch."""
    await check_inside_area(conn, tenant_id=tenant_id, lat=lat, lon=lon)
    return await conn.fetchval(
        queries.UPSERT_DEVICE, tenant_id, partner_id, device_id[:64], name[:160], lon, lat, active, phone[:32],
        heartbeat_s, now,
    )


async def set_mapping(
    *, tenant_id: int, event_type: str, category_code: str, priority: int, min_confidence: float
) -> None:
    async with db.connection() as conn:
        await conn.execute(
            """INSERT INTO alarm_event_mapping (tenant, event_type, category_code, priority, min_confidence)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (tenant, event_type) DO UPDATE SET category_code = excluded.category_code,
                   priority = excluded.priority, min_confidence = excluded.min_confidence""",
            tenant_id, event_type, category_code, priority, min_confidence,
        )


async def check_inside_area(conn, *, tenant_id: int, lat: float, lon: float) -> None:
    """A device stays at a fixed place inside its city. The refusal names the city and the point as given (not
    the citizens' "move the pin": an administrator types coordinates, and may have swapped them)."""
    row = await conn.fetchrow(queries.INSIDE_AREA, tenant_id, lon, lat)
    if not row["inside"]:
        raise Unprocessable("alarm_device_outside_area", tenant=row["name"], lat=lat, lon=lon)


def check_callback_url(url: str) -> None:
    """Empty (no callbacks), or an http(s) URL with a host: a malformed one (``http://[``) would only fail
    later, at every callback."""
    if not url:
        return
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 500:
        raise Unprocessable("alarm_callback_url_invalid")
