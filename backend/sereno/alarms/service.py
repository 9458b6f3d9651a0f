"""Alarms and sensor events from partners: authenticate the signature, record the event exactly once, and
turn alarms into incidents through the operator/field entry path (``incidents/entry.py``), the one write
path for incidents not filed by a citizen.

Silence is the rule for alarm partners: the device gets the same acknowledgement whatever happened, and the
incident is marked silent (source ``alarm``) so that nobody calls the site or sends anything to the device.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import msgspec

from sereno.alarms import mapping, queries, signing
from sereno.alarms.schemas import AlarmAck, AlarmEventIn, DeviceHealth, DeviceRead, Point, TenantDevicePage
from sereno.core import db, events, outbox
from sereno.core.errors import AppError, BadRequest, Conflict, NotFound, Unprocessable
from sereno.incidents import entry
from sereno.incidents import service as incidents
from sereno.incidents.schemas import IncidentCreate
from sereno.reports.schemas import ContactIn, Location
from sereno.settings import AlarmSettings, DispatchSettings
from sereno.tenants import service as tenants

__all__ = [
    "Partner",
    "PartnerUnauthorized",
    "authenticate",
    "device_read",
    "flag_silent_devices",
    "partner_devices",
    "receive",
    "tenant_devices",
]

_MAX_BODY = 16 * 1024


class PartnerUnauthorized(AppError):
    """One answer for an unknown partner, a wrong or revoked key and a stale timestamp: nothing leaks."""

    status_code = 401


class Partner(msgspec.Struct, frozen=True):
    id: int
    tenant_id: int
    tenant_slug: str
    kind: str
    name: str


def _refused() -> PartnerUnauthorized:
    return PartnerUnauthorized("alarm_unauthorized")


async def authenticate(
    *, partner_header: str | None, timestamp: str | None, signature: str | None, body: bytes, now: datetime,
    secret: bytes,
) -> Partner:
    """The partner whose valid key signed ``timestamp.body`` within five minutes of ``now``; 401 otherwise."""
    try:
        partner_id, stamp = int(partner_header or ""), int(timestamp or "")
    except ValueError:
        raise _refused() from None
    if not signature or abs(now.timestamp() - stamp) > signing.MAX_SKEW_S or not 0 < partner_id < 2**31:
        raise _refused()
    async with db.connection() as conn:
        row = await conn.fetchrow(queries.PARTNER_KEYS, partner_id)
    if row is None or not row["salts"]:
        raise _refused()
    keys = [signing.derive_key(secret, salt) for salt in row["salts"]]
    if not signing.signature_matches(keys, str(timestamp), body, signature):
        raise _refused()
    return Partner(
        id=row["id"], tenant_id=row["tenant_id"], tenant_slug=row["tenant_slug"], kind=row["kind"],
        name=row["name"],
    )


def decode_event(partner: Partner, body: bytes) -> AlarmEventIn:
    if len(body) > _MAX_BODY:
        raise BadRequest("invalid_request", detail="body too large")
    try:
        event = msgspec.json.decode(body, type=AlarmEventIn)
    except msgspec.ValidationError as exc:
        raise BadRequest("invalid_request", detail=str(exc)) from None
    except msgspec.DecodeError:
        raise BadRequest("invalid_request", detail="malformed JSON") from None
    if event.partner_id != partner.id:  # signed by one partner for another: treated as a bad signature
        raise _refused()
    return event


async def receive(
    *, partner: Partner, body: bytes, now: datetime, settings: AlarmSettings, dispatch: DispatchSettings
) -> AlarmAck:
    """Record one event exactly once and act on it; every accepted event gets the same acknowledgement."""
    event = decode_event(partner, body)
    role = mapping.role_of(partner.kind, event.event_type)
    tenant = await tenants.get_tenant(slug=partner.tenant_slug)
    async with db.transaction() as conn:
        device = await conn.fetchrow(queries.DEVICE_FOR_UPDATE, partner.id, event.device_id)
        if device is None or not device["active"]:
            raise NotFound("alarm_device_unknown")
        if event.location is not None:
            await _check_inside(conn, tenant_id=partner.tenant_id, point=event.location)
        payload = msgspec.to_builtins(event)
        event_pk = await conn.fetchval(
            queries.INSERT_EVENT, partner.tenant_id, partner.id, device["id"], event.event_id, event.event_type,
            role, event.device_time, now, event.confidence, msgspec.json.encode(payload).decode(),
        )
        if event_pk is None:
            raise Conflict("alarm_event_replayed")
        await conn.execute(queries.TOUCH_DEVICE, device["id"], now, role)
        if device["silent_since"] is not None:
            await events.emit(conn, tenant_id=partner.tenant_id, type="alarm.device_heard",
                              data={"device_id": event.device_id, "name": device["name"]})
        incident_id = None
        if role == "alarm":
            incident_id = await _alarm(conn, partner=partner, tenant=tenant, device=device, event=event, now=now,
                                       settings=settings, dispatch=dispatch)
        elif role in ("restore", "cancel"):
            incident_id = await _attach(conn, partner=partner, device=device, event=event, now=now,
                                        kind=f"alarm_{role}", window=None)
        if incident_id is not None:
            await conn.execute(queries.SET_EVENT_INCIDENT, event_pk, incident_id)
    await outbox.wake_after_commit()
    return AlarmAck(event_id=event.event_id, received_at=now)


async def _check_inside(conn: asyncpg.Connection, *, tenant_id: int, point: Point) -> None:
    if not await conn.fetchval(queries.INSIDE_AREA, tenant_id, point.lon, point.lat):
        raise Unprocessable("invalid_field", field="location", detail="outside the service area")


async def _attach(
    conn: asyncpg.Connection, *, partner: Partner, device: asyncpg.Record, event: AlarmEventIn, now: datetime,
    kind: str, window: timedelta | None,
) -> int | None:
    """Add the event to the device's open incident (only if an alarm joined it within ``window``, when
    given); restore and cancel never change the incident's status: a dispatcher decides."""
    row = await conn.fetchrow(queries.OPEN_INCIDENT, device["id"])
    if row is None or (window is not None and now - row["last_alarm_at"] > window):
        return None
    incident_id = row["incident_id"]
    await incidents.record(
        conn, tenant_id=partner.tenant_id, incident_id=incident_id, at=now, kind=kind, actor_type="device",
        actor_id=device["id"], data=_event_data(event),
    )
    await incidents.publish_incident(conn, tenant_id=partner.tenant_id, incident_id=incident_id, now=now)
    return incident_id


