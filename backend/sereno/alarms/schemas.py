"""The partner API's contract (alarms in, acknowledgement and device health out) and the staff's device list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

__all__ = ["AlarmAck", "AlarmEventIn", "CallbackBody", "DeviceHealth", "DeviceRead", "Point", "TenantDevicePage"]

EventType = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="panic, duress, test, ...")]


class Point(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]


class AlarmEventIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One event from a partner's device: what Contact ID and SIA messages carry, as JSON."""

    partner_id: int
    device_id: Annotated[str, Meta(min_length=1, max_length=64)]
    # The partner's unique id of this event: the idempotency key (a second use is refused, 409).
    event_id: Annotated[str, Meta(pattern=r"^[\x21-\x7e]{1,100}$")]
    event_type: EventType
    device_time: datetime
    operator_code: Annotated[str, Meta(max_length=32)] | None = None
    message: Annotated[str, Meta(max_length=500)] | None = None
    # Sensors: how sure the detector is (0–1), where (when not the device's fixed place), evidence.
    confidence: Annotated[float, Meta(ge=0, le=1)] | None = None
    location: Point | None = None
    media_url: Annotated[str, Meta(max_length=500, pattern=r"^https?://")] | None = None


class AlarmAck(msgspec.Struct, frozen=True):
    """The same for every accepted event, whatever it caused: a device learns nothing else."""

    event_id: str
    received_at: datetime


class DeviceHealth(msgspec.Struct, frozen=True):
    """What a partner sees of its own devices."""

    device_id: str
    name: str
    active: bool
    heartbeat_interval_s: int
    last_event_at: datetime | None
    last_test_at: datetime | None
    last_heartbeat_at: datetime | None
    silent: bool


class DeviceRead(msgspec.Struct, frozen=True):
    """The command center's view of a device."""

    id: int
    partner_id: int
    partner_name: str
    device_id: str
    name: str
    location: Point
    contact_phone: str
    active: bool
    heartbeat_interval_s: int
    last_event_at: datetime | None
    last_test_at: datetime | None
    last_heartbeat_at: datetime | None
    silent: bool


class TenantDevicePage(msgspec.Struct, frozen=True):
    """The city's devices in the order of their ``id``; ``next_after`` asks for the next page (``?after=``),
    none: the last. (Device ids are the partners' own and repeat across partners, hence ``id``.)"""

    items: list[DeviceRead]
    next_after: int | None


class CallbackBody(msgspec.Struct, frozen=True):
    """What Sereno POSTs to a partner when its alarm's incident moves (ASAP-style status updates)."""

    partner_id: int
    event_ids: list[str]
    device_id: str
    incident_code: str
    status: str  # dispatched, on_scene, resolved, closed, cancelled, unfounded
    at: datetime
