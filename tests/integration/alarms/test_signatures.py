"""Who may raise an alarm: only a partner's valid key, over this body, within five minutes, once per event id.
Every refusal of the signature looks the same, so a caller learns nothing from it."""

from __future__ import annotations

import time

import msgspec
import pytest
from sereno.alarms import partners
from sereno.core import db as core_db
from sereno.core.errors import Conflict

from tests.support.fixtures import decode

REFUSED = {"status_code": 401, "error": "alarm_unauthorized"}


def refused(response) -> bool:
    body = decode(response)
    return response.status_code == 401 and {k: body[k] for k in REFUSED} == REFUSED


async def _incidents_of(device_id: str) -> int:
    async with core_db.connection() as conn:
        return await conn.fetchval(
            "SELECT count(DISTINCT e.incident_id) FROM alarm_event e JOIN alarm_device d ON d.id = e.device "
            "WHERE d.device_id = $1", device_id)


async def test_a_correctly_signed_event_is_acknowledged_with_nothing_but_its_id_and_time(processor, shop):
    response = await processor.send("test", shop.device_id, event_id="evt-valid-1")

    assert response.status_code == 200, response.text
    assert set(decode(response)) == {"event_id", "received_at"}
    assert decode(response)["event_id"] == "evt-valid-1"


async def test_a_wrong_key_is_refused(processor, shop):
    response = await processor.post(processor.event("panic", shop.device_id), key="ask_not-the-key")

    assert refused(response)
    assert await _incidents_of(shop.device_id) == 0


async def test_a_body_changed_after_signing_is_refused(processor, shop):
    body = processor.event("panic", shop.device_id)
    raw = b'{"tampered": true}'
    response = await processor.client.post("/api/v1/alarms", content=raw, headers={
        **processor.signed(msgspec.json.encode(body)), "Content-Type": "application/json"})

    assert refused(response)


@pytest.mark.parametrize("skew_s", [-301, 301, -3600])
async def test_a_timestamp_more_than_five_minutes_off_is_refused(processor, shop, skew_s):
    response = await processor.post(processor.event("panic", shop.device_id), at=time.time() + skew_s)

    assert refused(response)


async def test_a_timestamp_within_five_minutes_is_accepted(processor, shop):
    response = await processor.post(processor.event("test", shop.device_id), at=time.time() - 240)

    assert response.status_code == 200, response.text


async def test_an_unknown_partner_and_missing_headers_get_the_same_refusal(processor, shop):
    unknown = await processor.post(processor.event("panic", shop.device_id), partner_id=987_654)
    bare = await processor.client.post("/api/v1/alarms", json=processor.event("panic", shop.device_id))

    assert refused(unknown) and refused(bare)
    assert decode(unknown) == decode(bare)


async def test_signing_for_another_partner_is_refused(processor, sensors, shop):
    body = processor.event("panic", shop.device_id)
    response = await sensors.post(body)  # the sensor partner's valid key, the processor's partner_id in the body

    assert refused(response)


async def test_a_replayed_event_id_is_refused_and_creates_nothing(quiet, processor, shop):
    body = processor.event("panic", shop.device_id, event_id="evt-replay-1")
    first = await processor.post(body)
    again = await processor.post(body)  # the same request, captured and resent
    resigned = await processor.post({**body, "message": "otra vez"}, at=time.time() + 5)

    assert first.status_code == 200, first.text
    assert again.status_code == 409 and decode(again)["error"] == "alarm_event_replayed"
    assert resigned.status_code == 409
    assert await _incidents_of(shop.device_id) == 1
    async with core_db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM alarm_event WHERE event_id = 'evt-replay-1'") == 1


async def test_rotation_keeps_both_keys_valid_until_the_old_one_is_revoked(app, processor, shop):
    [old] = await partners.list_keys(partner_id=processor.partner_id)
    new_info, new_key = await partners.issue_key(partner_id=processor.partner_id, secret=app.state.secret_key)

    assert (await processor.send("test", shop.device_id)).status_code == 200
    assert (await processor.post(processor.event("test", shop.device_id), key=new_key)).status_code == 200
    with pytest.raises(Conflict):  # never more than two valid keys
        await partners.issue_key(partner_id=processor.partner_id, secret=app.state.secret_key)

    assert await partners.revoke_key(partner_id=processor.partner_id, key_id=old.id)
    assert refused(await processor.send("test", shop.device_id))
    assert (await processor.post(processor.event("test", shop.device_id), key=new_key)).status_code == 200
    assert [k.valid for k in await partners.list_keys(partner_id=processor.partner_id)] == [False, True]
    assert new_info.fingerprint not in new_key  # the listing shows a fingerprint, never the key


async def test_keys_are_not_stored_only_their_salt_and_fingerprint(processor):
    async with core_db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM alarm_partner_key WHERE partner = $1", processor.partner_id)
    assert processor.key not in {str(v) for v in dict(row).values()}


async def test_an_unregistered_or_inactive_device_is_404(processor, shop):
    unknown = await processor.send("panic", "POS-NOT-REGISTERED")
    async with core_db.connection() as conn:
        await conn.execute("UPDATE alarm_device SET active = false WHERE device_id = $1", shop.device_id)
    inactive = await processor.send("panic", shop.device_id)

    assert unknown.status_code == 404 and decode(unknown)["error"] == "alarm_device_unknown"
    assert inactive.status_code == 404


async def test_bad_input_is_400_and_an_unknown_event_type_422(processor, shop):
    missing = await processor.post({"partner_id": processor.partner_id, "device_id": shop.device_id})
    not_json = await processor.client.post("/api/v1/alarms", content=b"{", headers=processor.signed(b"{"))
    unknown_type = await processor.send("gunshot", shop.device_id)  # a POS raises panic and duress only

    assert missing.status_code == 400 and not_json.status_code == 400
    assert unknown_type.status_code == 422
