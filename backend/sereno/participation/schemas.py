"""The contracts of the participation module: what a citizen sends and sees, what the municipality's staff
read and do. Citizen-facing structs never carry staff-internal fields (notes, who answered, contact)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from sereno.core.openapi import IdValue
from sereno.reports.schemas import Location, PhotoRead, TimelineEntry

__all__ = [
    "Kind",
    "MAX_PHOTOS",
    "TopicRead",
    "DepartmentRef",
    "ContactIn",
    "RequestCreate",
    "RequestCreated",
    "RequestRead",
    "InboxItem",
    "InboxPage",
    "InboxDetail",
    "StaffEvent",
    "ContactRead",
    "AnswerIn",
    "DismissIn",
    "TransferIn",
    "NoteIn",
    "DepartmentRead",
    "DepartmentIn",
    "DepartmentPatch",
    "MembersIn",
]

Kind = Literal["complaint", "suggestion", "question"]
MAX_PHOTOS = 3
_Text = Annotated[str, Meta(min_length=1, max_length=4000)]


class DepartmentRef(msgspec.Struct, frozen=True):
    code: str
    name: str


class TopicRead(msgspec.Struct, frozen=True):
    code: str
    name: str
    department: DepartmentRef
    needs_location: bool
    answer_within_h: Annotated[int, Meta(description="The answer is owed within this many hours")]
    icon: str


class ContactIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Optional, seen only by the municipality's staff; the answer always reaches "my reports" too."""

    name: Annotated[str, Meta(max_length=120)] = ""
    phone: Annotated[str, Meta(max_length=32, pattern=r"^[0-9+() .-]*$")] = ""
    email: Annotated[str, Meta(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")] = ""


class RequestCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kind: Kind
    topic: Annotated[
        str, Meta(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$", description="Topic code")
    ]
    description: Annotated[str, Meta(min_length=1, max_length=2000)]
    location: Location | None = None
    address: Annotated[str, Meta(max_length=200, description="A reference: street, number, landmark")] = ""
    contact: ContactIn | None = None
    photo_ids: Annotated[
        list[UUID],
        Meta(
            max_length=MAX_PHOTOS,
            description="Ids of confirmed uploads (POST /api/v1/uploads), attached once",
        ),
    ] = []


class RequestCreated(msgspec.Struct, frozen=True):
    code: str
    tracking_token: Annotated[str, Meta(description="Shown once; keep it to follow the request")]
    status: str
    received_at: datetime
    due_at: datetime


class RequestRead(msgspec.Struct, frozen=True):
    """The citizen's own view of a request: its public timeline and the answer, nothing staff-internal."""

    code: str
    kind: str
    kind_label: str
    topic: DepartmentRef
    department: DepartmentRef
    status: str
    status_label: str
    description: str
    address: str
    location: Location | None
    received_at: datetime
    due_at: datetime
    answer: str | None
    answered_at: datetime | None
    timeline: list[TimelineEntry]
    photos: Annotated[list[PhotoRead], Meta(description="Renditions (metadata removed), once made")]


class InboxItem(msgspec.Struct, frozen=True):
    id: int
    code: str
    kind: str
    topic: DepartmentRef
    department: DepartmentRef
    status: str
    summary: str
    received_at: datetime
    due_at: datetime
    overdue: bool
    hours_left: float


class InboxPage(msgspec.Struct, frozen=True):
    items: list[InboxItem]
    # Open requests per department code, and how many of them are past their deadline.
    open_by_department: dict[str, int]
    overdue_by_department: dict[str, int]
    next_cursor: str | None


class ContactRead(msgspec.Struct, frozen=True):
    name: str
    phone: str
    email: str


class StaffEvent(msgspec.Struct, frozen=True):
    at: datetime
    kind: str
    actor: str
    public: bool
    data: dict


class InboxDetail(msgspec.Struct, frozen=True):
    id: int
    code: str
    kind: str
    topic: DepartmentRef
    department: DepartmentRef
    status: str
    description: str
    address: str
    location: Location | None
    sector: str | None
    received_at: datetime
    due_at: datetime
    overdue: bool
    answer: str | None
    answered_at: datetime | None
    contact: ContactRead | None
    photos: list[PhotoRead]
    events: list[StaffEvent]
    version: int


class AnswerIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: _Text
    version: IdValue | None = None


class DismissIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: _Text
    version: IdValue | None = None


class TransferIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    department: Annotated[str, Meta(min_length=1, max_length=40)]
    note: Annotated[str, Meta(max_length=2000)] = ""
    version: IdValue | None = None


class NoteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: _Text


class DepartmentRead(msgspec.Struct, frozen=True):
    code: str
    name_es: str
    name_en: str
    answer_within_h: int
    active: bool
    open: int
    overdue: int
    members: list[int]


class DepartmentIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
    name_es: Annotated[str, Meta(min_length=1, max_length=120)]
    name_en: Annotated[str, Meta(min_length=1, max_length=120)]
    answer_within_h: Annotated[int, Meta(ge=1, le=24 * 90)] = 120


class DepartmentPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name_es: Annotated[str, Meta(min_length=1, max_length=120)] | None = None
    name_en: Annotated[str, Meta(min_length=1, max_length=120)] | None = None
    answer_within_h: Annotated[int, Meta(ge=1, le=24 * 90)] | None = None
    active: bool | None = None


class MembersIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    account_ids: Annotated[list[IdValue], Meta(max_length=200)]
