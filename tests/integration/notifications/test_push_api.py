"""The push API as the PWAs use it: the VAPID key, an officer's device, a citizen following their report."""

from __future__ import annotations

import uuid

from sereno.accounts import service as accounts
from sereno.notifications.schemas import Audience, PushMessage, PushText
from sereno.notifications.vapid import load_vapid

from tests.support.builders import new_key, report_body
from tests.support.fixtures import decode

_PASSWORD = "una-clave-bastante-larga"


async def _officer(client, city: int) -> tuple[int, dict[str, str]]:
    username = f"agente-{uuid.uuid4().hex[:10]}"
    account_id = await accounts.create_account(
        tenant_id=city, username=username, full_name="Agente de Prueba", role="officer", agency="serenazgo",
        password=_PASSWORD,
    )
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": _PASSWORD})
    assert response.status_code == 200, response.text
    return account_id, {"Authorization": f"Bearer {decode(response)['access_token']}"}


async def test_browser_gets_the_vapid_public_key_without_logging_in(client, db):
    response = await client.get("/api/v1/push/vapid-public-key")

    assert response.status_code == 200
    assert decode(response) == {"key": (await load_vapid(db)).public_key}
    assert "public" in response.headers["cache-control"]


async def test_officer_subscribes_a_device_is_pushed_and_unsubscribes_it(client, db, city, new_phone, worker, push):
    account_id, auth = await _officer(client, city)
    phone = await new_phone()

    created = await client.post("/api/v1/push/subscriptions", json=phone.subscription(), headers=auth)
    # The PWA subscribes again on every start; the phone's language may have changed meanwhile.
    again = await client.post(
        "/api/v1/push/subscriptions", json=phone.subscription(), headers={**auth, "Accept-Language": "en"}
    )
    assert (created.status_code, again.status_code) == (201, 201)
    [row] = await db.fetch("SELECT * FROM push_subscription WHERE endpoint = $1", phone.endpoint)
    assert (row["account_id"], row["tenant_id"], row["kind"], row["language"]) == (account_id, city, "webpush", "en")

    await push(city, Audience(account_ids=[account_id]), PushMessage(title="Prueba", translations={"en": PushText(title="Test")}))
    await worker.drain()
    assert phone.titles == ["Test"]

    removed = await client.request(
        "DELETE", "/api/v1/push/subscriptions", json={"endpoint": phone.endpoint}, headers=auth
    )
    assert removed.status_code == 204
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE endpoint = $1", phone.endpoint) == 0


async def test_a_browser_belongs_to_the_officer_who_subscribed_it_last(client, db, city, new_phone):
    (_, first_auth), (second, second_auth) = await _officer(client, city), await _officer(client, city)
    shared = await new_phone()

    await client.post("/api/v1/push/subscriptions", json=shared.subscription(), headers=first_auth)
    await client.post("/api/v1/push/subscriptions", json=shared.subscription(), headers=second_auth)

    owners = await db.fetch("SELECT account_id FROM push_subscription WHERE endpoint = $1", shared.endpoint)
    assert [r["account_id"] for r in owners] == [second]


async def test_staff_subscription_needs_a_login_and_a_valid_body(client, city, new_phone):
    phone = await new_phone()
    anonymous = await client.post("/api/v1/push/subscriptions", json=phone.subscription())
    assert anonymous.status_code == 401

    _, auth = await _officer(client, city)
    broken = {**phone.subscription(), "keys": {"p256dh": "A" * 87, "auth": "A" * 22}}  # not a point on P-256
    response = await client.post("/api/v1/push/subscriptions", json=broken, headers=auth)
    assert response.status_code == 400 and decode(response)["error"] == "invalid_request"


async def test_citizen_follows_their_report_with_its_tracking_token(client, db, city, new_phone, worker, push):
    filed = decode(await client.post("/api/v1/reports", json=report_body(), headers={"Idempotency-Key": new_key()}))
    phone = await new_phone()
    path = f"/api/v1/reports/{filed['code']}/subscriptions"

    wrong = await client.post(path, json=phone.subscription(), headers={"X-Tracking-Token": "0" * 64})
    followed = await client.post(path, json=phone.subscription(), headers={"X-Tracking-Token": filed["tracking_token"]})

    assert (wrong.status_code, followed.status_code) == (404, 201)
    incident_id = await db.fetchval("SELECT id FROM incident WHERE code = $1", filed["code"])
    await push(city, Audience(incident_id=incident_id), PushMessage(title=f"{filed['code']}: Unidad en camino"))
    await worker.drain()
    assert f"{filed['code']}: Unidad en camino" in phone.titles


async def test_a_push_endpoint_outside_the_known_push_services_is_refused(client, db, city):
    """The worker POSTs to the subscription's endpoint: an intranet address must never get in."""
    from tests.support.staff import create_staff, login

    officer = await login(client, await create_staff(db, tenant_id=city, role="officer"))
    import base64
    import os

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    keys = {"p256dh": b64(point), "auth": b64(os.urandom(16))}
    for endpoint in ("http://10.0.0.5/admin", "https://metadata.google.internal/x", "http://fcm.googleapis.com/fcm"):
        response = await client.post("/api/v1/push/subscriptions", headers=officer.headers,
                                     json={"kind": "webpush", "endpoint": endpoint, "keys": keys})
        assert response.status_code == 422, endpoint
        assert "endpoint" in response.json()["detail"], response.text
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE endpoint LIKE '%10.0.0.5%'") == 0


async def test_citizen_follows_their_participation_request_and_is_pushed_the_answer(client, db, city, new_phone, worker):
    from tests.integration.participation.test_citizen import request_body
    from tests.support.staff import create_staff, login

    filed = decode(await client.post("/api/v1/participation/requests", json=request_body(),
                                     headers={"Idempotency-Key": new_key()}))  # fmt: skip
    report = decode(await client.post("/api/v1/reports", json=report_body(), headers={"Idempotency-Key": new_key()}))
    mine, other = await new_phone(), await new_phone()
    path = f"/api/v1/participation/requests/{filed['code']}/subscriptions"
    wrong = await client.post(path, json=mine.subscription(), headers={"X-Tracking-Token": "0" * 64})
    followed = await client.post(path, json=mine.subscription(),
                                 headers={"X-Tracking-Token": filed["tracking_token"], "Accept-Language": "en"})  # fmt: skip
    await client.post(f"/api/v1/reports/{report['code']}/subscriptions", json=other.subscription(),
                      headers={"X-Tracking-Token": report["tracking_token"]})  # fmt: skip
    assert (wrong.status_code, followed.status_code) == (404, 201)

    supervisor = await login(client, await create_staff(db, tenant_id=city, role="supervisor"))
    request_id = await db.fetchval("SELECT id FROM participation_request WHERE code = $1", filed["code"])
    answered = await client.post(f"/api/v1/participation/inbox/{request_id}/answer",
                                 json={"text": "Reparado el lunes."}, headers=supervisor.headers)  # fmt: skip
    assert answered.status_code == 200, answered.text
    await worker.drain()
    assert f"{filed['code']}: The municipality answered" in mine.titles  # in the language it subscribed with
    assert not any(filed["code"] in title for title in other.titles)
    assert not any("Reparado" in title for title in mine.titles)  # the answer is read in the app, not pushed
