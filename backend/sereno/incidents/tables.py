"""Incidents, their append-only timeline, and the reporter's contact (kept apart, staff only)."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigInt,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    Real,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from sereno.core.geo import Geography
from sereno.tenants.tables import Category, Sector, Tenant

__all__ = ["Incident", "IncidentEvent", "ReporterContact"]


class Incident(Table, tablename="incident"):
    id = BigSerial(primary_key=True)
    # No index of its own: (tenant, reported_at DESC) leads with it.
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict)
    code = Varchar(length=24, unique=True)
    category = ForeignKey(references=Category, null=False, on_delete=OnDelete.restrict)
    priority = SmallInt(default=3)
    status = Varchar(length=16, default="new", index=True)
    source = Varchar(length=12, default="app")
    location = Geography(
        geometry_type="Point", srid=4326, null=True, index=True, index_method=IndexMethod.gist
    )
    accuracy_m = Real(null=True)
    sector = ForeignKey(references=Sector, null=True, on_delete=OnDelete.set_null, index=True)
    description = Text(default="")
    anonymous = Boolean(default=True)
    # sha256 of the citizen's tracking token; the token itself is shown once and never stored.
    tracking_token_hash = Varchar(length=64, null=True)
    occurred_at = Timestamptz(null=True, default=None)
    reported_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=24, null=True, default=None)
    duplicate_of = BigInt(null=True, default=None)
    # Callback requested by the reporter: due by this time (per-tenant SLA) until someone records it.
    callback_due_at = Timestamptz(null=True, default=None)
    callback_done_at = Timestamptz(null=True, default=None)
    # Set when an officer raised the incident from the field, or a partner device (later issues).
    created_by = Integer(null=True, default=None)
    # Optimistic concurrency: every update is conditional on the version read.
    version = Integer(default=1)
    # The record's id in the system it was imported from (unique per tenant): re-importing skips it.
    source_ref = Varchar(length=64, null=True, default=None)


class IncidentEvent(Table, tablename="incident_event"):
    """The timeline: append-only (a trigger refuses UPDATE and DELETE)."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    # No index of its own: (incident, at, id) leads with it.
    incident = ForeignKey(references=Incident, null=False, on_delete=OnDelete.restrict)
    at = Timestamptz(default=TimestamptzNow())
    actor_type = Varchar(length=12)  # citizen, staff, system, device
    actor_id = Integer(null=True, default=None)
    kind = Varchar(length=32)
    data = JSONB(default="{}")
    # Shown to the citizen who filed the report (staff-internal notes are not).
    public = Boolean(default=False)


class ReporterContact(Table, tablename="reporter_contact"):
    """Who reported and how to call them back. Only staff services read this table."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    incident = ForeignKey(references=Incident, null=False, on_delete=OnDelete.restrict, unique=True)
    name = Varchar(length=120, default="")
    phone = Varchar(length=32, default="")
    email = Varchar(length=254, default="")
    callback_wanted = Boolean(default=False)
    erased_at = Timestamptz(null=True, default=None)
