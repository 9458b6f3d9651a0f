"""Partners, their keys and devices as an administrator manages them from the API (the same rules as the
``sereno alarms`` commands, in ``partners.py``), always within the administrator's own municipality, each
change in the audit trail. A new key is shown once, in the response that issues it; afterwards only its
fingerprint is listed. Devices are listed a page at a time (a partner may have thousands of terminals) and
changed one field at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from sereno.accounts.schemas import StaffPrincipal
from sereno.accounts.service import audit
from sereno.alarms import partners, queries, service
from sereno.alarms.schemas import DeviceRead, Point
from sereno.core import db
from sereno.core.errors import NotFound, Unprocessable

__all__ = [
    "PartnerIn",
    "PartnerPatch",
    "PartnerRead",
    "IssuedKey",
    "DeviceIn",
    "DevicePage",
    "DevicePatch",
    "list_partners",
    "register_partner",
    "change_partner",
    "rotate_key",
    "revoke_key",
    "put_device",
    "list_devices",
    "change_device",
]

_Url = Annotated[str, Meta(max_length=500, pattern=r"^$|^https?://")]
_DeviceName = Annotated[str, Meta(min_length=1, max_length=160)]
_Phone = Annotated[str, Meta(max_length=32, pattern=r"^[0-9+() .-]*$")]
_Heartbeat = Annotated[int, Meta(ge=0, le=7 * 86400, description="Seconds; 0: the device sends none")]


class PartnerIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=120)]
    kind: Literal["alarm", "sensor"] = "alarm"
    callback_url: _Url = ""


class PartnerPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=120)] | None = None
    callback_url: _Url | None = None
    active: bool | None = None


class PartnerRead(msgspec.Struct, frozen=True):
    id: int
    name: str
    kind: str
    callback_url: str
    active: bool
    keys: list[partners.KeyInfo]
    devices: int


class IssuedKey(msgspec.Struct, frozen=True):
    partner: PartnerRead
    key_id: int
    key: Annotated[str, Meta(description="Shown once: give it to the partner over a secure channel")]


class DeviceIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: _DeviceName
    location: Point
    contact_phone: _Phone = ""
    heartbeat_interval_s: _Heartbeat = 0
    active: bool = True


class DevicePatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Only the fields given change; ``active: false`` alone deactivates a device (its alarms are refused)."""

    name: _DeviceName | None = None
    location: Point | None = None
    contact_phone: _Phone | None = None
    heartbeat_interval_s: _Heartbeat | None = None
    active: bool | None = None


class DevicePage(msgspec.Struct, frozen=True):
    """Devices in the order of their ids; ``next_after`` asks for the next page (``?after=``), none: the last."""

    items: list[DeviceRead]
    next_after: str | None


_LIST = """
SELECT p.id, p.name, p.kind, p.callback_url, p.active,
       coalesce((SELECT jsonb_agg(jsonb_build_object('id', k.id, 'fingerprint', left(k.fingerprint, 16),
                                                     'valid', k.revoked_at IS NULL) ORDER BY k.id)
                 FROM alarm_partner_key k WHERE k.partner = p.id), '[]')::text AS keys,
       (SELECT count(*) FROM alarm_device d WHERE d.partner = p.id) AS devices
FROM alarm_partner p
WHERE p.tenant = $1 AND ($2::int IS NULL OR p.id = $2)
ORDER BY p.name, p.id
"""
_PATCH = """
UPDATE alarm_partner SET name = coalesce($3, name), callback_url = coalesce($4, callback_url),
                         active = coalesce($5, active)
WHERE tenant = $1 AND id = $2 RETURNING id
"""


def _read(row) -> PartnerRead:
    return PartnerRead(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        callback_url=row["callback_url"],
        active=row["active"],
        keys=msgspec.json.decode(row["keys"], type=list[partners.KeyInfo]),
        devices=row["devices"],
    )


async def list_partners(*, staff: StaffPrincipal) -> list[PartnerRead]:
    async with db.connection() as conn:
        return [_read(r) for r in await conn.fetch(_LIST, staff.tenant_id, None)]


async def _one(*, staff: StaffPrincipal, partner_id: int) -> PartnerRead:
    async with db.connection() as conn:
        row = await conn.fetchrow(_LIST, staff.tenant_id, partner_id)
    if row is None:
        raise NotFound("alarm_partner_unknown")
    return _read(row)


async def _audit(staff: StaffPrincipal, action: str, partner_id: int, data: dict) -> None:
    async with db.connection() as conn:
        await audit(conn, tenant_id=staff.tenant_id, actor_id=staff.id, action=action,
                    subject=f"partner:{partner_id}", data=data)  # fmt: skip


