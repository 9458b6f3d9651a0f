"""Silent alarms from POS terminals: a panic or duress is a silent P1 at the shop, dispatched at once; repeats
join it, restore and cancel are shown on it but never close it, tests and heartbeats create nothing."""

from __future__ import annotations

import pytest
from sereno.core import db as core_db

from tests.integration.alarms.conftest import place_unit
from tests.support.fixtures import decode


async def incident_of(device_id: str) -> int | None:
    async with core_db.connection() as conn:
        return await conn.fetchval(
            "SELECT e.incident_id FROM alarm_event e JOIN alarm_device d ON d.id = e.device "
            "WHERE d.device_id = $1 AND e.incident_id IS NOT NULL ORDER BY e.id DESC LIMIT 1", device_id)


async def staff_view(client, desk, incident_id: int) -> dict:
    response = await client.get(f"/api/v1/incidents/{incident_id}", headers=desk.dispatcher.headers)
    assert response.status_code == 200, response.text
    return decode(response)


@pytest.mark.parametrize("event_type", ["panic", "duress"])
async def test_a_panic_becomes_a_silent_p1_at_the_shop_and_is_auto_dispatched(
    app, client, desk, quiet, processor, shop, event_type
):
    unit_id = await place_unit(desk.tenant_id)

    response = await processor.send(event_type, shop.device_id, operator_code="0042", message="PIN de coacción")
    await app.state.worker.drain()

    assert response.status_code == 200, response.text
    incident = await staff_view(client, desk, await incident_of(shop.device_id))
    assert (incident["priority"], incident["source"], incident["silent"]) == (1, "alarm", True)
    assert incident["category"]["code"] == "robbery_assault"
    assert incident["location"]["lat"] == pytest.approx(shop.lat) and incident["location"]["lon"] == pytest.approx(shop.lon)
    assert incident["status"] == "dispatched"
    assert [a["unit_id"] for a in incident["assignments"]] == [unit_id]
    reported = incident["timeline"][0]
    assert reported["kind"] == "reported" and reported["actor"] == "device"
    assert reported["data"]["silent"] is True and reported["data"]["operator_code"] == "0042"
    assert shop.name in incident["description"]


async def test_the_acknowledgement_is_the_same_whether_or_not_an_incident_was_created(processor, shop):
    panic = decode(await processor.send("panic", shop.device_id, event_id="ack-a"))
    test = decode(await processor.send("test", shop.device_id, event_id="ack-b"))

    assert set(panic) == set(test) == {"event_id", "received_at"}


async def test_repeated_alarms_within_the_window_join_the_open_incident(app, client, desk, quiet, processor, shop):
    await processor.send("panic", shop.device_id)
    first = await incident_of(shop.device_id)
    await processor.send("panic", shop.device_id)
    await processor.send("duress", shop.device_id)
    await app.state.worker.drain()

    assert await incident_of(shop.device_id) == first
    kinds = [e["kind"] for e in (await staff_view(client, desk, first))["timeline"]]
    assert kinds.count("alarm_repeated") == 2


async def test_an_alarm_after_the_window_raises_a_new_incident(processor, shop):
    await processor.send("panic", shop.device_id)
    first = await incident_of(shop.device_id)
    async with core_db.connection() as conn:  # the first alarm was eleven minutes ago (window: ten)
        await conn.execute("UPDATE alarm_event SET received_at = received_at - interval '11 minutes' "
                           "WHERE incident_id = $1", first)

    await processor.send("panic", shop.device_id)

    assert await incident_of(shop.device_id) not in (None, first)


async def test_a_test_event_is_logged_and_acknowledged_but_creates_no_incident(processor, shop):
    response = await processor.send("test", shop.device_id, event_id="evt-test-1")

    assert response.status_code == 200
    assert await incident_of(shop.device_id) is None
    async with core_db.connection() as conn:
        event = await conn.fetchrow("SELECT role, incident_id FROM alarm_event WHERE event_id = 'evt-test-1'")
        last_test = await conn.fetchval("SELECT last_test_at FROM alarm_device WHERE device_id = $1", shop.device_id)
    assert (event["role"], event["incident_id"]) == ("test", None)
    assert last_test is not None


@pytest.mark.parametrize("event_type", ["restore", "cancel"])
async def test_restore_and_cancel_are_shown_on_the_open_incident_and_never_close_it(
    app, client, desk, quiet, processor, shop, event_type
):
    await processor.send("panic", shop.device_id)
    incident_id = await incident_of(shop.device_id)
    await app.state.worker.drain()
    before = (await staff_view(client, desk, incident_id))["status"]

    response = await processor.send(event_type, shop.device_id, message="Falsa alarma, dice el cajero")
    await app.state.worker.drain()

    assert response.status_code == 200
    incident = await staff_view(client, desk, incident_id)
    assert incident["status"] == before
    assert incident["timeline"][-1]["kind"] == f"alarm_{event_type}"
    assert incident["timeline"][-1]["data"]["message"] == "Falsa alarma, dice el cajero"


async def test_a_restore_without_an_open_incident_is_only_logged(processor, shop):
    response = await processor.send("restore", shop.device_id)

    assert response.status_code == 200
    assert await incident_of(shop.device_id) is None


async def test_the_console_queue_shows_the_alarm_as_silent(client, desk, quiet, processor, shop):
    await processor.send("panic", shop.device_id)
    incident_id = await incident_of(shop.device_id)

    response = await client.get("/api/v1/incidents?limit=1000", headers=desk.dispatcher.headers)
    [entry] = [i for i in decode(response) if i["id"] == incident_id]

    assert entry["silent"] is True and entry["priority"] == 1
