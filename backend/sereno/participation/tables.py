"""Citizen participation: complaints, suggestions and questions to the municipality, outside the crime
workflow. Each goes to a department's queue and is owed an answer by a deadline."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigInt,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
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
from sereno.tenants.tables import Tenant

__all__ = [
    "Department",
    "DepartmentMember",
    "ParticipationTopic",
    "ParticipationRequest",
    "ParticipationContact",
    "ParticipationEvent",
]


class Department(Table, tablename="department"):
    """A municipal office that answers citizens (public lighting, solid waste, enforcement...)."""

    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=40)
    name_es = Varchar(length=120)
    name_en = Varchar(length=120)
    # The answer is owed within this many hours of receipt (a topic may set its own).
    answer_within_h = Integer(default=120)
    active = Boolean(default=True)


class DepartmentMember(Table, tablename="department_member"):
    """The clerks who work a department's queue."""

    id = Serial(primary_key=True)
    department = ForeignKey(references=Department, null=False, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(references=StaffAccount, null=False, on_delete=OnDelete.cascade, index=True)


class ParticipationTopic(Table, tablename="participation_topic"):
    """What a citizen picks in the app ("street light out"); it decides the department."""

    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=40)
    name_es = Varchar(length=120)
    name_en = Varchar(length=120)
    department = ForeignKey(references=Department, null=False, on_delete=OnDelete.restrict)
    answer_within_h = Integer(null=True, default=None)  # None: the department's
    # Whether the form asks for a place (a broken light has one; an idea for an ordinance does not).
    needs_location = Boolean(default=False)
    icon = Varchar(length=40, default="")
    sort_order = Integer(default=100)
    active = Boolean(default=True)


class ParticipationRequest(Table, tablename="participation_request"):
    id = BigSerial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=24, unique=True)  # TRU-PC-2026-000045
    kind = Varchar(length=12)  # complaint | suggestion | question
    topic = ForeignKey(references=ParticipationTopic, null=False, on_delete=OnDelete.restrict)
    department = ForeignKey(references=Department, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=12, default="received")  # received | in_progress | answered | dismissed
    description = Text(default="")
    location = Geography(
        geometry_type="Point", srid=4326, null=True, index=True, index_method=IndexMethod.gist
    )
    accuracy_m = Integer(null=True, default=None)
    address = Varchar(length=200, default="")
    language = Varchar(length=5, default="es")  # the citizen's, for the answer's labels and pushes
    tracking_token_hash = Varchar(length=64)
    received_at = Timestamptz(default=TimestamptzNow())
    due_at = Timestamptz()
    updated_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)
    answer = Text(default="")
    answered_by = Integer(null=True, default=None)
    # Set once by the worker when the deadline passes unanswered (the console flags it from then on).
    overdue_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class ParticipationContact(Table, tablename="participation_contact"):
    """How to reach the citizen, apart from the request and read by staff only (Ley 29733)."""

    id = BigSerial(primary_key=True)
    request = ForeignKey(references=ParticipationRequest, null=False, on_delete=OnDelete.cascade, unique=True)
    name = Varchar(length=120, default="")
    phone = Varchar(length=40, default="")
    email = Varchar(length=200, default="")


class ParticipationEvent(Table, tablename="participation_event"):
    """The request's timeline and audit trail: append-only (a trigger refuses updates and deletes)."""

    id = BigSerial(primary_key=True)
    request = BigInt(index=True)
    tenant_id = Integer()
    at = Timestamptz(default=TimestamptzNow())
    kind = Varchar(length=24)
    actor_type = Varchar(length=12, default="staff")  # citizen | staff | system
    actor_id = Integer(null=True, default=None)
    public = Boolean(default=False)  # shown on the citizen's timeline
    data = JSONB(default="{}")
