"""Units on patrol, their positions, and their assignments to incidents."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    Real,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from sereno.accounts.tables import StaffAccount
from sereno.core.geo import Geography
from sereno.incidents.tables import Incident
from sereno.tenants.tables import Tenant

__all__ = ["Assignment", "Unit", "UnitMember", "UnitPosition", "UnitShift"]


class Unit(Table, tablename="unit"):
    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    call_sign = Varchar(length=20)
    agency = Varchar(length=16, default="serenazgo")
    kind = Varchar(length=16, default="car")  # car, motorcycle, foot, bicycle, ambulance, engine
    status = Varchar(length=16, default="off_duty", index=True)
    emergency = Boolean(default=False)
    emergency_at = Timestamptz(null=True, default=None)
    # Last known position: what the phone measured, how precisely, and when (device clock and server clock).
    location = Geography(
        geometry_type="Point", srid=4326, null=True, index=True, index_method=IndexMethod.gist
    )
    position_accuracy_m = Real(null=True, default=None)
    position_device_at = Timestamptz(null=True, default=None)
    position_received_at = Timestamptz(null=True, default=None)
    on_duty_since = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class UnitMember(Table, tablename="unit_member"):
    """Who rides in a unit this shift; an officer is in at most one unit."""

    id = Serial(primary_key=True)
    unit = ForeignKey(references=Unit, null=False, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(references=StaffAccount, null=False, on_delete=OnDelete.cascade, unique=True)
    since = Timestamptz(default=TimestamptzNow())


class UnitPosition(Table, tablename="unit_position"):
    """Track history (audit trail); append-only."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    unit = ForeignKey(references=Unit, null=False, on_delete=OnDelete.restrict, index=True)
    location = Geography(geometry_type="Point", srid=4326)
    accuracy_m = Real(null=True, default=None)
    device_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(default=TimestamptzNow())


class Assignment(Table, tablename="assignment"):
    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    incident = ForeignKey(references=Incident, null=False, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(references=Unit, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="assigned", index=True)
    assigned_by = Integer(null=True, default=None)  # staff account; null = automatic (P1)
    assigned_at = Timestamptz(default=TimestamptzNow())
    ack_deadline = Timestamptz(null=True, default=None, index=True)
    escalated_at = Timestamptz(null=True, default=None)
    # Step times: device clock for steps replayed from an offline queue, so late syncs don't distort.
    acknowledged_at = Timestamptz(null=True, default=None)
    en_route_at = Timestamptz(null=True, default=None)
    on_scene_at = Timestamptz(null=True, default=None)
    cleared_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=24, null=True, default=None)
    notes = Text(default="")
    distance_m = Real(null=True, default=None)
    replaced_by = BigInt(null=True, default=None)
    version = Integer(default=1)


class UnitShift(Table, tablename="unit_shift"):
    """A unit's time on duty, written by a trigger on the unit's status (off_duty ⇄ on duty), so every path
    that puts a unit on or off duty is counted; the weekly report sets it against the time spent on cases."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    unit = ForeignKey(references=Unit, null=False, on_delete=OnDelete.cascade, index=True)
    started_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)
