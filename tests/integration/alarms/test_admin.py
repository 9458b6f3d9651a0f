"""An administrator registers a partner, its keys and devices over the API: the issued key signs alarms, a
rotated key works beside the old one until it is revoked, another city's partner is out of reach, every
change is audited."""

from __future__ import annotations

from sereno.core import db as core_db

from tests.integration.alarms.conftest import SHOP, admin_headers
from tests.integration.alarms.partner import PartnerApi
from tests.support.builders import OUTSIDE
from tests.support.fixtures import decode

_PARTNERS = "/api/v1/alarms/partners"


async def test_a_registered_partner_signs_alarms_with_the_key_shown_once(client, alarm_city, quiet):
    admin = await admin_headers(client, alarm_city)
    created = await client.post(_PARTNERS, json={"name": "Procesadora Niubiz", "kind": "alarm"}, headers=admin)
    assert created.status_code == 201, created.text
    issued = decode(created)
    partner_id = issued["partner"]["id"]
    assert len(issued["key"]) >= 32 and issued["partner"]["keys"][0]["valid"] is True

    device = await client.put(f"{_PARTNERS}/{partner_id}/devices/POS-ADM-1", headers=admin,
                              json={"name": "Minimarket Los Pinos", "location": SHOP, "heartbeat_interval_s": 600})  # fmt: skip
    assert device.status_code == 200 and decode(device)["devices"] == 1
    partner = PartnerApi(client=client, partner_id=partner_id, key=issued["key"])
    assert (await partner.send("test", "POS-ADM-1")).status_code == 200

    listed = decode(await client.get(_PARTNERS, headers=admin))
    shown = next(p for p in listed if p["id"] == partner_id)
    assert issued["key"] not in str(listed) and shown["keys"][0]["fingerprint"] == issued["partner"]["keys"][0]["fingerprint"]
    async with core_db.connection() as conn:
        actions = [r["action"] for r in await conn.fetch(
            "SELECT action FROM audit_entry WHERE subject = $1 ORDER BY id", f"partner:{partner_id}")]  # fmt: skip
    assert actions == ["alarm_partner.create", "alarm_device.put"]


async def test_rotation_keeps_both_keys_valid_until_the_old_one_is_revoked(client, alarm_city, quiet):
    admin = await admin_headers(client, alarm_city)
    first = decode(await client.post(_PARTNERS, json={"name": "Alarmas del Norte"}, headers=admin))
    partner_id = first["partner"]["id"]
    await client.put(f"{_PARTNERS}/{partner_id}/devices/PANEL-1", json={"name": "Farmacia", "location": SHOP},
                     headers=admin)  # fmt: skip
    second = decode(await client.post(f"{_PARTNERS}/{partner_id}/keys", headers=admin))
    old = PartnerApi(client=client, partner_id=partner_id, key=first["key"])
    new = PartnerApi(client=client, partner_id=partner_id, key=second["key"])
    assert (await old.send("test", "PANEL-1")).status_code == 200
    assert (await new.send("test", "PANEL-1")).status_code == 200
    third = await client.post(f"{_PARTNERS}/{partner_id}/keys", headers=admin)
    assert third.status_code == 409  # at most two valid keys

    revoked = await client.delete(f"{_PARTNERS}/{partner_id}/keys/{first['key_id']}", headers=admin)
    assert revoked.status_code == 200
    assert [k["valid"] for k in decode(revoked)["keys"]] == [False, True]
    assert (await old.send("test", "PANEL-1")).status_code == 401
    assert (await new.send("test", "PANEL-1")).status_code == 200


async def test_a_deactivated_partner_or_device_is_refused(client, alarm_city, quiet):
    admin = await admin_headers(client, alarm_city)
    issued = decode(await client.post(_PARTNERS, json={"name": "Sensores Trujillo", "kind": "sensor"}, headers=admin))
    partner_id = issued["partner"]["id"]
    partner = PartnerApi(client=client, partner_id=partner_id, key=issued["key"])
    await client.put(f"{_PARTNERS}/{partner_id}/devices/CAM-1", json={"name": "Cámara 1", "location": SHOP},
                     headers=admin)  # fmt: skip
    off = await client.put(f"{_PARTNERS}/{partner_id}/devices/CAM-1", headers=admin,
                           json={"name": "Cámara 1", "location": SHOP, "active": False})  # fmt: skip
    assert off.status_code == 200
    assert (await partner.send("heartbeat", "CAM-1")).status_code == 404
    await client.patch(f"{_PARTNERS}/{partner_id}", json={"active": False}, headers=admin)
    assert (await partner.send("heartbeat", "CAM-1")).status_code == 401


async def test_bad_input_and_another_citys_partner_get_clear_errors(client, alarm_city, city):
    admin = await admin_headers(client, alarm_city)
    partner_id = decode(await client.post(_PARTNERS, json={"name": "Otra"}, headers=admin))["partner"]["id"]
    outside = await client.put(f"{_PARTNERS}/{partner_id}/devices/X", json={"name": "Lima", "location": OUTSIDE},
                               headers=admin)  # fmt: skip
    assert (outside.status_code, decode(outside)["error"]) == (422, "alarm_device_outside_area")
    bad_url = await client.post(_PARTNERS, json={"name": "Mala", "callback_url": "ftp://x"}, headers=admin)
    assert bad_url.status_code == 400
    other_city_admin = await admin_headers(client, city)
    assert (await client.post(f"{_PARTNERS}/{partner_id}/keys", headers=other_city_admin)).status_code == 404
    assert partner_id not in {p["id"] for p in decode(await client.get(_PARTNERS, headers=other_city_admin))}


async def test_partner_refusals_are_worded_not_raw_codes(client, alarm_city):
    admin = await admin_headers(client, alarm_city)
    partner_id = decode(await client.post(_PARTNERS, json={"name": "Dos Claves"}, headers=admin))["partner"]["id"]
    keys = f"{_PARTNERS}/{partner_id}/keys"
    assert (await client.post(keys, headers=admin)).status_code == 201

    third = await client.post(keys, headers=admin)
    third_en = await client.post(keys, headers={**admin, "Accept-Language": "en"})
    missing = await client.patch(f"{_PARTNERS}/2147483647", json={"active": False}, headers=admin)
    bad_url = await client.post(_PARTNERS, json={"name": "Mala", "callback_url": "http://["}, headers=admin)

    assert (third.status_code, decode(third)["error"]) == (409, "alarm_partner_has_two_keys")
    assert decode(third)["detail"].startswith("El socio ya tiene dos claves válidas")
    assert decode(third_en)["detail"].startswith("The partner already has two valid keys")
    assert (missing.status_code, decode(missing)["detail"]) == (
        404,
        "Ese socio de alarma no existe en su ciudad.",
    )
    assert (bad_url.status_code, decode(bad_url)["error"]) == (422, "alarm_callback_url_invalid")
    assert decode(bad_url)["detail"].startswith("La URL de devolución debe empezar con http:// o https://")
