"""Open311 client applications and their API keys."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sereno.tenants.tables import Tenant

__all__ = ["Open311Client"]


class Open311Client(Table, tablename="open311_client"):
    """An application allowed to POST service requests to one tenant (GeoReport v2's ``api_key``).

    Keys are 256-bit random strings, so a plain SHA-256 of the key is stored (a slow password hash would add
    nothing against guessing and cost every request); the key itself is shown once, when it is created."""

    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    key_hash = Varchar(length=64, unique=True)
    # The key's first characters, so an administrator can tell keys apart without the key.
    key_prefix = Varchar(length=12)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