async def _alarm(
    conn: asyncpg.Connection, *, partner: Partner, tenant, device: asyncpg.Record, event: AlarmEventIn,
    now: datetime, settings: AlarmSettings, dispatch: DispatchSettings,
) -> int:
    """A new incident at the device's place (or the sensor's reported one), or the open one it repeats."""
    joined = await _attach(conn, partner=partner, device=device, event=event, now=now, kind="alarm_repeated",
                           window=timedelta(seconds=settings.merge_window_s))
    if joined is not None:
        return joined
    meaning = await mapping.mapping_for(conn, tenant_id=partner.tenant_id, event_type=event.event_type)
    silent = partner.kind == "alarm"
    confident = event.confidence is None or event.confidence >= meaning.min_confidence
    where = event.location or Point(lat=device["lat"], lon=device["lon"])
    return await entry.insert_incident(
        conn,
        staff=None,
        device_id=device["id"],
        tenant=tenant,
        now=now,
        callback_sla=timedelta(seconds=dispatch.callback_sla_s),
        source="alarm" if silent else "sensor",
        status="new",
        auto_dispatch=confident,
        event_data={**_event_data(event), "silent": silent, "partner": partner.name, "site": device["name"],
                    **({} if confident else {"needs_triage": "low_confidence"})},
        body=IncidentCreate(
            category=meaning.category_code,
            priority=meaning.priority,
            location=Location(lat=where.lat, lon=where.lon),
            description=_description(partner, device, event, silent=silent),
            contact=ContactIn(name=device["name"][:120], phone=device["contact_phone"])
            if device["contact_phone"] else None,
        ),
    )


def _event_data(event: AlarmEventIn) -> dict:
    data = {"event_type": event.event_type, "event_id": event.event_id, "device": event.device_id,
            "device_time": event.device_time.isoformat()}
    for name in ("operator_code", "message", "confidence", "media_url"):
        if getattr(event, name) is not None:
            data[name] = getattr(event, name)
    return data


def _description(partner: Partner, device: asyncpg.Record, event: AlarmEventIn, *, silent: bool) -> str:
    if silent:
        text = f"ALARMA SILENCIOSA ({event.event_type}) — {device['name']}, terminal {event.device_id} ({partner.name})."
    else:
        sure = f", confianza {event.confidence:.0%}" if event.confidence is not None else ""
        text = f"Sensor: {event.event_type}{sure} — {device['name']} ({partner.name})."
    if event.message:
        text += f" {event.message}"
    return text[:2000]


def device_read(row: asyncpg.Record) -> DeviceRead:
    return DeviceRead(
        id=row["id"], partner_id=row["partner_id"], partner_name=row["partner_name"], device_id=row["device_id"],
        name=row["name"], location=Point(lat=row["lat"], lon=row["lon"]), contact_phone=row["contact_phone"],
        active=row["active"], heartbeat_interval_s=row["heartbeat_interval_s"], last_event_at=row["last_event_at"],
        last_test_at=row["last_test_at"], last_heartbeat_at=row["last_heartbeat_at"], silent=row["silent"],
    )


async def partner_devices(*, partner: Partner, now: datetime) -> list[DeviceHealth]:
    async with db.connection() as conn:
        rows = await conn.fetch(queries.PARTNER_DEVICES, now, partner.id)
    return [
        DeviceHealth(
            device_id=r["device_id"], name=r["name"], active=r["active"],
            heartbeat_interval_s=r["heartbeat_interval_s"], last_event_at=r["last_event_at"],
            last_test_at=r["last_test_at"], last_heartbeat_at=r["last_heartbeat_at"], silent=r["silent"],
        )
        for r in rows
    ]


async def tenant_devices(*, tenant_id: int, after: int | None, limit: int, now: datetime) -> TenantDevicePage:
    async with db.connection() as conn:
        rows = await conn.fetch(queries.TENANT_DEVICE_PAGE, now, tenant_id, after, limit + 1)
    items = [device_read(r) for r in rows[:limit]]
    return TenantDevicePage(items=items, next_after=items[-1].id if len(rows) > limit else None)


async def flag_silent_devices(*, now: datetime) -> int:
    """Flag devices that missed their heartbeat (once each) and tell their tenant's consoles."""
    async with db.transaction() as conn:
        rows = await conn.fetch(queries.FLAG_SILENT, now)
        for r in rows:
            await events.emit(conn, tenant_id=r["tenant_id"], type="alarm.device_silent", data={
                "device_id": r["device_id"], "name": r["name"], "partner": r["partner_name"], "since": now.isoformat(),
            })
    return len(rows)
