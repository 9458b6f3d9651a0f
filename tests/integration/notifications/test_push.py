"""Push notifications end to end: outbox → worker → a real HTTP push service on 127.0.0.1 → the phone decrypts.

The Web Push service verifies VAPID and decrypts like a browser (tests/support/push_endpoint.py); FCM goes to a
stand-in for Google that checks the service account's signed assertion (tests/support/fcm_endpoint.py).
"""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import pytest
from sereno.core import db as core_db
from sereno.core.outbox import OutboxMessage, OutboxWorker
from sereno.notifications import service
from sereno.notifications.schemas import Audience, PushMessage, PushText, SubscriptionIn
from sereno.notifications.vapid import b64url_decode, load_vapid
from sereno.settings import NotificationSettings


async def _follow(body: dict, *, tenant_id: int, language: str = "es", **target: int) -> None:
    await service.subscribe(tenant_id=tenant_id, body=msgspec.convert(body, SubscriptionIn), language=language, **target)


async def _subscription(db, endpoint: str):
    return await db.fetchrow("SELECT * FROM push_subscription WHERE endpoint = $1", endpoint)


ASSIGNMENT = PushMessage(
    title="Nueva asignación P1",
    body="Robo en curso, Sector NW",
    url="/field/#/assignments/7",
    tag="assignment-7",
    data={"assignment_id": "7"},
    urgency="high",
    translations={"en": PushText(title="New P1 assignment", body="Robbery in progress, Sector NW")},
)


async def test_committed_push_reaches_the_phone_which_decrypts_it_in_its_language(
    worker, db, city, new_phone, new_account_id, push
):
    spanish, english = await new_phone(), await new_phone()
    account = new_account_id()
    await _follow(spanish.subscription(), tenant_id=city, account_id=account)
    await _follow(english.subscription(), tenant_id=city, account_id=account, language="en")

    await push(city, Audience(account_ids=[account]), ASSIGNMENT)
    await worker.drain()

    [received] = spanish.received
    assert received.payload == {
        "title": "Nueva asignación P1",
        "body": "Robo en curso, Sector NW",
        "url": "/field/#/assignments/7",
        "tag": "assignment-7",
        "data": {"assignment_id": "7"},
    }
    assert received.ttl == 900 and received.urgency == "high"
    assert english.titles == ["New P1 assignment"]
    assert (await _subscription(db, spanish.endpoint))["last_success_at"] is not None


async def test_audience_is_resolved_to_the_unit_crew_the_named_accounts_and_the_reports_followers(
    worker, db, city, new_phone, new_account_id, push
):
    unit_id = await db.fetchval(
        "INSERT INTO unit (tenant, call_sign) VALUES ($1, $2) RETURNING id", city, f"T-{uuid.uuid4().hex[:8]}"
    )
    crew, other_officer = await _staff(db, city), await _staff(db, city)
    await db.execute("INSERT INTO unit_member (unit, account) VALUES ($1, $2)", unit_id, crew)
    dispatcher, incident, other_incident = new_account_id(), new_account_id(), new_account_id()
    phones = {name: await new_phone() for name in
              ("crew", "other_officer", "dispatcher", "citizen", "other_citizen", "other_city")}
    await _follow(phones["crew"].subscription(), tenant_id=city, account_id=crew)
    await _follow(phones["other_officer"].subscription(), tenant_id=city, account_id=other_officer)
    await _follow(phones["dispatcher"].subscription(), tenant_id=city, account_id=dispatcher)
    await _follow(phones["citizen"].subscription(), tenant_id=city, incident_id=incident)
    await _follow(phones["other_citizen"].subscription(), tenant_id=city, incident_id=other_incident)
    await _follow(phones["other_city"].subscription(), tenant_id=city + 10_000, account_id=dispatcher)

    audience = Audience(account_ids=[dispatcher], unit_id=unit_id, incident_id=incident)
    await push(city, audience, PushMessage(title="Unidad en camino"))
    await worker.drain()

    reached = {name for name, phone in phones.items() if phone.received}
    assert reached == {"crew", "dispatcher", "citizen"}


async def test_subscription_answered_410_is_deleted(worker, db, city, new_phone, new_account_id, push):
    revoked = await new_phone()
    account = new_account_id()
    await _follow(revoked.subscription(), tenant_id=city, account_id=account)
    revoked.gone = True
    subscription_id = (await _subscription(db, revoked.endpoint))["id"]

    await push(city, Audience(account_ids=[account]), ASSIGNMENT)
    await worker.drain()

    assert await _subscription(db, revoked.endpoint) is None
    assert await _pending_deliveries(db, subscription_id) == 0  # done, not retried


