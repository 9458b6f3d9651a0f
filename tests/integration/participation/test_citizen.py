"""A citizen writes to the municipality: topics, filing exactly once, validation, the citizen's own view."""

from __future__ import annotations

from datetime import datetime

from tests.support.builders import INSIDE, OUTSIDE, new_key
from tests.support.fixtures import decode

_REQUESTS = "/api/v1/participation/requests"


def request_body(**overrides):
    body = {
        "kind": "complaint",
        "topic": "street_light_out",
        "description": "El poste frente al colegio está apagado desde hace una semana.",
        "location": {**INSIDE, "accuracy_m": 8},
        "address": "Jr. Pizarro 512",
    }
    body.update(overrides)
    return body


async def file(client, body=None, key=None, lang="es"):
    headers = {"Accept-Language": lang, "Idempotency-Key": key or new_key()}
    return await client.post(_REQUESTS, json=body or request_body(), headers=headers)


async def view(client, code, token, lang="es"):
    return await client.get(f"{_REQUESTS}/{code}", headers={"X-Tracking-Token": token, "Accept-Language": lang})


async def test_topics_come_in_the_citizens_language_with_department_and_deadline(client):
    spanish = decode(await client.get("/api/v1/participation/topics"))
    english = decode(await client.get("/api/v1/participation/topics", headers={"Accept-Language": "en"}))
    light_es = next(t for t in spanish if t["code"] == "street_light_out")
    light_en = next(t for t in english if t["code"] == "street_light_out")
    assert light_es["name"] == "Poste de luz apagado o dañado" and light_en["name"] == "Street light out or damaged"
    assert light_es["department"] == {"code": "public_lighting", "name": "Alumbrado público"}
    assert light_es["answer_within_h"] == 72 and light_es["needs_location"] is True
    assert {t["code"] for t in spanish} >= {"rubbish_not_collected", "safety_proposal", "municipal_question"}


async def test_request_is_filed_to_the_topics_department_with_its_deadline(client, db):
    response = await file(client, request_body(contact={"name": "Rosa Díaz", "email": "rosa@example.pe"}))
    assert response.status_code == 201, response.text
    created = decode(response)
    assert created["code"].startswith("TST-PC-20") and created["status"] == "received"
    received, due = (datetime.fromisoformat(created[k]) for k in ("received_at", "due_at"))
    assert (due - received).total_seconds() == 72 * 3600

    row = await db.fetchrow(
        """SELECT r.*, d.code AS department_code, c.name, c.email FROM participation_request r
           JOIN department d ON d.id = r.department LEFT JOIN participation_contact c ON c.request = r.id
           WHERE r.code = $1""",
        created["code"],
    )
    assert row["department_code"] == "public_lighting" and row["kind"] == "complaint"
    assert (row["name"], row["email"]) == ("Rosa Díaz", "rosa@example.pe")
    assert row["tracking_token_hash"] != created["tracking_token"]
    # Not an incident: nothing enters the crime workflow or the dispatch queue.
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = $1", row["description"]) == 0


async def test_retry_with_the_same_key_returns_the_original_and_files_nothing_twice(client, db):
    key, body = new_key(), request_body(description="Reintento: basura sin recoger", topic="rubbish_not_collected")
    first, again = decode(await file(client, body, key)), await file(client, body, key)
    assert again.status_code == 201 and decode(again) == first
    assert await db.fetchval("SELECT count(*) FROM participation_request WHERE description = $1",
                             body["description"]) == 1  # fmt: skip

    reused = await file(client, request_body(description="Otro texto"), key)
    assert reused.status_code == 422 and decode(reused)["error"] == "idempotency_key_reused"


async def test_citizen_sees_status_deadline_and_public_timeline_with_a_wrong_token_a_404(client):
    created = decode(await file(client))
    mine = decode(await view(client, created["code"], created["tracking_token"]))
    assert mine["status"] == "received" and mine["status_label"] == "Recibida"
    assert mine["department"]["code"] == "public_lighting" and mine["answer"] is None
    assert [step["kind"] for step in mine["timeline"]] == ["received"]
    assert mine["timeline"][0]["label"] == "Recibimos su solicitud"
    assert "contact" not in mine and "events" not in mine

    wrong = await view(client, created["code"], "0" * 64)
    unknown = await view(client, "TST-PC-2020-999999", created["tracking_token"])
    assert wrong.status_code == unknown.status_code == 404
    assert decode(wrong) == decode(unknown)


async def test_a_place_is_needed_for_a_street_problem_but_not_for_a_suggestion(client):
    placeless = await file(client, request_body(location=None, address=""))
    assert placeless.status_code == 422 and decode(placeless)["error"] == "participation_place_needed"
    address_only = await file(client, request_body(location=None, address="Av. España cuadra 14"))
    assert address_only.status_code == 201, address_only.text
    idea = request_body(kind="suggestion", topic="safety_proposal", location=None, address="")
    assert (await file(client, idea)).status_code == 201


async def test_bad_input_gets_a_clear_error_in_the_citizens_language(client):
    outside = await file(client, request_body(location={**OUTSIDE, "accuracy_m": 5}), lang="en")
    assert outside.status_code == 422 and "outside" in decode(outside)["detail"]
    unknown = await file(client, request_body(topic="potholes_on_mars"))
    assert unknown.status_code == 422 and decode(unknown)["error"] == "unknown_topic"
    assert "potholes_on_mars" in decode(unknown)["detail"]
    blank = await file(client, request_body(description="   "))
    assert blank.status_code == 422
    wrong_kind = await file(client, request_body(kind="order"))
    assert wrong_kind.status_code == 400
    no_key = await client.post(_REQUESTS, json=request_body())
    assert no_key.status_code == 400 and "Idempotency-Key" in decode(no_key)["detail"]
