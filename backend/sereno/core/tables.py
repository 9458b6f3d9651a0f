"""Tables that belong to no domain: the outbox, idempotency records, instance settings."""

from __future__ import annotations

from piccolo.columns import JSONB, BigInt, BigSerial, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ["OutboxEvent", "IdempotencyRecord", "InstanceSetting"]


class OutboxEvent(Table, tablename="outbox_event"):
    """Side effects to deliver, written in the same transaction as the change that causes them."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer(null=True)
    topic = Varchar(length=80)
    payload = JSONB()
    created_at = Timestamptz(default=TimestamptzNow())
    # Not indexed alone: claims use the partial indexes of pending events (migrations 17_00 and 19_00). A claim
    # changes no indexed column (it sets ``leased_until``), so its new row version is a heap-only (HOT) one that
    # enters no index; a completion leaves the partial indexes (``done_at``) and enters only the primary key's.
    available_at = Timestamptz(default=TimestamptzNow())
    attempts = SmallInt(default=0)
    last_error = Text(null=True)
    done_at = Timestamptz(null=True, default=None)
    # The advisory lock key of the worker holding the claim: when nobody holds it, the claim is released.
    claimed_by = BigInt(null=True, default=None)
    # A claim is a lease: until then no other worker takes the event, after it anyone may.
    leased_until = Timestamptz(null=True, default=None)


class IdempotencyRecord(Table, tablename="idempotency_record"):
    """The first response to an ``Idempotency-Key``: a retry gets it back instead of a second effect."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    scope = Varchar(length=40)
    key = Varchar(length=200)
    request_hash = Varchar(length=64)
    status_code = SmallInt()
    response = JSONB()
    created_at = Timestamptz(default=TimestamptzNow())


class InstanceSetting(Table, tablename="instance_setting"):
    """Values generated once per installation (secret key, VAPID keys) and shared by every process."""

    name = Varchar(length=80, primary_key=True)
    value = Text()
    created_at = Timestamptz(default=TimestamptzNow())