async def test_fcm_tokens_answered_unregistered_or_invalid_are_deleted_and_the_others_delivered(
    google, worker, db, city, new_account_id, push
):
    live, uninstalled, malformed = (f"tok-{name}-{uuid.uuid4().hex}" for name in ("live", "gone", "bad"))
    google.unregistered.add(uninstalled)
    google.malformed.add(malformed)
    account = new_account_id()
    for token in (live, uninstalled, malformed):
        await _follow({"kind": "fcm", "token": token}, tenant_id=city, account_id=account)

    await push(city, Audience(account_ids=[account]), ASSIGNMENT)
    await worker.drain()

    [sent] = google.messages_to(live)
    assert sent["notification"] == {"title": "Nueva asignación P1", "body": "Robo en curso, Sector NW"}
    assert sent["data"] == {"assignment_id": "7", "url": "/field/#/assignments/7", "tag": "assignment-7"}
    assert sent["android"]["priority"] == "high" and sent["android"]["ttl"] == "900s"
    assert await _subscription(db, uninstalled) is None and await _subscription(db, malformed) is None
    assert (await _subscription(db, live))["last_success_at"] is not None


async def test_fcm_subscription_is_kept_but_skipped_while_fcm_is_off(google, db, city, new_account_id, push):
    token = f"tok-{uuid.uuid4().hex}"
    account = new_account_id()
    await _follow({"kind": "fcm", "token": token}, tenant_id=city, account_id=account)

    await push(city, Audience(account_ids=[account]), ASSIGNMENT)
    await OutboxWorker(service.handlers(NotificationSettings())).drain()

    assert google.messages_to(token) == []
    kept = await _subscription(db, token)
    assert kept["last_success_at"] is None and await _pending_deliveries(db, kept["id"]) == 0


async def test_failed_delivery_is_retried_later_without_pushing_the_phones_already_served(
    worker, db, city, new_phone, new_account_id, push
):
    served, flaky = await new_phone(), await new_phone()
    account = new_account_id()
    await _follow(served.subscription(), tenant_id=city, account_id=account)
    await _follow(flaky.subscription(), tenant_id=city, account_id=account)
    flaky.failures_left = 1

    await push(city, Audience(account_ids=[account]), ASSIGNMENT)
    await worker.drain()
    assert len(served.received) == 1 and flaky.received == []
    flaky_id = (await _subscription(db, flaky.endpoint))["id"]
    assert (await _subscription(db, flaky.endpoint))["failures"] == 1
    await worker.drain()
    assert flaky.received == []  # backing off: not due yet

    await _make_due(db, flaky_id)
    await worker.drain()

    assert len(served.received) == 1 and len(flaky.received) == 1
    assert (await _subscription(db, flaky.endpoint))["failures"] == 0


async def test_push_the_service_refuses_is_retried_not_deleted(
    push_service, worker, db, city, new_phone, new_account_id, push
):
    """A 403 (here: signed with a key the subscription was not made for) is no reason to forget the phone."""
    phone = push_service.new_browser(server_key=(await new_phone()).server_key[::-1])
    account = new_account_id()
    await _follow(phone.subscription(), tenant_id=city, account_id=account)

    await push(city, Audience(account_ids=[account]), ASSIGNMENT)
    await worker.drain()

    assert push_service.rejected == ["VAPID key differs from the applicationServerKey of the subscription"]
    push_service.rejected.clear()
    subscription = await _subscription(db, phone.endpoint)
    assert subscription["failures"] == 1 and await _pending_deliveries(db, subscription["id"]) == 1
    await db.execute("DELETE FROM push_subscription WHERE id = $1", subscription["id"])  # no retry after this test
    await _make_due(db, subscription["id"])
    await worker.drain()
    assert await _pending_deliveries(db, subscription["id"]) == 0  # unsubscribed meanwhile: done


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (PushMessage(title="x" * 500), msgspec.ValidationError),
        (PushMessage(title="x", data={f"k{i}": "v" * 400 for i in range(10)}), ValueError),
    ],
    ids=["title", "payload"],
)
async def test_a_message_too_long_for_a_push_fails_in_the_caller_not_in_the_worker(db, city, message, error):
    with pytest.raises(error):
        async with core_db.transaction() as conn:
            await service.enqueue_push(conn, tenant_id=city, audience=Audience(account_ids=[1]), message=message)


