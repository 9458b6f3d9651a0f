"""Partners that raise alarms (payment processors, alarm companies, sensor networks), their signing keys,
their devices, every event they sent, the per-tenant mapping of event types, and the status callbacks owed."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigInt,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    Real,
    Serial,
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
from sereno.tenants.tables import Tenant

__all__ = ["AlarmCallback", "AlarmDevice", "AlarmEvent", "AlarmEventMapping", "AlarmPartner", "AlarmPartnerKey"]


class AlarmPartner(Table, tablename="alarm_partner"):
    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    kind = Varchar(length=8, default="alarm")  # alarm | sensor
    # Where status callbacks (dispatched, arrived, closed) are POSTed; empty: none.
    callback_url = Varchar(length=500, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class AlarmPartnerKey(Table, tablename="alarm_partner_key"):
    """A signing key: never stored. ``salt`` plus the instance secret derive it (see ``alarms/signing.py``);
    ``fingerprint`` (sha256 of the key) lets an administrator tell keys apart."""

    id = Serial(primary_key=True)
    partner = ForeignKey(references=AlarmPartner, null=False, on_delete=OnDelete.cascade, index=True)
    salt = Varchar(length=64)
    fingerprint = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class AlarmDevice(Table, tablename="alarm_device"):
    """A POS terminal, alarm panel, sensor or camera at a fixed, registered place."""

    id = Serial(primary_key=True)
    tenant_id = Integer()
    partner = ForeignKey(references=AlarmPartner, null=False, on_delete=OnDelete.restrict, index=True)
    device_id = Varchar(length=64)  # the partner's own id of the terminal (unique per partner)
    name = Varchar(length=160)  # the merchant's or site's name
    location = Geography(geometry_type="Point", srid=4326, null=False, index=True, index_method=IndexMethod.gist)
    contact_phone = Varchar(length=32, default="")
    active = Boolean(default=True)
    # 0: the device sends no heartbeats and is never flagged silent.
    heartbeat_interval_s = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    # When it was registered or last reactivated: its silence is counted from this or its last event, whichever
    # is later, so a device reactivated after weeks switched off gets a whole interval to be heard.
    active_since = Timestamptz(default=TimestamptzNow())
    last_event_at = Timestamptz(null=True, default=None)
    last_test_at = Timestamptz(null=True, default=None)
    last_heartbeat_at = Timestamptz(null=True, default=None)
    # Set by the periodic check when the device missed its interval × 1.5; cleared by its next event and when
    # it is deactivated (an inactive device is not watched).
    silent_since = Timestamptz(null=True, default=None)


class AlarmEvent(Table, tablename="alarm_event"):
    """Every accepted event; (partner, event_id) is unique, so a replayed event creates nothing."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    partner = ForeignKey(references=AlarmPartner, null=False, on_delete=OnDelete.restrict)
    device = ForeignKey(references=AlarmDevice, null=False, on_delete=OnDelete.restrict, index=True)
    event_id = Varchar(length=100)
    event_type = Varchar(length=40)
    # alarm (raises or joins an incident), restore, cancel, test, heartbeat
    role = Varchar(length=12)
    device_time = Timestamptz()
    received_at = Timestamptz(default=TimestamptzNow())
    incident_id = BigInt(null=True, default=None, index=True)
    confidence = Real(null=True, default=None)
    payload = JSONB(default="{}")


class AlarmEventMapping(Table, tablename="alarm_event_mapping"):
    """A tenant's own category and priority for an event type (built-in defaults in ``alarms/mapping.py``)."""

    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.cascade, index=True)
    event_type = Varchar(length=40)
    category_code = Varchar(length=40)
    priority = SmallInt(default=1)
    # Below this confidence the incident waits in the queue for triage instead of auto-dispatch.
    min_confidence = Real(default=0.0)


class AlarmCallback(Table, tablename="alarm_callback"):
    """A status callback owed to a partner: one per (incident, status), delivered by the outbox."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    partner = ForeignKey(references=AlarmPartner, null=False, on_delete=OnDelete.cascade)
    incident_id = BigInt()
    status = Varchar(length=16)
    at = Timestamptz(default=TimestamptzNow())
    body = Text(default="")
    delivered_at = Timestamptz(null=True, default=None)
