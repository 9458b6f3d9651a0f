"""Where a text happened: a map link places the incident; no place, a place outside the city or a short link
leaves it without a point, flagged for the dispatcher, and the reply asks for it. The answer to that request
places the same incident instead of opening another."""

from __future__ import annotations

import pytest

from tests.integration.sms.conftest import incidents_from
from tests.integration.sms.test_inbound import ASK, reply_of
from tests.support.builders import INSIDE, OUTSIDE
from tests.support.fixtures import decode


async def needs_location(client, dispatcher, incident_id: int) -> bool:
    response = await client.get(f"/api/v1/incidents/{incident_id}", headers=dispatcher.headers)
    assert response.status_code == 200, response.text
    return decode(response)["needs_location"]


@pytest.mark.parametrize("link", [
    "https://maps.google.com/?q={lat},{lon}",
    "https://www.google.com/maps/place/Mercado/@{lat},{lon},17z",
    "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}",
    "geo:{lat},{lon}",
])
async def test_a_map_link_in_the_text_places_the_incident(gateway, client, dispatcher, link):
    where = link.format(lat=f"{INSIDE['lat']:.4f}", lon=f"{INSIDE['lon']:.4f}")

    reply = reply_of(await gateway.text(f"Venden droga aquí {where}"))

    [incident] = await incidents_from(gateway.sender)
    assert (incident["lat"], incident["lon"]) == pytest.approx((INSIDE["lat"], INSIDE["lon"]))
    assert incident["category"] == "drug_activity" and incident["priority"] == 3
    assert ASK not in reply
    assert not await needs_location(client, dispatcher, incident["id"])


async def test_a_text_without_a_place_is_flagged_and_the_reply_asks_for_it(gateway, client, dispatcher):
    reply = reply_of(await gateway.text("Hay mucho ruido en mi cuadra"))

    [incident] = await incidents_from(gateway.sender)
    assert incident["lat"] is None and incident["sector"] is None
    assert incident["category"] == "noise_disturbance"
    assert reply.endswith(ASK) and incident["code"] in reply
    assert await needs_location(client, dispatcher, incident["id"])
    queue = decode(await client.get("/api/v1/incidents", headers=dispatcher.headers))
    listed = [i for i in queue if i["id"] == incident["id"]]
    assert listed and listed[0]["needs_location"] is True and listed[0]["location"] is None


async def test_a_place_outside_the_city_counts_as_none_and_the_reply_says_so(gateway, client, dispatcher):
    reply = reply_of(await gateway.text(f"Robo en {OUTSIDE['lat']:.4f}, {OUTSIDE['lon']:.4f}"))

    [incident] = await incidents_from(gateway.sender)
    assert incident["lat"] is None
    assert "fuera de Ciudad de Prueba" in reply and reply.endswith(ASK)
    assert await needs_location(client, dispatcher, incident["id"])


async def test_a_short_link_is_kept_for_the_dispatcher_and_coordinates_are_asked_for(gateway):
    text = "Asalto aquí https://maps.app.goo.gl/AbCdEf123"

    reply = reply_of(await gateway.text(text))

    [incident] = await incidents_from(gateway.sender)
    assert incident["lat"] is None and incident["description"] == text
    assert "enlaces acortados" in reply


async def test_the_place_sent_afterwards_locates_the_same_incident(gateway, client, dispatcher):
    reply_of(await gateway.text("Hay un sospechoso rondando las casas"))
    [before] = await incidents_from(gateway.sender)

    reply = reply_of(await gateway.text(f"{INSIDE['lat']:.4f}, {INSIDE['lon']:.4f}"))

    [after] = await incidents_from(gateway.sender)
    assert after["id"] == before["id"] and after["lat"] == pytest.approx(INSIDE["lat"]) and after["sector"] == "NW"
    assert reply == f"Sereno: agregamos la ubicación a su reporte {before['code']}. Gracias."
    assert not await needs_location(client, dispatcher, after["id"])
    detail = decode(await client.get(f"/api/v1/incidents/{after['id']}", headers=dispatcher.headers))
    follow_up = detail["timeline"][-1]
    assert follow_up["kind"] == "sms_followup" and follow_up["data"]["located"] is True


async def test_the_called_number_chooses_the_city(gateway, city):
    reply_of(await gateway.text("Incendio en el mercado"))

    [incident] = await incidents_from(gateway.sender)
    assert incident["tenant"] == city and incident["category"] == "fire"


async def test_a_text_in_english_is_answered_in_english_and_so_is_its_follow_up(gateway, client, dispatcher):
    reply = reply_of(await gateway.text("Someone stole my bag near the market, please help"))

    [incident] = await incidents_from(gateway.sender)
    assert incident["category"] == "robbery_assault"
    assert reply == (
        f"Sereno: we received your report {incident['code']}. If this is an emergency, call 105. "
        "Please send your location (a map link or coordinates) to help us."
    )
    placed = reply_of(await gateway.text(f"{INSIDE['lat']:.4f}, {INSIDE['lon']:.4f}"))  # no words of its own
    assert placed == f"Sereno: we added the location to your report {incident['code']}. Thank you."
    assert not await needs_location(client, dispatcher, incident["id"])
