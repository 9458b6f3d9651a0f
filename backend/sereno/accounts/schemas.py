"""Staff sessions and accounts as the API shows them."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

__all__ = [
    "StaffPrincipal",
    "LoginIn",
    "RefreshIn",
    "UnitRef",
    "Me",
    "TokenPair",
    "AccountIn",
    "AccountPatch",
    "AccountRead",
]


class StaffPrincipal(msgspec.Struct, frozen=True):
    """Who is calling: resolved from the access token and checked against the session on every request."""

    id: int
    tenant_id: int
    tenant_slug: str
    username: str
    full_name: str
    role: str
    agency: str
    unit_id: int | None
    session_id: str


class LoginIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: Annotated[str, Meta(min_length=1, max_length=80)]
    password: Annotated[str, Meta(min_length=1, max_length=200)]


class RefreshIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    refresh_token: Annotated[str, Meta(min_length=10, max_length=2000)]


class UnitRef(msgspec.Struct, frozen=True):
    id: int
    call_sign: str


class Me(msgspec.Struct, frozen=True):
    id: int
    username: str
    full_name: str
    role: str
    agency: str
    tenant: str
    unit: UnitRef | None


class TokenPair(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    expires_in: int
    user: Me


class AccountIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: Annotated[str, Meta(min_length=3, max_length=80, pattern=r"^[a-z0-9._-]+$")]
    full_name: Annotated[str, Meta(min_length=1, max_length=120)]
    role: str
    agency: str = "serenazgo"
    password: Annotated[str, Meta(min_length=12, max_length=200)] = ""


class AccountPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    role: str | None = None
    active: bool | None = None
    full_name: Annotated[str, Meta(min_length=1, max_length=120)] | None = None


class AccountRead(msgspec.Struct, frozen=True):
    id: int
    username: str
    full_name: str
    role: str
    agency: str
    active: bool
