"""Device health: a partner reads its own devices' last event, test and heartbeat; a device that misses its
interval (× 1.5) is flagged silent on the console and in the staff device list (a page at a time), until it is
heard again or deactivated; a reactivated device gets a whole interval to be heard before it is flagged again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import msgspec
import pytest
from sereno.alarms import service
from sereno.core import db as core_db

from tests.integration.alarms.conftest import SHOP, admin_headers, new_partner, new_site
from tests.integration.alarms.partner import PartnerApi, Site
from tests.integration.alarms.test_signatures import refused
from tests.support.builders import INSIDE
from tests.support.fixtures import decode


async def test_a_partner_reads_its_own_devices_health(processor, sensors):
    site = await new_site(processor, heartbeat_s=300)
    other = await new_site(sensors)
    await processor.send("heartbeat", site.device_id)
    await processor.send("test", site.device_id)

    response = await processor.health()

    assert response.status_code == 200, response.text
    [device] = decode(response)
    assert device["device_id"] == site.device_id != other.device_id
    assert device["last_heartbeat_at"] and device["last_test_at"] and device["last_event_at"]
    assert device["silent"] is False


async def test_device_health_needs_a_valid_signature(processor):
    assert refused(await processor.health(key="ask_wrong"))
    assert refused(await processor.client.get("/api/v1/alarms/devices/health"))


async def _silent_events(device_id: str) -> list[dict]:
    async with core_db.connection() as conn:
        rows = await conn.fetch("SELECT payload::text AS p FROM outbox_event WHERE topic = 'realtime.publish' "
                                "AND payload::text LIKE '%alarm.device_silent%' AND payload::text LIKE $1",
                                f"%{device_id}%")
    return [msgspec.json.decode(r["p"])["message"] for r in rows]


async def _command_center_list(client: httpx.AsyncClient, headers: dict[str, str], *, limit: int = 200) -> list[dict]:
    """Every device the command center lists, read page after page as a client would."""
    devices, params = [], {"limit": limit}
    while True:
        response = await client.get("/api/v1/alarms/devices", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = decode(response)
        assert len(page["items"]) <= limit
        devices += page["items"]
        if page["next_after"] is None:
            return devices
        assert page["next_after"] == page["items"][-1]["id"]
        params = {"limit": limit, "after": page["next_after"]}


async def _listed(client: httpx.AsyncClient, headers: dict[str, str], device_id: str) -> list[tuple[bool, bool]]:
    """(active, silent) of the device as the command center lists it."""
    return [(d["active"], d["silent"]) for d in await _command_center_list(client, headers)
            if d["device_id"] == device_id]  # fmt: skip


async def test_a_device_that_misses_its_heartbeat_is_flagged_silent_once(client, desk, processor):
    site = await new_site(processor, heartbeat_s=60)
    await processor.send("heartbeat", site.device_id)
    soon, late = datetime.now(UTC) + timedelta(seconds=60), datetime.now(UTC) + timedelta(seconds=95)

    await service.flag_silent_devices(now=soon)  # within 1.5 × 60 s: fine
    assert await _silent_events(site.device_id) == []
    await service.flag_silent_devices(now=late)
    await service.flag_silent_devices(now=late + timedelta(seconds=30))  # already flagged: told once

    [event] = await _silent_events(site.device_id)
    assert event["type"] == "alarm.device_silent" and event["data"]["name"] == site.name
    async with core_db.connection() as conn:
        await conn.execute("UPDATE alarm_device SET last_event_at = now() - interval '2 minutes', "
                           "active_since = now() - interval '2 minutes' WHERE device_id = $1", site.device_id)
    assert await _listed(client, desk.dispatcher.headers, site.device_id) == [(True, True)]

    await processor.send("heartbeat", site.device_id)  # heard again

    assert await _listed(client, desk.dispatcher.headers, site.device_id) == [(True, False)]
    async with core_db.connection() as conn:
        assert await conn.fetchval("SELECT silent_since FROM alarm_device WHERE device_id = $1",
                                   site.device_id) is None


async def test_a_device_without_heartbeat_interval_is_never_silent(processor):
    site = await new_site(processor, heartbeat_s=0)

    await service.flag_silent_devices(now=datetime.now(UTC) + timedelta(days=30))

    assert await _silent_events(site.device_id) == []


async def test_the_staff_device_list_is_for_the_command_center(client, desk):
    assert (await client.get("/api/v1/alarms/devices", headers=desk.analyst.headers)).status_code == 403
    assert (await client.get("/api/v1/alarms/devices")).status_code == 401


async def _switch(client: httpx.AsyncClient, admin: dict[str, str], partner: PartnerApi, site: Site, *, how: str,
                  active: bool) -> None:
    """(De)activate the device from the admin API: PATCH with ``active`` alone, or PUT with the whole device."""
    device = f"/api/v1/alarms/partners/{partner.partner_id}/devices/{site.device_id}"
    if how == "patch":
        response = await client.patch(device, json={"active": active}, headers=admin)
    else:
        response = await client.put(device, headers=admin, json={
            "name": site.name, "location": {"lat": site.lat, "lon": site.lon}, "heartbeat_interval_s": 60,
            "active": active,
        })  # fmt: skip
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("how", ["patch", "put"])
async def test_a_deactivated_device_is_not_silent_and_a_reactivated_one_is_watched_afresh(
    client, desk, alarm_city, processor, how
):
    admin = await admin_headers(client, alarm_city)
    site = await new_site(processor, heartbeat_s=60)
    async with core_db.connection() as conn:  # registered and last heard ten minutes ago
        await conn.execute("UPDATE alarm_device SET last_event_at = now() - interval '10 minutes', "
                           "active_since = now() - interval '10 minutes' WHERE device_id = $1", site.device_id)
    await service.flag_silent_devices(now=datetime.now(UTC))
    assert len(await _silent_events(site.device_id)) == 1

    await _switch(client, admin, processor, site, how=how, active=False)

    assert await _listed(client, desk.dispatcher.headers, site.device_id) == [(False, False)]
    async with core_db.connection() as conn:
        assert await conn.fetchval("SELECT silent_since FROM alarm_device WHERE device_id = $1",
                                   site.device_id) is None  # fmt: skip
    await service.flag_silent_devices(now=datetime.now(UTC) + timedelta(days=1))  # an inactive device: unwatched
    assert len(await _silent_events(site.device_id)) == 1

    await _switch(client, admin, processor, site, how=how, active=True)
    reactivated = datetime.now(UTC)

    assert await _listed(client, desk.dispatcher.headers, site.device_id) == [(True, False)]  # not silent yet
    await service.flag_silent_devices(now=reactivated + timedelta(seconds=60))  # within 1.5 × 60 s of it
    assert len(await _silent_events(site.device_id)) == 1
    await service.flag_silent_devices(now=reactivated + timedelta(seconds=95))  # still unheard: told again
    assert len(await _silent_events(site.device_id)) == 2


async def test_the_command_center_lists_the_citys_devices_a_page_at_a_time(app, client, desk, city, processor):
    sites = [await new_site(processor) for _ in range(3)]
    elsewhere = await new_site(await new_partner(app, client, city), at=INSIDE)

    first = await client.get("/api/v1/alarms/devices", params={"limit": 2}, headers=desk.dispatcher.headers)
    listed = await _command_center_list(client, desk.dispatcher.headers, limit=2)

    assert first.status_code == 200, first.text
    page = decode(first)
    assert len(page["items"]) == 2 and page["next_after"] == page["items"][1]["id"]
    ids = [d["id"] for d in listed]
    assert ids == sorted(set(ids))  # in the order of their ids, none twice
    mine = [d for d in listed if d["partner_id"] == processor.partner_id]
    assert [d["device_id"] for d in mine] == [s.device_id for s in sites]
    assert mine[0]["location"] == SHOP and mine[0]["partner_name"] and mine[0]["silent"] is False
    assert elsewhere.device_id not in {d["device_id"] for d in listed}  # another city's device
    assert [d["id"] for d in await _command_center_list(client, desk.dispatcher.headers)] == ids  # fewer pages


async def test_the_command_center_list_refuses_bad_paging(client, desk):
    for params in ({"limit": 0}, {"limit": 201}, {"after": 0}, {"after": "POS-1"}):
        response = await client.get("/api/v1/alarms/devices", params=params, headers=desk.dispatcher.headers)
        assert response.status_code == 400, (params, response.text)
