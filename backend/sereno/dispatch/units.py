"""Units on patrol: duty, positions (last known plus the track kept for audit), officer emergencies."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import msgspec

from sereno.accounts.schemas import StaffPrincipal
from sereno.accounts.service import audit
from sereno.core import db, events
from sereno.core.errors import Conflict, NotFound, Unprocessable
from sereno.core.geo import point_ewkt
from sereno.dispatch.queries import UNITS, UNITS_BY_ID
from sereno.dispatch.schemas import DutyIn, MemberRead, PanicIn, PositionIn, UnitCreate, UnitRead
from sereno.notifications.schemas import Audience, PushMessage, PushText
from sereno.notifications.service import enqueue_push
from sereno.reports.schemas import Location

__all__ = [
    "read_units",
    "list_units",
    "create_unit",
    "set_duty",
    "record_position",
    "panic",
    "clear_emergency",
    "device_time",
]

# A device clock further ahead than this is not believed.
_FUTURE_SKEW = timedelta(minutes=5)


def device_time(device_at: datetime | None, now: datetime) -> datetime:
    """The phone's time of an action, unless missing or implausibly in the future."""
    if device_at is None or device_at > now + _FUTURE_SKEW:
        return now
    return device_at


def _unit(row: asyncpg.Record) -> UnitRead:
    return UnitRead(
        id=row["id"],
        call_sign=row["call_sign"],
        agency=row["agency"],
        kind=row["kind"],
        status=row["status"],
        emergency=row["emergency"],
        location=Location(lat=row["lat"], lon=row["lon"], accuracy_m=row["accuracy_m"])
        if row["lat"] is not None
        else None,
        accuracy_m=row["accuracy_m"],
        position_at=row["position_at"],
        stale=row["stale"],
        members=msgspec.json.decode(row["members"], type=list[MemberRead]),
    )


async def read_units(
    conn: asyncpg.Connection, *, tenant_id: int, now: datetime, stale_s: int, ids: list[int] | None = None
) -> list[UnitRead]:
    stale_before = now - timedelta(seconds=stale_s)
    if ids is None:
        rows = await conn.fetch(UNITS, tenant_id, stale_before)
    else:
        rows = await conn.fetch(UNITS_BY_ID, tenant_id, stale_before, ids)
    return [_unit(r) for r in rows]


async def list_units(*, tenant_id: int, now: datetime, stale_s: int) -> list[UnitRead]:
    async with db.connection() as conn:
        return await read_units(conn, tenant_id=tenant_id, now=now, stale_s=stale_s)


async def publish_unit(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    unit_id: int,
    now: datetime,
    stale_s: int,
    type: str = "unit.updated",
) -> UnitRead:
    unit = (await read_units(conn, tenant_id=tenant_id, now=now, stale_s=stale_s, ids=[unit_id]))[0]
    await events.emit(conn, tenant_id=tenant_id, type=type, data=unit, unit_ids=[unit_id])
    return unit


