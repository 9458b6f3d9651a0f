"""Sensor partners (gunshot detection, camera analytics, panic poles): the tenant's mapping gives category and
priority; a confident detection is dispatched, a doubtful one waits for triage; a sensor may report where."""

from __future__ import annotations

import pytest
from sereno.alarms import partners
from sereno.core import db as core_db

from tests.integration.alarms.conftest import new_site, place_unit
from tests.integration.alarms.test_alarms import incident_of, staff_view
from tests.support.builders import OUTSIDE


async def test_a_confident_gunshot_is_a_p1_dispatched_at_once(app, client, desk, quiet, sensors):
    site = await new_site(sensors, name="Detector Plaza de Armas")
    unit_id = await place_unit(desk.tenant_id)

    response = await sensors.send("gunshot", site.device_id, confidence=0.93,
                                  media_url="https://clips.example/g/1.mp4")
    await app.state.worker.drain()

    assert response.status_code == 200, response.text
    incident = await staff_view(client, desk, await incident_of(site.device_id))
    assert (incident["priority"], incident["category"]["code"], incident["source"]) == (1, "other", "sensor")
    assert incident["silent"] is False
    assert incident["status"] == "dispatched" and incident["assignments"][0]["unit_id"] == unit_id
    assert incident["timeline"][0]["data"]["media_url"] == "https://clips.example/g/1.mp4"


async def test_a_low_confidence_detection_goes_to_triage_not_to_a_unit(app, client, desk, quiet, sensors):
    site = await new_site(sensors)
    await place_unit(desk.tenant_id)

    await sensors.send("gunshot", site.device_id, confidence=0.5)
    await app.state.worker.drain()

    incident = await staff_view(client, desk, await incident_of(site.device_id))
    assert incident["status"] == "new" and incident["assignments"] == []
    assert incident["timeline"][0]["data"]["needs_triage"] == "low_confidence"


async def test_a_camera_reports_where_it_saw_it(client, desk, sensors):
    site = await new_site(sensors, name="Cámara Av. España")
    seen = {"lat": -8.1120, "lon": -79.0210}

    response = await sensors.send("camera_intrusion", site.device_id, confidence=0.8, location=seen)

    assert response.status_code == 200, response.text
    incident = await staff_view(client, desk, await incident_of(site.device_id))
    assert (incident["priority"], incident["category"]["code"]) == (2, "suspicious_activity")
    assert incident["location"]["lat"] == pytest.approx(seen["lat"])
    assert incident["location"]["lon"] == pytest.approx(seen["lon"])


async def test_a_location_outside_the_city_is_refused(sensors):
    site = await new_site(sensors)

    response = await sensors.send("camera_intrusion", site.device_id, confidence=0.8, location=OUTSIDE)

    assert response.status_code == 422
    assert await incident_of(site.device_id) is None


async def test_the_tenants_own_mapping_overrides_the_default(client, desk, quiet, sensors):
    await partners.set_mapping(tenant_id=desk.tenant_id, event_type="glass_break", category_code="vandalism",
                               priority=2, min_confidence=0.9)
    site = await new_site(sensors)

    response = await sensors.send("glass_break", site.device_id, confidence=0.7)

    assert response.status_code == 200, response.text
    incident = await staff_view(client, desk, await incident_of(site.device_id))
    assert (incident["category"]["code"], incident["priority"]) == ("vandalism", 2)
    assert incident["timeline"][0]["data"]["needs_triage"] == "low_confidence"


async def test_an_event_type_without_any_mapping_is_refused(sensors):
    site = await new_site(sensors)

    response = await sensors.send("alien_landing", site.device_id, confidence=1.0)

    assert response.status_code == 422
    async with core_db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM alarm_event WHERE event_type = 'alien_landing'") == 0
