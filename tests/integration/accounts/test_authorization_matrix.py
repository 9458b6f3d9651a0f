"""Who may call what: every staff endpoint × every role (and anonymous), officers confined to their own unit,
analysts kept from reporters' contacts (the WebSockets' doors: test_socket_authorization.py).

The matrix below is the authorization contract. The application's routes and its OpenAPI document are walked,
so an endpoint added without an entry here fails the suite instead of shipping with whatever guard it
happened to get.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from litestar.routes import HTTPRoute, WebSocketRoute

from tests.support.fixtures import decode
from tests.integration.accounts.endpoints import (
    CALLERS,
    HTTP_ENDPOINTS,
    NOT_THERE,
    PUBLIC,
    PUBLIC_PREFIXES,
    STAFF_ENDPOINTS,
)
from tests.support.staff import (
    Session,
    assign_units,
    create_incident,
    create_staff,
    create_unit,
    field_action,
    login,
)


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
