"""Who may call what: every staff endpoint × every role (and anonymous), officers confined to their own unit,
analysts kept from reporters' contacts, and the WebSockets' doors.

The matrix below is the authorization contract. The application's routes and its OpenAPI document are walked,
so an endpoint added without an entry here fails the suite instead of shipping with whatever guard it
happened to get.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from sereno.core import events
from sereno.core.outbox import OutboxWorker
from litestar.routes import HTTPRoute, WebSocketRoute
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from sereno.core import db as core_db
from sereno.core.events import console_channel
from tests.support.fixtures import decode
from tests.support.staff import (
    ROLES,
    Session,
    StaffMember,
    assign_units,
    create_incident,
    create_staff,
    create_unit,
    field_action,
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


def _declared_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, WebSocketRoute):
            found.add(("WS", route.path))
        elif isinstance(route, HTTPRoute):
            found |= {(method, route.path) for method in route.methods if method not in ("OPTIONS", "HEAD")}
    return found


def _concrete(path: str) -> str:
    path = path.replace("{action:str}", "acknowledge")
    return re.sub(r"\{[a-z_]+:int\}", str(NOT_THERE), path)


async def _call(client, method: str, path: str, headers: dict[str, str]):
    body = None if method == "GET" else {}
    return await client.request(method, _concrete(path), json=body, headers=headers)


@pytest.fixture(scope="module")
async def staff(client, city) -> dict[str, tuple[StaffMember, Session]]:
    """One logged-in account per role. The officer rides in no unit, so field calls change nothing."""
    async with core_db.connection() as conn:
        members = {role: await create_staff(conn, tenant_id=city, role=role) for role in ROLES}
    return {role: (member, await login(client, member)) for role, member in members.items()}


# --- the matrix ---------------------------------------------------------------------------------------------

def test_every_route_is_classified(app):
    declared = _declared_routes(app)
    unclassified = {
        (method, path) for method, path in declared
        if (method, path) not in STAFF_ENDPOINTS.keys() | PUBLIC and not path.startswith(PUBLIC_PREFIXES)
    }
    assert not unclassified, f"add to STAFF_ENDPOINTS (with their roles) or PUBLIC: {sorted(unclassified)}"
    gone = (set(STAFF_ENDPOINTS) | PUBLIC) - declared
    assert not gone, f"the matrix names routes the app no longer has: {sorted(gone)}"


async def test_every_documented_operation_is_classified(client):
    document = decode(await client.get("/schema/openapi.json"))
    known = {(method, re.sub(r":[a-z]+\}", "}", path)) for method, path in set(STAFF_ENDPOINTS) | PUBLIC}
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert ("PATCH", "/api/v1/accounts/{account_id}") in documented  # the two spellings of a path agree
    assert documented - known == set(), "add these operations to STAFF_ENDPOINTS or PUBLIC"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path"), HTTP_ENDPOINTS)
async def test_staff_endpoint_by_caller(client, staff, method: str, path: str, caller: str):
    if caller == "anonymous":
        headers = {}
    elif path == "/api/v1/auth/logout":
        headers = (await login(client, staff[caller][0])).headers  # a session of its own to end
    else:
        headers = staff[caller][1].headers

    response = await _call(client, method, path, headers)

    if caller == "anonymous":
        assert response.status_code == 401, response.text
        assert decode(response)["error"] == "login_required"
    elif caller in STAFF_ENDPOINTS[(method, path)]:
        # Dummy ids and empty bodies may be refused by business rules (400/404/409/422), never by role.
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 403, response.text
        assert decode(response)["error"] == "forbidden_for_role"


async def test_a_dispatcher_cannot_change_roles(client, db, city, staff):
    officer = await create_staff(db, tenant_id=city, role="officer")
    dispatcher = staff["dispatcher"][1]

    for body in ({"role": "supervisor"}, {"active": False}):
        response = await client.patch(f"/api/v1/accounts/{officer.id}", json=body, headers=dispatcher.headers)
        assert response.status_code == 403, response.text
    promote_self = await client.patch(f"/api/v1/accounts/{staff['dispatcher'][0].id}", json={"role": "admin"},
                                      headers=dispatcher.headers)
    assert promote_self.status_code == 403

    row = await db.fetchrow("SELECT role, active FROM staff_account WHERE id = $1", officer.id)
    assert (row["role"], row["active"]) == ("officer", True)
    own_role = await db.fetchval("SELECT role FROM staff_account WHERE id = $1", staff["dispatcher"][0].id)
    assert own_role == "dispatcher"


# --- officers see and change only their own unit's assignments ----------------------------------------------

@dataclass(frozen=True)
class Patrol:
    """Two units with an officer each (``mine`` and ``theirs``), both sent to one incident."""

    mine: Session
    theirs: Session
    incident: dict[str, Any]
    my_assignment: dict[str, Any]
    their_assignment: dict[str, Any]


@pytest.fixture
async def patrol(client, db, city) -> Patrol:
    dispatcher = await login(client, await create_staff(db, tenant_id=city, role="dispatcher"))
    officers = [await create_staff(db, tenant_id=city, role="officer") for _ in range(2)]
    units = [await create_unit(db, tenant_id=city, members=(officer,)) for officer in officers]
    incident = await create_incident(client, dispatcher)
    mine, theirs = await assign_units(client, dispatcher, incident["id"], *units)
    mine_session, theirs_session = [await login(client, officer) for officer in officers]
    return Patrol(mine=mine_session, theirs=theirs_session, incident=incident, my_assignment=mine,
                  their_assignment=theirs)


@pytest.mark.parametrize(("action", "extra"), [
    ("acknowledge", {}), ("decline", {}), ("en_route", {}), ("on_scene", {}),
    ("clear", {"outcome": "resolved_on_scene", "notes": "Nada que reportar."}),
])
async def test_an_officer_cannot_act_on_another_units_assignment(client, db, patrol, action: str,
                                                                 extra: dict):
    theirs = patrol.their_assignment["id"]
    response = await field_action(client, patrol.mine, theirs, action, **extra)

    assert response.status_code == 404, response.text
    row = await db.fetchrow("SELECT status, version FROM assignment WHERE id = $1", theirs)
    assert (row["status"], row["version"]) == ("assigned", patrol.their_assignment["version"])
    # The same tap on the officer's own assignment is accepted.
    own = await field_action(client, patrol.mine, patrol.my_assignment["id"], "acknowledge")
    assert own.status_code == 200, own.text


async def test_an_officer_replaying_another_units_action_does_not_get_its_answer(client, patrol):
    """The exactly-once record of a field action must not answer for a different officer: the unit check comes
    before any replay."""
    body = {"action_id": str(uuid.uuid4()), "device_at": datetime.now(UTC).isoformat()}
    url = f"/api/v1/field/assignments/{patrol.their_assignment['id']}/acknowledge"
    theirs = await client.post(url, json=body, headers=patrol.theirs.headers)
    assert theirs.status_code == 200, theirs.text

    replayed = await client.post(url, json=body, headers=patrol.mine.headers)

    assert replayed.status_code == 404, replayed.text


async def test_an_officer_lists_only_their_own_units_assignments(client, patrol):
    mine = await client.get("/api/v1/field/assignments", headers=patrol.mine.headers)
    theirs = await client.get("/api/v1/field/assignments", headers=patrol.theirs.headers)

    assert mine.status_code == 200 and theirs.status_code == 200
    assert [a["id"] for a in decode(mine)] == [patrol.my_assignment["id"]]
    assert [a["id"] for a in decode(theirs)] == [patrol.their_assignment["id"]]
    assert decode(mine)[0]["incident"]["id"] == patrol.incident["id"]


async def test_an_officer_cannot_take_another_unit_off_duty(client, db, city):
    mine = await create_staff(db, tenant_id=city, role="officer")
    await create_unit(db, tenant_id=city, members=(mine,))
    officer = await login(client, mine)
    their_unit = await create_unit(db, tenant_id=city)  # on duty, free, crew not logged in

    response = await client.post("/api/v1/field/duty", json={"on": False, "unit_id": their_unit},
                                 headers=officer.headers)

    assert response.status_code in (403, 404), response.text
    assert await db.fetchval("SELECT status FROM unit WHERE id = $1", their_unit) == "available"


async def test_an_officer_cannot_read_the_incident_through_the_console_api(client, patrol):
    incident_id = patrol.incident["id"]
    for path in (f"/api/v1/incidents/{incident_id}", f"/api/v1/incidents/{incident_id}/duplicates",
                 "/api/v1/incidents", "/api/v1/units"):
        assert (await client.get(path, headers=patrol.mine.headers)).status_code == 403


# --- reporters' contacts ------------------------------------------------------------------------------------

async def test_analysts_do_not_see_the_reporters_contact_dispatchers_do(client, staff):
    incident = await create_incident(client, staff["dispatcher"][1])

    by_role = {}
    for role in ("analyst", "dispatcher", "supervisor"):
        response = await client.get(f"/api/v1/incidents/{incident['id']}", headers=staff[role][1].headers)
        assert response.status_code == 200, response.text
        by_role[role] = decode(response)

    assert by_role["analyst"]["contact"] is None
    assert by_role["analyst"]["description"] == incident["description"]  # the case itself is readable
    for role in ("dispatcher", "supervisor"):
        assert by_role[role]["contact"] == {"name": "Carmen Quispe", "phone": "+51 944 123 456", "email": "",
                                            "callback_wanted": True}
    assert "Carmen" not in json.dumps(by_role["analyst"])


# --- WebSockets, against a running server -------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory, client) -> Iterator[str]:
    """``sereno run`` on the session's database and secret, so tokens from the in-process app work there too.
    Its outbox worker stays off: the other tests' events are theirs to deliver."""
    port = _free_port()
    env = {
        **os.environ,
        "SERENO_HOST": "127.0.0.1",
        "SERENO_PORT": str(port),
        "SERENO_WORKER_IN_PROCESS": "false",
        "SERENO_DEFAULT_TENANT": "tst",
        "SERENO_MEDIA_DIR": str(tmp_path_factory.mktemp("ws-media")),
        "SERENO_LOG_LEVEL": "info",
    }
    process = subprocess.Popen([sys.executable, "-m", "sereno", "run"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    started = threading.Event()

    def read_log() -> None:  # also keeps the pipe drained for the server's lifetime
        for line in process.stderr:
            log.append(line)
            if "Uvicorn running on" in line:  # logged once the socket is bound
                started.set()
        started.set()  # the server exited

    threading.Thread(target=read_log, daemon=True).start()
    if not started.wait(timeout=60) or process.poll() is not None:
        process.kill()
        raise RuntimeError("sereno run did not start:\n" + "".join(log))
    yield f"ws://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _socket_url(server: str, path: str, token: str | None) -> str:
    return f"{server}{path}" + (f"?token={token}" if token is not None else "")


async def _handshake(server: str, path: str, token: str | None) -> int:
    """101 when the socket opened, else the HTTP status of the refusal."""
    try:
        async with connect(_socket_url(server, path, token), proxy=None, open_timeout=20):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.fixture
async def officer_in_unit(client, db, city) -> Session:
    officer = await create_staff(db, tenant_id=city, role="officer")
    await create_unit(db, tenant_id=city, members=(officer,))
    return await login(client, officer)


@pytest.mark.parametrize("role", sorted(READERS))
async def test_console_socket_opens_for_the_command_center(api_server, staff, role: str):
    assert await _handshake(api_server, "/ws/console", staff[role][1].access_token) == 101


async def test_console_socket_refuses_officers_and_anonymous_callers(api_server, officer_in_unit):
    assert await _handshake(api_server, "/ws/console", officer_in_unit.access_token) == 403
    assert await _handshake(api_server, "/ws/console", None) == 403
    assert await _handshake(api_server, "/ws/console", "not-a-token") == 403


async def test_field_socket_opens_for_an_officer_and_refuses_the_command_center(
    api_server, client, db, city, staff, officer_in_unit
):
    # A dispatcher seated in a unit is still refused: the role decides, not the seat.
    riding = await create_staff(db, tenant_id=city, role="dispatcher")
    await create_unit(db, tenant_id=city, members=(riding,))
    riding_along = await login(client, riding)

    assert await _handshake(api_server, "/ws/field", officer_in_unit.access_token) == 101
    assert await _handshake(api_server, "/ws/field", riding_along.access_token) == 403
    for role in sorted(READERS):
        assert await _handshake(api_server, "/ws/field", staff[role][1].access_token) == 403, role
    assert await _handshake(api_server, "/ws/field", None) == 403


async def test_a_socket_of_a_logged_out_session_is_refused(api_server, client, db, city):
    dispatcher = await login(client, await create_staff(db, tenant_id=city, role="dispatcher"))
    assert (await client.post("/api/v1/auth/logout", headers=dispatcher.headers)).status_code == 204

    assert await _handshake(api_server, "/ws/console", dispatcher.access_token) == 403


async def _until_subscribed(socket: ClientConnection, db, channel: str) -> None:
    """Probes until one comes through: proof that the feed is live before the session ends. The server now
    listens before it accepts, so the first probe normally arrives; the loop only guards against a server
    that accepts first (readiness, not timing)."""
    for n in range(40):
        await db.execute("SELECT pg_notify($1, $2)", channel, json.dumps({"type": "probe", "n": n}))
        try:
            await asyncio.wait_for(socket.recv(), timeout=0.5)
            return
        except TimeoutError:
            continue
    raise AssertionError("the console socket never received its channel")


async def test_an_open_console_socket_stops_streaming_when_its_session_ends(api_server, app, client, db, city):
    """Logging out (or losing the role) must cut the live feed too, not only the HTTP API."""
    dispatcher = await login(client, await create_staff(db, tenant_id=city, role="dispatcher"))
    channel = console_channel(city)
    async with connect(_socket_url(api_server, "/ws/console", dispatcher.access_token), proxy=None) as socket:
        await _until_subscribed(socket, db, channel)
        assert (await client.post("/api/v1/auth/logout", headers=dispatcher.headers)).status_code == 204
        # The session's end goes out through the outbox like every live event: deliver the live events.
        live = OutboxWorker({events.TOPIC: app.state.worker.handlers[events.TOPIC]})
        await live.drain(max_rounds=10_000)
        await db.execute("SELECT pg_notify($1, $2)", channel,
                         json.dumps({"type": "incident.updated", "data": {"after": "logout"}}))

        received_after_logout = []
        try:
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
                # Events published before the logout may still be in flight; only the marker matters.
                if message.get("data", {}).get("after") == "logout":
                    received_after_logout.append(message)
                    break
        except (ConnectionClosed, TimeoutError):
            pass  # closed, or kept open but silent: either way nothing leaks
    assert received_after_logout == [], "a logged-out session still receives the console's live events"
