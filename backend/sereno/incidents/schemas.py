"""The command center's view of incidents (staff only; public schemas live elsewhere and never share these)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from sereno.core.openapi import BigIdValue
from sereno.reports.schemas import CategoryRef, ContactIn, Location, PhotoRead

__all__ = [
    "SectorRef",
    "UnitOnIncident",
    "IncidentSummary",
    "AssignmentRead",
    "TimelineItem",
    "ContactRead",
    "IncidentDetail",
    "IncidentCreate",
    "TriageIn",
    "NoteIn",
    "MergeIn",
    "ReasonIn",
    "VersionIn",
    "CallbackIn",
    "DuplicateCandidate",
]

Priority = Annotated[int, Meta(ge=1, le=4)]
Version = Annotated[int, Meta(ge=1)]


class SectorRef(msgspec.Struct, frozen=True):
    code: str
    name: str


class UnitOnIncident(msgspec.Struct, frozen=True):
    unit_id: int
    call_sign: str
    status: str


class IncidentSummary(msgspec.Struct, frozen=True):
    id: int
    code: str
    status: str
    priority: int
    category: CategoryRef
    location: Location | None
    sector: SectorRef | None
    reported_at: datetime
    age_s: int
    source: str
    callback_due_at: datetime | None
    callback_overdue: bool
    units: list[UnitOnIncident]
    escalated: bool
    version: int
    # Raised by a partner's silent alarm (POS panic/duress): nothing may ever reach the device or the site.
    silent: bool
    # No place known yet (an SMS that gave none): the dispatcher has to find out where.
    needs_location: bool


class AssignmentRead(msgspec.Struct, frozen=True):
    id: int
    incident_id: int
    unit_id: int
    call_sign: str
    status: str
    assigned_at: datetime
    ack_deadline: datetime | None
    acknowledged_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    cleared_at: datetime | None
    outcome: str | None
    notes: str
    escalated: bool
    version: int


class TimelineItem(msgspec.Struct, frozen=True):
    at: datetime
    kind: str
    actor: str
    data: dict[str, Any]


class ContactRead(msgspec.Struct, frozen=True):
    name: str
    phone: str
    email: str
    callback_wanted: bool


class IncidentDetail(IncidentSummary, frozen=True):
    """The summary's fields plus what the detail panel shows."""

    description: str
    contact: ContactRead | None
    photos: list[PhotoRead]
    timeline: list[TimelineItem]
    assignments: list[AssignmentRead]
    duplicate_of: int | None
    outcome: str | None


class IncidentCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A call taken by phone or radio, entered by a dispatcher."""

    category: Annotated[str, Meta(min_length=1, max_length=40)]
    location: Location
    description: Annotated[str, Meta(max_length=2000)] = ""
    priority: Priority | None = None
    source: Annotated[str, Meta(pattern="^(phone|operator|radio)$")] = "phone"
    contact: ContactIn | None = None


class TriageIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: Version
    category: Annotated[str, Meta(min_length=1, max_length=40)] | None = None
    priority: Priority | None = None
    note: Annotated[str, Meta(max_length=2000)] = ""
    # Where it happened, when the report had no point (a text message) or a wrong one: set by the dispatcher.
    location: Location | None = None


class NoteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: Annotated[str, Meta(min_length=1, max_length=2000)]


class MergeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: Version
    primary_id: BigIdValue


class ReasonIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: Version
    reason: Annotated[str, Meta(min_length=1, max_length=1000)]


class VersionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: Version


class CallbackIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    note: Annotated[str, Meta(max_length=2000)] = ""


class ContactEraseIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A reporter's request to erase their personal data (Ley 29733): why, for the record."""

    reason: Annotated[str, Meta(min_length=3, max_length=500)]


class DuplicateCandidate(msgspec.Struct, frozen=True):
    incident: IncidentSummary
    distance_m: float
