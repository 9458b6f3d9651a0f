"""Units, recommendations and field actions as the API shows and takes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from sereno.core.openapi import IdValue
from sereno.incidents.schemas import AssignmentRead
from sereno.reports.schemas import CategoryRef, Location, PhotoRead

__all__ = [
    "MemberRead",
    "UnitRead",
    "Recommendation",
    "DutyIn",
    "PositionIn",
    "PanicIn",
    "AssignIn",
    "CancelIn",
    "FieldActionIn",
    "FieldIncidentRef",
    "FieldAssignment",
    "FieldIncidentIn",
    "UnitCreate",
]

Lat = Annotated[float, Meta(ge=-90, le=90)]
Lon = Annotated[float, Meta(ge=-180, le=180)]
Accuracy = Annotated[float, Meta(ge=0, le=100_000)]
DeviceTime = Annotated[datetime, Meta(tz=True)]


class MemberRead(msgspec.Struct, frozen=True):
    id: int
    full_name: str


class UnitRead(msgspec.Struct, frozen=True):
    id: int
    call_sign: str
    agency: str
    kind: str
    status: str
    emergency: bool
    location: Location | None
    accuracy_m: float | None
    position_at: datetime | None
    stale: bool
    members: list[MemberRead]


class UnitCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    call_sign: Annotated[str, Meta(min_length=1, max_length=20)]
    agency: Annotated[str, Meta(pattern="^(serenazgo|police|fire|medical)$")] = "serenazgo"
    kind: Annotated[str, Meta(pattern="^(car|motorcycle|foot|bicycle|ambulance|engine)$")] = "car"


class Recommendation(msgspec.Struct, frozen=True):
    unit: UnitRead
    distance_m: float
    eta_s: int
    stale: bool


class DutyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    on: bool
    unit_id: IdValue | None = None


class PositionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    lat: Lat
    lon: Lon
    accuracy_m: Accuracy | None = None
    device_at: DeviceTime | None = None


class PanicIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    lat: Lat | None = None
    lon: Lon | None = None
    accuracy_m: Accuracy | None = None
    device_at: DeviceTime | None = None


class AssignIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    unit_ids: Annotated[list[IdValue], Meta(min_length=1, max_length=20)]


class CancelIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(max_length=1000)] = ""


class FieldActionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One tap in the field app. ``action_id`` makes the offline queue's retries exactly-once; ``device_at`` is
    when the officer tapped, which may be long before the signal came back."""

    action_id: UUID
    device_at: DeviceTime | None = None
    outcome: (
        Annotated[str, Meta(pattern="^(resolved_on_scene|arrest|referred_police|referred_other|no_one_found|unfounded|duplicate)$")]
        | None
    ) = None
    notes: Annotated[str, Meta(max_length=4000)] = ""
    photo_ids: Annotated[list[UUID], Meta(max_length=5)] = []


class FieldIncidentRef(msgspec.Struct, frozen=True):
    id: int
    code: str
    status: str
    priority: int
    category: CategoryRef
    location: Location | None
    description: str
    photos: list[PhotoRead]
    callback_phone: str | None
    address_hint: str


class FieldAssignment(AssignmentRead, frozen=True):
    incident: FieldIncidentRef


class FieldIncidentIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    action_id: UUID
    category: Annotated[str, Meta(min_length=1, max_length=40)]
    location: Location
    description: Annotated[str, Meta(max_length=2000)] = ""
    device_at: DeviceTime | None = None
