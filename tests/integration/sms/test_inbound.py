"""A text to the city's number: a P3 incident waiting for triage, the sender as the callback contact, the
reference code texted back; a gateway's retry changes nothing; a forged or unsigned request creates nothing."""

from __future__ import annotations

import pytest
from sereno.app import create_app
from twilio.request_validator import RequestValidator

from tests.integration.sms.conftest import AUTH_TOKEN, SIGNED_URL, incidents_from
from tests.support.builders import INSIDE
from tests.support.fixtures import build_settings, decode, running

ASK = "Envíe su ubicación (enlace de mapa o coordenadas) para ayudarnos."


def reply_of(response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    body = response.text
    assert body.startswith("<?xml") and "<Response><Message>" in body and body.endswith("</Message></Response>")
    return body.split("<Message>")[1].split("</Message>")[0]


async def test_a_signed_text_becomes_a_p3_incident_waiting_for_triage_with_the_sender_to_call_back(
    gateway, city, client, dispatcher
):
    text = f"Me robaron el celular, estoy en {INSIDE['lat']:.4f}, {INSIDE['lon']:.4f}"

    reply = reply_of(await gateway.text(text))

    [incident] = await incidents_from(gateway.sender)
    assert (incident["source"], incident["priority"], incident["status"]) == ("sms", 3, "new")
    assert incident["tenant"] == city and incident["category"] == "robbery_assault"
    assert incident["description"] == text
    assert (incident["phone"], incident["callback_wanted"]) == (gateway.sender, True)
    assert incident["callback_due_at"] is not None
    assert incident["lat"] == pytest.approx(INSIDE["lat"]) and incident["sector"] == "NW"
    assert reply == f"Sereno: recibimos su reporte {incident['code']}. Si es una emergencia llame al 105."
    staff_view = decode(await client.get(f"/api/v1/incidents/{incident['id']}", headers=dispatcher.headers))
    assert staff_view["needs_location"] is False and staff_view["contact"]["phone"] == gateway.sender
    assert staff_view["timeline"][0]["actor"] == "citizen"


async def test_a_retried_message_sid_gets_the_same_reply_and_creates_nothing(gateway):
    form = gateway.form("Accidente, un choque en la esquina")

    first = reply_of(await gateway.post(form))
    again = reply_of(await gateway.post(form))

    assert again == first
    assert len(await incidents_from(gateway.sender)) == 1


@pytest.mark.parametrize("how", ["wrong token", "other url", "no signature", "tampered body"])
async def test_a_request_without_the_gateways_signature_is_refused_and_creates_nothing(gateway, how):
    form = gateway.form("Robo en la plaza")
    if how == "wrong token":
        response = await gateway.post(form, token="not-the-token")
    elif how == "other url":
        response = await gateway.post(form, url="http://127.0.0.1:8000/api/v1/sms/inbound")
    elif how == "no signature":
        response = await gateway.client.post("/api/v1/sms/inbound", data=form)
    else:
        signed = RequestValidator(AUTH_TOKEN).compute_signature(SIGNED_URL, form)
        form["Body"] = "Robo en otra plaza"
        response = await gateway.post(form, signature=signed)

    assert response.status_code == 403
    assert decode(response)["error"] == "sms_signature_invalid"
    assert await incidents_from(gateway.sender) == []


@pytest.mark.parametrize("missing", ["From", "Body", "MessageSid"])
async def test_a_signed_request_missing_a_gateway_field_is_a_bad_request(gateway, missing):
    form = gateway.form("Ruido en el parque")
    if missing == "Body":
        form["Body"] = "   "
    else:
        del form[missing]

    response = await gateway.post(form)

    assert response.status_code == 400
    assert decode(response)["error"] == "missing_field"
    assert await incidents_from(gateway.sender) == []


async def test_without_an_auth_token_the_endpoint_says_it_is_not_configured(media_dir, city, client):
    app = create_app(build_settings(media_dir))
    async with running(app) as unconfigured:
        response = await unconfigured.post("/api/v1/sms/inbound", data={"From": "+51944111222", "Body": "Robo",
                                                                        "MessageSid": "SM" + "1" * 32})

    assert response.status_code == 503
    assert decode(response)["error"] == "sms_not_configured"
    assert await incidents_from("+51944111222") == []


async def test_a_dispatcher_places_a_text_without_a_location_through_triage(gateway, client, dispatcher):
    reply_of(await gateway.text("Hay una pelea frente a la bodega de la esquina"))
    [incident] = await incidents_from(gateway.sender)
    url = f"/api/v1/incidents/{incident['id']}"
    before = decode(await client.get(url, headers=dispatcher.headers))
    assert before["needs_location"] is True

    outside = await client.post(f"{url}/triage", headers=dispatcher.headers,
                                json={"version": before["version"], "location": {"lat": -12.12, "lon": -77.03}})  # fmt: skip
    assert outside.status_code == 422 and decode(outside)["error"] == "outside_service_area"
    placed = await client.post(f"{url}/triage", headers=dispatcher.headers,
                               json={"version": before["version"], "location": {**INSIDE, "accuracy_m": 30}})  # fmt: skip
    assert placed.status_code == 200, placed.text
    after = decode(placed)
    assert after["needs_location"] is False and after["status"] == "triaged"
    [located] = await incidents_from(gateway.sender)
    assert located["lat"] == pytest.approx(INSIDE["lat"]) and located["sector"] == "NW"
    assert any(step.get("data", {}).get("location") for step in after["timeline"])
