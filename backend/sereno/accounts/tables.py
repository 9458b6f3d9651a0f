"""Staff accounts (dispatchers, supervisors, officers, analysts, admins, department clerks)."""

from __future__ import annotations

from piccolo.columns import JSONB, BigSerial, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sereno.tenants.tables import Tenant

__all__ = ["StaffAccount", "StaffSession", "AuditEntry", "LoginThrottle", "ROLES", "AGENCIES"]

# clerk: a municipal department's staff, answering citizens' complaints and suggestions (participation/).
ROLES = ("officer", "dispatcher", "supervisor", "analyst", "admin", "clerk")
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


class StaffSession(Table, tablename="staff_session"):
    """A login: the refresh token's id (jti). Logout or a role change revokes it; access tokens are short."""

    id = Varchar(length=64, primary_key=True)
    account = ForeignKey(references=StaffAccount, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    user_agent = Varchar(length=200, default="")


class AuditEntry(Table, tablename="audit_entry"):
    """Staff actions that are not on an incident's timeline (logins, accounts, units). Append-only."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer(null=True)
    at = Timestamptz(default=TimestamptzNow())
    actor_id = Integer(null=True)
    action = Varchar(length=40)
    subject = Varchar(length=80, default="")
    data = JSONB(default="{}")


class LoginThrottle(Table, tablename="login_throttle"):
    """Failed logins per account and per client address, counted atomically across processes."""

    key = Varchar(length=200, primary_key=True)
    failures = Integer(default=0)
    window_ends = Timestamptz(default=TimestamptzNow())
