"""Fixtures shared by the authorization tests."""

from __future__ import annotations


import pytest


from sereno.core import db as core_db
from tests.support.staff import (
    ROLES,
    Session,
    StaffMember,
    create_staff,
    login,
)

ANY_STAFF = frozenset(ROLES)
READERS = frozenset({"dispatcher", "supervisor", "analyst", "admin"})
WRITERS = frozenset({"dispatcher", "supervisor"})
OFFICERS = frozenset({"officer"})
ADMINS = frozenset({"admin"})

_INCIDENT = "/api/v1/incidents/{incident_id:int}"
_FIELD = "/api/v1/field"

# (method, route path as the app declares it) -> roles allowed; other staff get 403, anonymous callers 401.
STAFF_ENDPOINTS: dict[tuple[str, str], frozenset[str]] = {
    # sessions (login and refresh are public: see PUBLIC)
    ("POST", "/api/v1/auth/logout"): ANY_STAFF,
    ("GET", "/api/v1/auth/me"): ANY_STAFF,
    # accounts: admins only
    ("GET", "/api/v1/accounts"): ADMINS,
    ("POST", "/api/v1/accounts"): ADMINS,
    ("PATCH", "/api/v1/accounts/{account_id:int}"): ADMINS,
    # the command center: everyone but officers reads, dispatchers and supervisors write
    ("GET", "/api/v1/incidents"): READERS,
    ("POST", "/api/v1/incidents"): WRITERS,
    ("GET", _INCIDENT): READERS,
    ("POST", f"{_INCIDENT}/triage"): WRITERS,
    ("POST", f"{_INCIDENT}/notes"): WRITERS,
    ("GET", f"{_INCIDENT}/duplicates"): READERS,
    ("POST", f"{_INCIDENT}/merge"): WRITERS,
    ("POST", f"{_INCIDENT}/unfounded"): WRITERS,
    ("POST", f"{_INCIDENT}/cancel"): WRITERS,
    ("POST", f"{_INCIDENT}/close"): WRITERS,
    ("POST", f"{_INCIDENT}/reopen"): frozenset({"supervisor"}),
    ("POST", f"{_INCIDENT}/callback"): WRITERS,
    ("GET", f"{_INCIDENT}/recommendations"): READERS,
    ("POST", f"{_INCIDENT}/assignments"): WRITERS,
    ("POST", "/api/v1/assignments/{assignment_id:int}/cancel"): WRITERS,
    ("GET", "/api/v1/units"): READERS,
    ("POST", "/api/v1/units"): frozenset({"supervisor", "admin"}),
    ("POST", "/api/v1/units/{unit_id:int}/clear-emergency"): WRITERS,
    # the field app: officers only
    ("POST", f"{_FIELD}/duty"): OFFICERS,
    ("POST", f"{_FIELD}/position"): OFFICERS,
    ("POST", f"{_FIELD}/panic"): OFFICERS,
    ("GET", f"{_FIELD}/assignments"): OFFICERS,
    ("POST", f"{_FIELD}/assignments/{{assignment_id:int}}/{{action:str}}"): OFFICERS,
    ("POST", f"{_FIELD}/incidents"): OFFICERS,
    # push on any staff device
    ("POST", "/api/v1/push/subscriptions"): ANY_STAFF,
    ("DELETE", "/api/v1/push/subscriptions"): ANY_STAFF,
    # live events (tested against a running server below)
    ("WS", "/ws/console"): READERS,
    ("WS", "/ws/field"): OFFICERS,
}

# Deliberately open to anyone: the citizen's side, logging in, the apps' static files.
PUBLIC: set[tuple[str, str]] = {
    ("GET", "/healthz"),
    ("GET", "/api/v1/categories"),
    ("GET", "/api/v1/tenant"),
    ("POST", "/api/v1/reports"),
    ("GET", "/api/v1/reports/{code:str}"),  # needs the citizen's tracking token
    ("POST", "/api/v1/reports/{code:str}/subscriptions"),  # idem
    ("POST", "/api/v1/uploads"),
    ("POST", "/api/v1/uploads/{upload_id:uuid}/complete"),
    ("PUT", "/api/v1/uploads/content/{key:path}"),  # signed URL
    ("GET", "/media/{key:path}"),  # derivatives only, unguessable keys
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("GET", "/api/v1/push/vapid-public-key"),
    ("GET", "/"),
    ("GET", "/sw.js"),
    ("GET", "/manifest.webmanifest"),
    ("GET", "/app/{file_path:path}"),
    ("GET", "/shared/{file_path:path}"),
    ("GET", "/field"),
    ("GET", "/field/sw.js"),
    ("GET", "/field/{file_path:path}"),
    ("GET", "/console"),
    ("GET", "/console/{file_path:path}"),
}
# Litestar's own OpenAPI document and viewers.
PUBLIC_PREFIXES = ("/schema",)

HTTP_ENDPOINTS = sorted(key for key in STAFF_ENDPOINTS if key[0] != "WS")
NOT_THERE = 987_654_321  # an id no row has: authorization must be decided before anything is looked up
CALLERS = (*ROLES, "anonymous")


@pytest.fixture(scope="module")
async def staff(client, city) -> dict[str, tuple[StaffMember, Session]]:
    """One logged-in account per role. The officer rides in no unit, so field calls change nothing."""
    async with core_db.connection() as conn:
        members = {role: await create_staff(conn, tenant_id=city, role=role) for role in ROLES}
    return {role: (member, await login(client, member)) for role, member in members.items()}
