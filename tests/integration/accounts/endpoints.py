"""The authorization contract: every staff endpoint with the roles that may call it, and the public ones.
One table for the HTTP matrix and the socket tests; test_every_route_is_classified keeps it complete."""

from __future__ import annotations

from tests.support.staff import ROLES

__all__ = [
    "ADMINS", "ANY_STAFF", "CALLERS", "HTTP_ENDPOINTS", "NOT_THERE", "OFFICERS", "PARTICIPATION", "PUBLIC",
    "PUBLIC_PREFIXES",
    "READERS", "STAFF_ENDPOINTS", "WRITERS",
]  # fmt: skip

ANY_STAFF = frozenset(ROLES)
READERS = frozenset({"dispatcher", "supervisor", "analyst", "admin"})
WRITERS = frozenset({"dispatcher", "supervisor"})
OFFICERS = frozenset({"officer"})
ADMINS = frozenset({"admin"})

_INCIDENT = "/api/v1/incidents/{incident_id:int}"
_FIELD = "/api/v1/field"
_INBOX = "/api/v1/participation/inbox"
PARTICIPATION = frozenset({"clerk", "supervisor", "admin"})

# (method, route path as the app declares it) -> roles allowed; other staff get 403, anonymous callers 401.
STAFF_ENDPOINTS: dict[tuple[str, str], frozenset[str]] = {
    # sessions (login and refresh are public: see PUBLIC)
    ("POST", "/api/v1/auth/logout"): ANY_STAFF,
    ("GET", "/api/v1/auth/me"): ANY_STAFF,
    # analytics: the committee's staff
    ("GET", "/api/v1/analytics/weekly"): frozenset({"supervisor", "analyst", "admin"}),
    ("GET", "/api/v1/analytics/weekly.html"): frozenset({"supervisor", "analyst", "admin"}),
    ("GET", "/api/v1/analytics/hotspots"): frozenset({"supervisor", "analyst", "admin"}),
    ("GET", "/api/v1/analytics/forecast"): frozenset({"supervisor", "analyst", "admin"}),
    ("GET", "/api/v1/analytics/allocation"): frozenset({"supervisor", "analyst", "admin"}),
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
    ("POST", f"{_INCIDENT}/contact/erase"): frozenset({"supervisor", "admin"}),
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
    # partner devices, as the command center sees them
    ("GET", "/api/v1/alarms/devices"): frozenset({"dispatcher", "supervisor", "admin"}),
    # partners, their keys and devices: administrators
    ("GET", "/api/v1/alarms/partners"): ADMINS,
    ("POST", "/api/v1/alarms/partners"): ADMINS,
    ("PATCH", "/api/v1/alarms/partners/{partner_id:int}"): ADMINS,
    ("POST", "/api/v1/alarms/partners/{partner_id:int}/keys"): ADMINS,
    ("DELETE", "/api/v1/alarms/partners/{partner_id:int}/keys/{key_id:int}"): ADMINS,
    ("PUT", "/api/v1/alarms/partners/{partner_id:int}/devices/{device_id:str}"): ADMINS,
    ("GET", "/api/v1/alarms/partners/{partner_id:int}/devices"): ADMINS,
    ("PATCH", "/api/v1/alarms/partners/{partner_id:int}/devices/{device_id:str}"): ADMINS,
    # citizen participation: department clerks work their queues, supervisors and admins every queue
    **{
        (method, f"{_INBOX}{suffix}"): PARTICIPATION
        for method, suffix in (
            ("GET", ""), ("GET", "/{request_id:int}"), ("POST", "/{request_id:int}/start"),
            ("POST", "/{request_id:int}/answer"), ("POST", "/{request_id:int}/dismiss"),
            ("POST", "/{request_id:int}/transfer"), ("POST", "/{request_id:int}/notes"),
        )
    },
    ("POST", f"{_INBOX}/{{request_id:int}}/reopen"): frozenset({"supervisor", "admin"}),
    ("GET", "/api/v1/participation/departments"): PARTICIPATION,
    ("POST", "/api/v1/participation/departments"): ADMINS,
    ("PATCH", "/api/v1/participation/departments/{code:str}"): ADMINS,
    ("PUT", "/api/v1/participation/departments/{code:str}/members"): ADMINS,
    # live events (tested against a running server below)
    ("WS", "/ws/console"): READERS,
    ("WS", "/ws/field"): OFFICERS,
}

# Deliberately open to anyone: the citizen's side, logging in, the apps' static files.
PUBLIC: set[tuple[str, str]] = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),  # SERENO_METRICS_TOKEN closes it in production
    # transparency: the anonymized public projection, and its page
    ("GET", "/api/v1/public/incidents"),
    ("GET", "/api/v1/public/incidents.geojson"),
    ("GET", "/api/v1/public/incidents.csv"),
    ("GET", "/api/v1/public/incidents.atom"),
    ("GET", "/api/v1/public/stats"),
    ("GET", "/transparencia"),
    ("GET", "/transparencia/{file_path:path}"),
    ("GET", "/transparency"),
    ("GET", "/transparency/{file_path:path}"),
    # Open311 GeoReport v2: GETs read the public projection; POST needs an Open311 api_key, not a staff login
    *{
        ("GET", f"/open311/v2/{name}.{fmt}")
        for name in ("discovery", "services", "requests")
        for fmt in ("json", "xml")
    },
    ("GET", "/open311/v2/services/{name:str}"),
    ("GET", "/open311/v2/requests/{name:str}"),
    ("GET", "/open311/v2/tokens/{name:str}"),
    ("POST", "/open311/v2/requests.json"),
    ("POST", "/open311/v2/requests.xml"),
    # partner alarms: signed with the partner's key (HMAC), not a staff login (tests/integration/alarms)
    ("POST", "/api/v1/alarms"),
    ("GET", "/api/v1/alarms/devices/health"),
    # SMS gateway webhook: signed with the gateway's auth token (Twilio's scheme), not a staff login
    ("POST", "/api/v1/sms/inbound"),
    ("GET", "/api/v1/participation/topics"),
    ("POST", "/api/v1/participation/requests"),
    ("GET", "/api/v1/participation/requests/{code:str}"),  # needs the citizen's tracking token
    ("POST", "/api/v1/participation/requests/{code:str}/subscriptions"),  # idem
    ("GET", "/api/v1/categories"),
    ("GET", "/api/v1/tenant"),
    ("GET", "/api/v1/sectors"),
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