async def register_partner(*, staff: StaffPrincipal, body: PartnerIn, secret: bytes) -> IssuedKey:
    partner_id, info, key = await partners.create_partner(
        tenant_id=staff.tenant_id, name=body.name.strip(), kind=body.kind, callback_url=body.callback_url,
        secret=secret,
    )  # fmt: skip
    await _audit(staff, "alarm_partner.create", partner_id, {"name": body.name, "key": info.fingerprint})
    return IssuedKey(partner=await _one(staff=staff, partner_id=partner_id), key_id=info.id, key=key)


async def change_partner(*, staff: StaffPrincipal, partner_id: int, body: PartnerPatch) -> PartnerRead:
    if body.callback_url is not None:
        partners.check_callback_url(body.callback_url)
    async with db.connection() as conn:
        changed = await conn.fetchval(
            _PATCH, staff.tenant_id, partner_id, body.name, body.callback_url, body.active
        )
    if changed is None:
        raise NotFound("alarm_partner_unknown")
    await _audit(staff, "alarm_partner.change", partner_id, msgspec.structs.asdict(body))
    return await _one(staff=staff, partner_id=partner_id)


async def rotate_key(*, staff: StaffPrincipal, partner_id: int, secret: bytes) -> IssuedKey:
    """A second valid key (409 while two are valid): the partner moves to it, then the old one is revoked."""
    await _one(staff=staff, partner_id=partner_id)  # another city's partner is as unknown as a missing one
    info, key = await partners.issue_key(partner_id=partner_id, secret=secret)
    await _audit(staff, "alarm_partner.key_issue", partner_id, {"key": info.fingerprint})
    return IssuedKey(partner=await _one(staff=staff, partner_id=partner_id), key_id=info.id, key=key)


async def revoke_key(*, staff: StaffPrincipal, partner_id: int, key_id: int) -> PartnerRead:
    await _one(staff=staff, partner_id=partner_id)
    if not await partners.revoke_key(partner_id=partner_id, key_id=key_id):
        raise NotFound("not_found")
    await _audit(staff, "alarm_partner.key_revoke", partner_id, {"key_id": key_id})
    return await _one(staff=staff, partner_id=partner_id)


async def put_device(
    *, staff: StaffPrincipal, partner_id: int, device_id: str, body: DeviceIn, now: datetime
) -> PartnerRead:
    """Register a device at its fixed place, or update it (a deactivated device's alarms are refused): one
    statement and its audit entry in one transaction."""
    await _one(staff=staff, partner_id=partner_id)
    async with db.transaction() as conn:
        await partners.upsert_device(
            conn, tenant_id=staff.tenant_id, partner_id=partner_id, device_id=device_id, name=body.name.strip(),
            lat=body.location.lat, lon=body.location.lon, phone=body.contact_phone,
            heartbeat_s=body.heartbeat_interval_s, active=body.active, now=now,
        )  # fmt: skip
        await audit(conn, tenant_id=staff.tenant_id, actor_id=staff.id, action="alarm_device.put",
                    subject=f"partner:{partner_id}", data={"device_id": device_id, "active": body.active})  # fmt: skip
    return await _one(staff=staff, partner_id=partner_id)


async def list_devices(
    *, staff: StaffPrincipal, partner_id: int, after: str | None, limit: int, now: datetime
) -> DevicePage:
    await _one(staff=staff, partner_id=partner_id)
    async with db.connection() as conn:
        rows = await conn.fetch(
            queries.PARTNER_DEVICE_PAGE, now, staff.tenant_id, partner_id, after, limit + 1
        )
    items = [service.device_read(r) for r in rows[:limit]]
    return DevicePage(items=items, next_after=items[-1].device_id if len(rows) > limit else None)


async def change_device(
    *, staff: StaffPrincipal, partner_id: int, device_id: str, body: DevicePatch, now: datetime
) -> DeviceRead:
    """Change the fields given, each change audited with what it set; an empty change touches nothing."""
    await _one(staff=staff, partner_id=partner_id)
    changes = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not None}
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:  # only blanks
            raise Unprocessable("missing_field", field="name")
    where = body.location
    async with db.transaction() as conn:
        if where is not None:
            await partners.check_inside_area(conn, tenant_id=staff.tenant_id, lat=where.lat, lon=where.lon)
        if changes:
            await conn.execute(queries.CHANGE_DEVICE, staff.tenant_id, partner_id, device_id, changes.get("name"),
                               body.contact_phone, body.heartbeat_interval_s, body.active,
                               where.lon if where else None, where.lat if where else None, now)  # fmt: skip
        row = await conn.fetchrow(queries.PARTNER_DEVICE, now, staff.tenant_id, partner_id, device_id)
        if row is None:
            raise NotFound("alarm_device_not_found", device_id=device_id)
        if changes:
            await audit(conn, tenant_id=staff.tenant_id, actor_id=staff.id, action="alarm_device.change",
                        subject=f"partner:{partner_id}", data={"device_id": device_id, **changes})  # fmt: skip
    return service.device_read(row)