async def create_unit(*, staff: StaffPrincipal, body: UnitCreate, now: datetime, stale_s: int) -> UnitRead:
    async with db.transaction() as conn:
        try:
            unit_id = await conn.fetchval(
                "INSERT INTO unit (tenant, call_sign, agency, kind, status, emergency, version) "
                "VALUES ($1, $2, $3, $4, 'off_duty', false, 1) RETURNING id",
                staff.tenant_id,
                body.call_sign,
                body.agency,
                body.kind,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict("call_sign_taken", call_sign=body.call_sign) from None
        await audit(
            conn, tenant_id=staff.tenant_id, actor_id=staff.id, action="unit.create", subject=body.call_sign
        )
        return await publish_unit(conn, tenant_id=staff.tenant_id, unit_id=unit_id, now=now, stale_s=stale_s)


async def set_duty(*, staff: StaffPrincipal, body: DutyIn, now: datetime, stale_s: int) -> UnitRead:
    """Going on duty joins a unit (the one asked for, else the officer's current one) and makes it available."""
    async with db.transaction() as conn:
        if not body.on and body.unit_id is not None and body.unit_id != staff.unit_id:
            raise NotFound("not_found")  # an officer ends only their own unit's shift
        unit_id = (body.unit_id or staff.unit_id) if body.on else staff.unit_id
        if unit_id is None:
            raise Unprocessable("no_unit")
        row = await conn.fetchrow(
            "SELECT id, status FROM unit WHERE id = $1 AND tenant = $2 FOR UPDATE", unit_id, staff.tenant_id
        )
        if row is None:
            raise NotFound("not_found")
        if body.on:
            await conn.execute(
                "INSERT INTO unit_member (unit, account, since) VALUES ($1, $2, $3) "
                "ON CONFLICT (account) DO UPDATE SET unit = excluded.unit, since = excluded.since",
                unit_id,
                staff.id,
                now,
            )
            if row["status"] == "off_duty":
                await conn.execute(
                    "UPDATE unit SET status = 'available', on_duty_since = $2, version = version + 1 "
                    "WHERE id = $1",
                    unit_id,
                    now,
                )
        else:
            busy = await conn.fetchval(
                "SELECT count(*) FROM assignment WHERE unit = $1 AND status IN ('assigned','acknowledged','en_route','on_scene')",
                unit_id,
            )
            if busy:
                raise Conflict("unit_busy", extra={"current": row["status"]}, current=row["status"])
            # The membership stays: it is the officer's default unit for the next shift.
            await conn.execute(
                "UPDATE unit SET status = 'off_duty', on_duty_since = NULL, version = version + 1 "
                "WHERE id = $1",
                unit_id,
            )
        await audit(
            conn,
            tenant_id=staff.tenant_id,
            actor_id=staff.id,
            action="duty.on" if body.on else "duty.off",
            subject=str(unit_id),
        )
        return await publish_unit(conn, tenant_id=staff.tenant_id, unit_id=unit_id, now=now, stale_s=stale_s)


_POSITION = """
WITH last AS (
    UPDATE unit SET location = ST_GeogFromText($3), position_accuracy_m = $4, position_device_at = $5,
                    position_received_at = $6
    WHERE id = $2 AND tenant = $1
    RETURNING id
)
INSERT INTO unit_position (tenant_id, unit, location, accuracy_m, device_at, received_at)
SELECT $1, id, ST_GeogFromText($3), $4, $5, $6 FROM last
"""


async def record_position(*, staff: StaffPrincipal, body: PositionIn, now: datetime) -> None:
    """Hot path (every unit every 15–30 s): one statement, no live event (the console polls unit positions
    through ``unit.updated`` on status changes and its own refresh)."""
    if staff.unit_id is None:
        raise Unprocessable("no_unit")
    async with db.connection() as conn:
        await conn.execute(
            _POSITION,
            staff.tenant_id,
            staff.unit_id,
            point_ewkt(body.lon, body.lat),
            body.accuracy_m,
            device_time(body.device_at, now),
            now,
        )


async def panic(*, staff: StaffPrincipal, body: PanicIn, now: datetime, stale_s: int) -> UnitRead:
    if staff.unit_id is None:
        raise Unprocessable("no_unit")
    async with db.transaction() as conn:
        if body.lat is not None and body.lon is not None:
            await conn.execute(
                _POSITION,
                staff.tenant_id,
                staff.unit_id,
                point_ewkt(body.lon, body.lat),
                body.accuracy_m,
                device_time(body.device_at, now),
                now,
            )
        await conn.execute(
            "UPDATE unit SET emergency = true, emergency_at = $2, version = version + 1 WHERE id = $1",
            staff.unit_id,
            now,
        )
        await audit(
            conn,
            tenant_id=staff.tenant_id,
            actor_id=staff.id,
            action="unit.emergency",
            subject=str(staff.unit_id),
        )
        unit = await publish_unit(
            conn,
            tenant_id=staff.tenant_id,
            unit_id=staff.unit_id,
            now=now,
            stale_s=stale_s,
            type="unit.emergency",
        )
        dispatchers = await conn.fetch(
            "SELECT id FROM staff_account WHERE tenant = $1 AND active AND role IN ('dispatcher', 'supervisor')",
            staff.tenant_id,
        )
        await enqueue_push(
            conn,
            tenant_id=staff.tenant_id,
            audience=Audience(account_ids=[r["id"] for r in dispatchers]),
            message=PushMessage(
                title=f"EMERGENCIA: unidad {unit.call_sign}",
                body="Un agente activó el botón de pánico.",
                url="/console/",
                tag=f"panic-{unit.id}",
                urgency="high",
                translations={
                    "en": PushText(
                        title=f"EMERGENCY: unit {unit.call_sign}", body="An officer pressed the panic button."
                    )
                },
            ),
        )
    return unit


async def clear_emergency(*, staff: StaffPrincipal, unit_id: int, now: datetime, stale_s: int) -> UnitRead:
    async with db.transaction() as conn:
        updated = await conn.fetchval(
            "UPDATE unit SET emergency = false, version = version + 1 WHERE id = $1 AND tenant = $2 AND emergency "
            "RETURNING id",
            unit_id,
            staff.tenant_id,
        )
        if updated is None:
            raise NotFound("not_found")
        await audit(
            conn,
            tenant_id=staff.tenant_id,
            actor_id=staff.id,
            action="unit.emergency_cleared",
            subject=str(unit_id),
        )
        return await publish_unit(conn, tenant_id=staff.tenant_id, unit_id=unit_id, now=now, stale_s=stale_s)
