"""An administrator lists a partner's devices a page at a time and changes one field of a device (deactivating
it needs nothing else), within the city, each change audited; refusals are worded in the admin's language."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import msgspec
from sereno.core import db as core_db

from tests.integration.alarms.conftest import SHOP, admin_headers
from tests.integration.alarms.partner import PartnerApi
from tests.support.builders import OUTSIDE
from tests.support.fixtures import decode

_PARTNERS = "/api/v1/alarms/partners"
NEAR = {"lat": -8.1070, "lon": -79.0330}


async def _partner_with_devices(
    client: httpx.AsyncClient, admin: dict[str, str], *device_ids: str
) -> PartnerApi:
    issued = decode(await client.post(_PARTNERS, json={"name": "Procesadora Izipay"}, headers=admin))
    partner_id = issued["partner"]["id"]
    for device_id in device_ids:
        body = {"name": f"Bodega {device_id}", "location": SHOP, "contact_phone": "+51 944 000 111"}
        put = await client.put(f"{_PARTNERS}/{partner_id}/devices/{device_id}", json=body, headers=admin)
        assert put.status_code == 200, put.text
    return PartnerApi(client=client, partner_id=partner_id, key=issued["key"])


async def _audit_entries(partner_id: int, action: str) -> list[dict]:
    async with core_db.connection() as conn:
        rows = await conn.fetch(
            "SELECT data::text AS data FROM audit_entry WHERE subject = $1 AND action = $2 ORDER BY id",
            f"partner:{partner_id}", action,
        )  # fmt: skip
    return [msgspec.json.decode(r["data"]) for r in rows]


@contextlib.asynccontextmanager
async def _row_versions(partner_id: int) -> AsyncIterator[Callable[[], Awaitable[list[tuple[str, bool]]]]]:
    """Every version of the partner's device rows that a statement writes, as (device_id, active), in order:
    what another connection could see between two statements of a change (a trigger for this test alone)."""
    async with core_db.connection() as conn:
        await conn.execute("CREATE TABLE test_device_version (n serial, device_id text, active boolean)")
        await conn.execute("""
            CREATE FUNCTION test_device_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.partner = TG_ARGV[0]::int THEN
                INSERT INTO test_device_version (device_id, active) VALUES (NEW.device_id, NEW.active);
              END IF;
              RETURN NULL;
            END $$""")
        await conn.execute(f"CREATE TRIGGER test_device_version AFTER INSERT OR UPDATE ON alarm_device "
                           f"FOR EACH ROW EXECUTE FUNCTION test_device_version({int(partner_id)})")  # fmt: skip

    async def versions() -> list[tuple[str, bool]]:
        async with core_db.connection() as conn:
            rows = await conn.fetch("SELECT device_id, active FROM test_device_version ORDER BY n")
        return [(r["device_id"], r["active"]) for r in rows]

    try:
        yield versions
    finally:
        async with core_db.connection() as conn:
            await conn.execute("DROP TRIGGER test_device_version ON alarm_device")
            await conn.execute("DROP FUNCTION test_device_version()")
            await conn.execute("DROP TABLE test_device_version")


async def test_a_device_put_inactive_is_never_active_in_between(client, alarm_city, quiet):
    admin = await admin_headers(client, alarm_city)
    partner = await _partner_with_devices(client, admin, "POS-ON")
    body = {"name": "Bodega", "location": SHOP, "active": False}

    async with _row_versions(partner.partner_id) as versions:
        for device_id in ("POS-ON", "POS-ON", "POS-NEW"):  # active, already inactive, new
            put = await client.put(f"{_PARTNERS}/{partner.partner_id}/devices/{device_id}", json=body,
                                   headers=admin)  # fmt: skip
            assert put.status_code == 200, put.text
        written = await versions()

    assert written == [("POS-ON", False), ("POS-ON", False), ("POS-NEW", False)]  # one version each, inactive
    assert (await partner.send("test", "POS-ON")).status_code == 404
    assert (await partner.send("test", "POS-NEW")).status_code == 404
    assert (await _audit_entries(partner.partner_id, "alarm_device.put"))[-3:] == [
        {"device_id": "POS-ON", "active": False}, {"device_id": "POS-ON", "active": False},
        {"device_id": "POS-NEW", "active": False},
    ]  # fmt: skip


async def test_an_admin_lists_a_partners_devices_a_page_at_a_time(client, alarm_city):
    admin = await admin_headers(client, alarm_city)
    partner = await _partner_with_devices(client, admin, "POS-3", "POS-1", "POS-2")
    other = await _partner_with_devices(client, admin, "POS-9")
    devices = f"{_PARTNERS}/{partner.partner_id}/devices"

    first = await client.get(devices, params={"limit": 2}, headers=admin)
    assert first.status_code == 200, first.text
    page = decode(first)
    assert [d["device_id"] for d in page["items"]] == ["POS-1", "POS-2"] and page["next_after"] == "POS-2"
    shown = page["items"][0]
    assert shown["name"] == "Bodega POS-1" and shown["location"] == SHOP and shown["active"] is True
    assert shown["contact_phone"] == "+51 944 000 111" and shown["partner_id"] == partner.partner_id
    assert partner.key not in first.text and "salt" not in first.text  # a device list carries no secrets

    rest = decode(await client.get(devices, params={"limit": 2, "after": "POS-2"}, headers=admin))
    assert [d["device_id"] for d in rest["items"]] == ["POS-3"] and rest["next_after"] is None
    everything = decode(await client.get(devices, headers=admin))
    assert "POS-9" not in {d["device_id"] for d in everything["items"]} and len(everything["items"]) == 3
    assert [d["device_id"] for d in decode(await client.get(f"{_PARTNERS}/{other.partner_id}/devices",
                                                            headers=admin))["items"]] == ["POS-9"]  # fmt: skip


async def test_deactivating_a_device_needs_only_active_and_is_audited(client, alarm_city, quiet):
    admin = await admin_headers(client, alarm_city)
    partner = await _partner_with_devices(client, admin, "POS-A")
    device = f"{_PARTNERS}/{partner.partner_id}/devices/POS-A"
    assert (await partner.send("test", "POS-A")).status_code == 200

    off = await client.patch(device, json={"active": False}, headers=admin)

    assert off.status_code == 200, off.text
    assert decode(off)["active"] is False and decode(off)["name"] == "Bodega POS-A"  # the rest as it was
    assert (await partner.send("test", "POS-A")).status_code == 404  # its alarms are refused
    assert await _audit_entries(partner.partner_id, "alarm_device.change") == [
        {"device_id": "POS-A", "active": False}
    ]

    changed = await client.patch(device, headers=admin, json={
        "name": "  Bodega Santa Rosa ", "contact_phone": "044 222 333", "heartbeat_interval_s": 900,
        "location": NEAR, "active": True,
    })  # fmt: skip
    assert changed.status_code == 200, changed.text
    listed = decode(await client.get(f"{_PARTNERS}/{partner.partner_id}/devices", headers=admin))["items"]
    assert [
        (d["name"], d["contact_phone"], d["heartbeat_interval_s"], d["location"], d["active"]) for d in listed
    ] == [("Bodega Santa Rosa", "044 222 333", 900, NEAR, True)]
    assert (await partner.send("test", "POS-A")).status_code == 200
    assert (await _audit_entries(partner.partner_id, "alarm_device.change"))[-1] == {
        "device_id": "POS-A", "name": "Bodega Santa Rosa", "contact_phone": "044 222 333",
        "heartbeat_interval_s": 900, "location": NEAR, "active": True,
    }  # fmt: skip

    unchanged = await client.patch(device, json={}, headers=admin)  # nothing to change: nothing audited
    assert unchanged.status_code == 200 and decode(unchanged)["name"] == "Bodega Santa Rosa"
    assert len(await _audit_entries(partner.partner_id, "alarm_device.change")) == 2


async def test_another_citys_partner_and_an_unknown_device_are_not_found(client, alarm_city, city):
    admin = await admin_headers(client, alarm_city)
    partner = await _partner_with_devices(client, admin, "POS-X")
    elsewhere = await admin_headers(client, city)

    listed = await client.get(f"{_PARTNERS}/{partner.partner_id}/devices", headers=elsewhere)
    changed = await client.patch(f"{_PARTNERS}/{partner.partner_id}/devices/POS-X", json={"active": False},
                                 headers=elsewhere)  # fmt: skip
    unknown = await client.patch(f"{_PARTNERS}/{partner.partner_id}/devices/POS-Y", json={"active": False},
                                 headers=admin)  # fmt: skip

    assert (listed.status_code, decode(listed)["error"]) == (404, "alarm_partner_unknown")
    assert decode(listed)["detail"] == "Ese socio de alarma no existe en su ciudad."
    assert (changed.status_code, decode(changed)["error"]) == (404, "alarm_partner_unknown")
    assert (unknown.status_code, decode(unknown)["detail"]) == (
        404,
        "Este socio no tiene un dispositivo «POS-Y».",
    )
    async with core_db.connection() as conn:
        assert await conn.fetchval("SELECT active FROM alarm_device WHERE partner = $1 AND device_id = 'POS-X'",
                                   partner.partner_id) is True  # fmt: skip


async def test_devices_are_for_administrators_only(client, alarm_city, desk):
    admin = await admin_headers(client, alarm_city)
    partner = await _partner_with_devices(client, admin, "POS-D")
    devices = f"{_PARTNERS}/{partner.partner_id}/devices"
    dispatcher = desk.dispatcher.headers

    assert (await client.get(devices, headers=dispatcher)).status_code == 403
    assert (
        await client.patch(f"{devices}/POS-D", json={"active": False}, headers=dispatcher)
    ).status_code == 403
    assert (await client.get(devices)).status_code == 401
    assert (await client.patch(f"{devices}/POS-D", json={"active": False})).status_code == 401
    listed = decode(await client.get(devices, headers=admin))["items"]
    assert [d["active"] for d in listed] == [True]


async def test_bad_input_is_refused_in_words(client, alarm_city):
    admin = await admin_headers(client, alarm_city)
    partner = await _partner_with_devices(client, admin, "POS-B")
    device = f"{_PARTNERS}/{partner.partner_id}/devices/POS-B"

    outside = await client.patch(device, json={"location": OUTSIDE}, headers=admin)
    outside_en = await client.patch(
        device, json={"location": OUTSIDE}, headers={**admin, "Accept-Language": "en"}
    )
    blank = await client.patch(device, json={"name": "   "}, headers=admin)
    negative = await client.patch(device, json={"heartbeat_interval_s": -60}, headers=admin)
    extra = await client.patch(device, json={"enabled": False}, headers=admin)
    too_many = await client.get(
        f"{_PARTNERS}/{partner.partner_id}/devices", params={"limit": 500}, headers=admin
    )

    assert (outside.status_code, decode(outside)["error"]) == (422, "alarm_device_outside_area")
    assert decode(outside)["detail"] == (  # the point as typed, no map pin to move
        "El punto (latitud -12.12, longitud -77.03) está fuera del área de servicio de Ciudad Alarma: "
        "el dispositivo debe estar dentro de la ciudad. Revise las coordenadas."
    )
    assert decode(outside_en)["detail"] == (
        "The point (latitude -12.12, longitude -77.03) is outside Ciudad Alarma's service area: "
        "the device must be inside the city. Check the coordinates."
    )
    assert (blank.status_code, decode(blank)["detail"]) == (422, "Falta el campo «name».")
    assert (
        negative.status_code == 400
        and "heartbeat_interval_s: debe ser mayor o igual que 0" in decode(negative)["detail"]
    )
    assert extra.status_code == 400 and "campo desconocido «enabled»" in decode(extra)["detail"]
    assert too_many.status_code == 400 and "limit" in decode(too_many)["detail"]
    [shown] = decode(await client.get(f"{_PARTNERS}/{partner.partner_id}/devices", headers=admin))["items"]
    assert (shown["name"], shown["location"], shown["heartbeat_interval_s"]) == ("Bodega POS-B", SHOP, 0)
