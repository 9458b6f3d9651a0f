"""Citizen report intake: happy path, exactly-once retries, validation at the edge, tracking rules."""

from __future__ import annotations

import asyncio

from tests.support.builders import INSIDE, OUTSIDE, new_key, report_body
from tests.support.fixtures import decode


async def _post(client, body, key=None, lang="es", **headers):
    headers = {"Accept-Language": lang, **headers}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post("/api/v1/reports", json=body, headers=headers)


async def test_report_is_filed_with_code_token_sector_and_first_timeline_event(client, db):
    response = await _post(client, report_body(), key=new_key())
    assert response.status_code == 201, response.text
    created = decode(response)
    assert created["code"].startswith("TST-20") and len(created["code"].split("-")[-1]) == 6
    assert created["status"] == "new" and len(created["tracking_token"]) == 64

    row = await db.fetchrow(
        """SELECT i.*, s.code AS sector_code, ST_Y(i.location::geometry) AS lat, ST_X(i.location::geometry) AS lon
           FROM incident i LEFT JOIN sector s ON s.id = i.sector WHERE i.code = $1""",
        created["code"],
    )
    assert row["sector_code"] == "NW"
    assert (round(row["lat"], 4), round(row["lon"], 4)) == (INSIDE["lat"], INSIDE["lon"])
    assert row["accuracy_m"] == 12.5 and row["priority"] == 1 and row["source"] == "app"
    assert row["tracking_token_hash"] != created["tracking_token"]  # only the hash is stored
    events = await db.fetch("SELECT kind, actor_type, public FROM incident_event WHERE incident = $1", row["id"])
    assert [(e["kind"], e["actor_type"], e["public"]) for e in events] == [("reported", "citizen", True)]


async def test_retry_with_same_idempotency_key_returns_original_report(client, db):
    key, body = new_key(), report_body(description="Retry test")
    first = decode(await _post(client, body, key=key))
    second_response = await _post(client, body, key=key)
    assert second_response.status_code == 201
    assert decode(second_response) == first
    assert await db.fetchval("SELECT count(*) FROM incident WHERE code = $1", first["code"]) == 1
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = 'Retry test'") == 1


async def test_concurrent_retries_with_one_key_create_exactly_one_report(client, db):
    key, body = new_key(), report_body(description="Concurrent retries")
    responses = await asyncio.gather(*(_post(client, body, key=key) for _ in range(8)))
    codes = {decode(r)["code"] for r in responses}
    assert {r.status_code for r in responses} == {201} and len(codes) == 1
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = 'Concurrent retries'") == 1


async def test_same_key_with_another_body_is_refused(client, db):
    key = new_key()
    assert (await _post(client, report_body(description="first body"), key=key)).status_code == 201
    response = await _post(client, report_body(description="second body"), key=key)
    assert response.status_code == 422
    assert decode(response)["error"] == "idempotency_key_reused"
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = 'second body'") == 0


async def test_missing_idempotency_key_is_a_clear_400(client):
    response = await _post(client, report_body())
    assert response.status_code == 400
    assert "Idempotency-Key" in decode(response)["detail"]


async def test_location_outside_service_area_is_refused_in_the_citizens_language(client, db):
    body = report_body(description="outside", location={**OUTSIDE, "accuracy_m": 5})
    es = await _post(client, body, key=new_key(), lang="es-PE,es;q=0.9")
    en = await _post(client, body, key=new_key(), lang="en-US,en;q=0.9")
    assert es.status_code == en.status_code == 422
    assert decode(es)["error"] == "outside_service_area"
    assert "fuera del área de servicio" in decode(es)["detail"]
    assert "outside" in decode(en)["detail"] and "service area" in decode(en)["detail"]
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = 'outside'") == 0


async def test_coordinates_that_are_not_numbers_or_out_of_range_are_400(client):
    for location in (
        {"lat": "abc", "lon": -79.03},
        {"lat": 91, "lon": -79.03},
        {"lat": -8.1, "lon": -181},
        {"lat": None, "lon": -79.03},
    ):
        response = await _post(client, report_body(location=location), key=new_key())
        assert response.status_code == 400, location
        assert "location" in decode(response)["detail"]


