"""Staff accounts (dispatchers, supervisors, officers, analysts, admins)."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from sereno.tenants.tables import Tenant

__all__ = ["StaffAccount", "ROLES", "AGENCIES"]

ROLES = ("officer", "dispatcher", "supervisor", "analyst", "admin")
AGENCIES = ("serenazgo", "police", "fire", "medical")


class StaffAccount(Table, tablename="staff_account"):
    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    username = Varchar(length=80, unique=True)
    full_name = Varchar(length=120)
    role = Varchar(length=16)
    agency = Varchar(length=16, default="serenazgo")
    password_hash = Text()
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