async def test_push_of_a_rolled_back_transaction_is_never_sent(worker, db, city, new_phone, new_account_id):
    phone = await new_phone()
    account = new_account_id()
    await _follow(phone.subscription(), tenant_id=city, account_id=account)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback):
        async with core_db.transaction() as conn:
            await service.enqueue_push(conn, tenant_id=city, audience=Audience(account_ids=[account]), message=ASSIGNMENT)
            raise Rollback
    await worker.drain()

    assert phone.received == []
    assert await _push_events_for(db, account) == []


async def test_pending_pushes_are_delivered_exactly_once_by_a_new_worker_after_a_crash(
    settings, db, city, new_phone, new_account_id, push
):
    phone = await new_phone()
    account = new_account_id()
    await _follow(phone.subscription(), tenant_id=city, account_id=account)
    await push(city, Audience(account_ids=[account]), ASSIGNMENT)
    subscription_id = (await _subscription(db, phone.endpoint))["id"]

    # The first worker fans out, claims the delivery and dies before sending it.
    first = service.handlers(settings)
    await OutboxWorker({service.PUSH_TOPIC: first[service.PUSH_TOPIC]}).drain()
    await db.execute(
        "UPDATE outbox_event SET leased_until = now() + interval '120 seconds', attempts = attempts + 1 "
        "WHERE topic = $1 AND done_at IS NULL AND (payload->>'subscription_id')::bigint = $2",
        service.DELIVER_TOPIC, subscription_id,
    )
    # ... and it had also died before the outbox recorded the fan-out: running it again must not fan out twice.
    [push_event] = await _push_events_for(db, account)
    await first[service.PUSH_TOPIC](push_event)

    restarted = OutboxWorker(service.handlers(settings))
    await restarted.drain()
    assert phone.received == []  # still leased to the dead worker
    await _make_due(db, subscription_id)
    await restarted.drain()
    await restarted.drain()

    assert len(phone.received) == 1


async def test_vapid_keys_are_generated_once_and_every_process_loads_the_same(db):
    async def load_in_own_connection():
        async with core_db.connection() as conn:
            return await load_vapid(conn)

    concurrent = await asyncio.gather(*(load_in_own_connection() for _ in range(4)))
    assert len(set(concurrent)) == 1
    assert await db.fetchval("SELECT count(*) FROM instance_setting WHERE name LIKE 'vapid_%'") == 2

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback):
        async with db.transaction():
            # The first start, replayed in a transaction that rolls back, so other tests keep their keys.
            await db.execute("DELETE FROM instance_setting WHERE name LIKE 'vapid_%'")
            generated = await load_vapid(db)
            again = await load_vapid(db)
            raise Rollback
    assert generated == again and generated != concurrent[0]
    point = b64url_decode(generated.public_key)
    assert len(point) == 65 and point[0] == 4  # uncompressed P-256, as applicationServerKey wants
    assert await load_in_own_connection() == concurrent[0]


# --- helpers ----------------------------------------------------------------------------------------------


async def _staff(db, tenant_id: int) -> int:
    return await db.fetchval(
        "INSERT INTO staff_account (tenant, username, full_name, role, password_hash) "
        "VALUES ($1, $2, 'Agente de prueba', 'officer', 'not-a-hash') RETURNING id",
        tenant_id, f"officer-{uuid.uuid4().hex[:12]}",
    )


async def _pending_deliveries(db, subscription_id: int) -> int:
    return await db.fetchval(
        "SELECT count(*) FROM outbox_event "
        "WHERE topic = $1 AND done_at IS NULL AND (payload->>'subscription_id')::bigint = $2",
        service.DELIVER_TOPIC, subscription_id,
    )


async def _make_due(db, subscription_id: int) -> None:
    await db.execute(
        "UPDATE outbox_event SET available_at = now(), leased_until = NULL "
        "WHERE topic = $1 AND done_at IS NULL AND (payload->>'subscription_id')::bigint = $2",
        service.DELIVER_TOPIC, subscription_id,
    )


async def _push_events_for(db, account_id: int) -> list[OutboxMessage]:
    rows = await db.fetch(
        "SELECT id, topic, tenant_id, payload::text AS payload, attempts FROM outbox_event "
        "WHERE topic = $1 AND payload->'audience'->'account_ids' @> $2::jsonb",
        service.PUSH_TOPIC, f"[{account_id}]",
    )
    return [OutboxMessage(**{**dict(r), "payload": msgspec.json.decode(r["payload"])}) for r in rows]