async def test_bad_input_gets_4xx_never_500(client):
    cases = [
        report_body(description="x" * 2001),
        report_body(category=""),
        report_body(photo_ids=["not-a-uuid"]),
        report_body(occurred_at="yesterday"),
        report_body(occurred_at="2026-01-01T10:00:00"),  # no time zone
        report_body(unexpected_field=1),
        report_body(photo_ids=[new_key() for _ in range(6)]),
    ]
    for body in cases:
        assert (await _post(client, body, key=new_key())).status_code == 400, body
    unknown = await _post(client, report_body(category="alien_landing"), key=new_key())
    assert unknown.status_code == 422 and decode(unknown)["error"] == "unknown_category"
    raw = await client.post(
        "/api/v1/reports", content=b"{not json", headers={"Idempotency-Key": new_key(), "Content-Type": "application/json"}
    )
    assert raw.status_code == 400


async def test_contact_is_stored_apart_and_never_shown_to_the_tracking_view(client, db):
    body = report_body(
        anonymous=False,
        description="with contact",
        contact={"name": "Rosa Quispe", "phone": "+51 944 123 456", "callback_wanted": True},
    )
    created = decode(await _post(client, body, key=new_key()))
    contact = await db.fetchrow(
        "SELECT c.* FROM reporter_contact c JOIN incident i ON i.id = c.incident WHERE i.code = $1", created["code"]
    )
    assert contact["name"] == "Rosa Quispe" and contact["callback_wanted"] is True
    view = await client.get(
        f"/api/v1/reports/{created['code']}", headers={"X-Tracking-Token": created["tracking_token"]}
    )
    assert view.status_code == 200
    assert "Rosa" not in view.text and "944" not in view.text


async def test_callback_without_phone_or_email_is_refused(client):
    body = report_body(anonymous=False, contact={"name": "Ana", "callback_wanted": True})
    response = await _post(client, body, key=new_key())
    assert response.status_code == 422 and decode(response)["error"] == "contact_needs_phone_or_email"


async def test_tracking_view_needs_the_right_token_and_hides_existence_otherwise(client):
    created = decode(await _post(client, report_body(description="track me"), key=new_key()))
    code, token = created["code"], created["tracking_token"]
    ok = await client.get(f"/api/v1/reports/{code}", headers={"X-Tracking-Token": token, "Accept-Language": "en"})
    assert ok.status_code == 200
    view = decode(ok)
    assert view["status"] == "new" and view["status_label"] == "Received"
    assert [e["kind"] for e in view["timeline"]] == ["reported"]
    assert view["category"] == {"code": "robbery_assault", "name": "Robbery / assault"}

    wrong = await client.get(f"/api/v1/reports/{code}", headers={"X-Tracking-Token": "0" * 64})
    missing = await client.get("/api/v1/reports/TST-2026-999999", headers={"X-Tracking-Token": token})
    no_token = await client.get(f"/api/v1/reports/{code}")
    assert wrong.status_code == missing.status_code == no_token.status_code == 404
    assert decode(wrong) == decode(missing)  # nothing tells a wrong token from an unknown code


async def test_categories_follow_accept_language(client):
    es = decode(await client.get("/api/v1/categories"))
    en = decode(await client.get("/api/v1/categories", headers={"Accept-Language": "en"}))
    assert {c["code"] for c in es} >= {"robbery_assault", "accident", "suspicious_activity", "noise_disturbance",
                                        "other", "fire", "medical_emergency", "domestic_violence", "vandalism",
                                        "drug_activity"}
    by_code_es = {c["code"]: c for c in es}
    by_code_en = {c["code"]: c for c in en}
    assert by_code_es["accident"]["name"] == "Accidente de tránsito"
    assert by_code_en["accident"]["name"] == "Traffic accident"
    assert by_code_es["domestic_violence"]["sensitive"] is True


async def test_timeline_is_append_only(db, client):
    import asyncpg
    import pytest

    created = decode(await _post(client, report_body(description="append only"), key=new_key()))
    incident_id = await db.fetchval("SELECT id FROM incident WHERE code = $1", created["code"])
    with pytest.raises(asyncpg.PostgresError):
        await db.execute("UPDATE incident_event SET kind = 'tampered' WHERE incident = $1", incident_id)
    with pytest.raises(asyncpg.PostgresError):
        await db.execute("DELETE FROM incident_event WHERE incident = $1", incident_id)


async def test_sectors_are_published_as_geojson_for_maps(client):
    collection = decode(await client.get("/api/v1/sectors"))
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in collection["features"]] == ["NE", "NW", "SE", "SW"]
    north_west = next(f for f in collection["features"] if f["id"] == "NW")
    assert north_west["geometry"]["type"] == "MultiPolygon" and north_west["properties"]["name"] == "Sector NW"
    lons = [p[0] for p in north_west["geometry"]["coordinates"][0][0]]
    assert min(lons) == -79.05 and max(lons) == -79.03
