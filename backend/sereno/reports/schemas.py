"""The citizen's contract: what a report carries in, and what the citizen may see of it afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

__all__ = [
    "Location",
    "ContactIn",
    "ReportCreate",
    "ReportCreated",
    "ReportRead",
    "TimelineEntry",
    "PhotoRead",
    "CategoryRef",
]

MAX_PHOTOS = 5


class Location(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    lat: Annotated[float, Meta(ge=-90, le=90, description="Latitude, WGS 84")]
    lon: Annotated[float, Meta(ge=-180, le=180, description="Longitude, WGS 84")]
    accuracy_m: (
        Annotated[float, Meta(ge=0, le=100_000, description="The phone's accuracy radius, metres")] | None
    ) = None


class ContactIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Seen only by authorised staff; never in any public output."""

    name: Annotated[str, Meta(max_length=120)] = ""
    phone: Annotated[str, Meta(max_length=32, pattern=r"^[0-9+() .-]*$")] = ""
    # Spaces spelled out, not \s: Python's \s also matches \x1c-\x1f, JSON Schema's (the document's) does not.
    email: Annotated[
        str, Meta(max_length=254, pattern=r"^$|^[^@ \t\n\r\f\v]+@[^@ \t\n\r\f\v]+\.[^@ \t\n\r\f\v]+$")
    ] = ""
    callback_wanted: bool = False


class ReportCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    category: Annotated[str, Meta(min_length=1, max_length=40, description="Category code")]
    location: Location
    description: Annotated[str, Meta(max_length=2000)] = ""
    occurred_at: Annotated[datetime, Meta(tz=True)] | None = None
    anonymous: bool = True
    contact: ContactIn | None = None
    photo_ids: Annotated[list[UUID], Meta(max_length=MAX_PHOTOS)] = []


class ReportCreated(msgspec.Struct, frozen=True):
    code: str
    tracking_token: Annotated[str, Meta(description="Shown once; keep it to follow the report")]
    status: str
    reported_at: datetime


class CategoryRef(msgspec.Struct, frozen=True):
    code: str
    name: str


class TimelineEntry(msgspec.Struct, frozen=True):
    at: datetime
    kind: str
    label: str


class PhotoRead(msgspec.Struct, frozen=True):
    url: str
    thumb_url: str


class ReportRead(msgspec.Struct, frozen=True):
    """The citizen's own view: their report and its public timeline, nothing staff-internal."""

    code: str
    status: str
    status_label: str
    category: CategoryRef
    reported_at: datetime
    occurred_at: datetime | None
    description: str
    location: Location | None
    photos: list[PhotoRead]
    timeline: list[TimelineEntry]
    outcome: str | None
    outcome_label: str | None
    resolved_at: datetime | None
