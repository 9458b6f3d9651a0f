"""Push notifications: who subscribed, who gets a message, and delivering it (always from the outbox worker).

``enqueue_push`` writes one ``notify.push`` event in the caller's transaction. The worker resolves its audience
and, in one transaction, turns it into one ``notify.deliver`` event per subscription: each delivery then
retries on its own, and a phone already served is never pushed again because another one failed.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import asyncpg
import msgspec

from sereno.core import db, outbox
from sereno.core.errors import Unprocessable
from sereno.core.outbox import OutboxMessage
from sereno.notifications.errors import SubscriptionGone
from sereno.notifications.fcm import FcmSender
from sereno.notifications.schemas import (
    Audience,
    PushMessage,
    SubscriptionIn,
    VapidPublicKey,
    WebPushSubscriptionIn,
)
from sereno.notifications.vapid import VapidKeys, load_vapid
from sereno.notifications.webpush import WebPushSender
from sereno.reports import service as reports
from sereno.settings import NotificationSettings
from sereno.tenants.schemas import TenantInfo

__all__ = [
    "Audience",
    "PUSH_TOPIC",
    "DELIVER_TOPIC",
    "enqueue_push",
    "subscribe",
    "unsubscribe",
    "follow_report",
    "vapid_public_key",
    "handlers",
]

log = logging.getLogger("sereno.notifications")

PUSH_TOPIC = "notify.push"
DELIVER_TOPIC = "notify.deliver"
# The outbox backs off 2, 4, 8 ... s: ten attempts span about half an hour. A push later than that is noise
# (and a dead endpoint that never says 404/410 must not be retried forever).
_MAX_ATTEMPTS = 10
# Bounds on devices per target, so that one tracking token cannot fan a push out to thousands of URLs.
_MAX_PER_ACCOUNT = 10
_MAX_PER_INCIDENT = 5
# Web Push carries at most 4096 encrypted bytes (3993 of JSON after aes128gcm's overhead); keep a margin.
_MAX_PAYLOAD_BYTES = 3500


class _PushEvent(msgspec.Struct, frozen=True):
    audience: Audience
    message: PushMessage


class _DeliverEvent(msgspec.Struct, frozen=True):
    subscription_id: int
    message: PushMessage


async def enqueue_push(
    conn: asyncpg.Connection, *, tenant_id: int, audience: Audience, message: PushMessage
) -> None:
    """Push ``message`` to ``audience`` once the caller's transaction commits (nothing is sent if it rolls back)."""
    if audience.is_empty():
        return
    # A message that cannot be sent fails here, in the caller's request, not on every retry of the worker.
    payload = msgspec.to_builtins(_PushEvent(audience=audience, message=message))
    msgspec.convert(payload, _PushEvent)
    for lang in ("", *message.translations):
        if len(msgspec.json.encode(message.for_language(lang))) > _MAX_PAYLOAD_BYTES:
            raise ValueError(f"push message too large for Web Push ({lang or 'default'} language)")
    await outbox.enqueue(conn, topic=PUSH_TOPIC, payload=payload, tenant_id=tenant_id)


# --- subscriptions ----------------------------------------------------------------------------------------

_UPSERT = """
INSERT INTO push_subscription (tenant_id, kind, endpoint, p256dh, auth, account_id, incident_id, request_id,
                               language)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (kind, endpoint, coalesce(account_id, 0), coalesce(incident_id, 0), coalesce(request_id, 0))
DO UPDATE SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, language = EXCLUDED.language, failures = 0
RETURNING id
"""
# A browser belongs to whoever logged in on it last: an earlier account's subscription there would put that
# account's assignments on someone else's lock screen.
_HAND_OVER = """
DELETE FROM push_subscription WHERE kind = $1 AND endpoint = $2 AND account_id IS NOT NULL AND account_id <> $3
"""
_PRUNE = """
DELETE FROM push_subscription WHERE id IN (
    SELECT id FROM push_subscription WHERE {target} AND id <> $2
    ORDER BY coalesce(last_success_at, created_at) DESC, id DESC OFFSET $3
)
"""
_REMOVE = "DELETE FROM push_subscription WHERE {target} AND endpoint = $2"
_TARGETS = ("account_id", "incident_id", "request_id")


def _target(
    account_id: int | None, incident_id: int | None, request_id: int | None = None
) -> tuple[str, str, int]:
    """(column, SQL condition on ``$1`` matching exactly that target, the target's id)."""
    given = {
        c: v for c, v in zip(_TARGETS, (account_id, incident_id, request_id), strict=True) if v is not None
    }
    if len(given) != 1:
        raise ValueError("a subscription is for exactly one of account_id, incident_id, request_id")
    [(column, target)] = given.items()
    condition = " AND ".join([f"{column} = $1", *(f"{c} IS NULL" for c in _TARGETS if c != column)])
    return column, condition, target


# The push services of the browsers people use. The worker POSTs to whatever endpoint a subscription names, so
# anything else (an intranet address, say) is refused at the door.
_PUSH_HOSTS = ("fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com")
_extra_hosts: frozenset[str] = frozenset()


def configure(*, extra_hosts: str) -> None:
    global _extra_hosts
    _extra_hosts = frozenset(h.strip().lower() for h in extra_hosts.split(",") if h.strip())


def _check_endpoint(endpoint: str) -> None:
    host = (urlsplit(endpoint).hostname or "").lower()
    if host in _extra_hosts:
        return
    if urlsplit(endpoint).scheme == "https" and any(host == h or host.endswith("." + h) for h in _PUSH_HOSTS):
        return
    raise Unprocessable("invalid_field", field="endpoint", detail="not a known push service")


async def subscribe(
    *,
    tenant_id: int,
    body: SubscriptionIn,
    language: str,
    account_id: int | None = None,
    incident_id: int | None = None,
    request_id: int | None = None,
) -> None:
    """Register a device for a staff account, a citizen's report or participation request; repeating it only
    refreshes the keys."""
    column, condition, target = _target(account_id, incident_id, request_id)
    if isinstance(body, WebPushSubscriptionIn):
        _check_endpoint(body.endpoint)
        kind, endpoint, p256dh, auth = "webpush", body.endpoint, body.keys.p256dh, body.keys.auth
    else:
        kind, endpoint, p256dh, auth = "fcm", body.token, "", ""
    keep = (_MAX_PER_ACCOUNT if column == "account_id" else _MAX_PER_INCIDENT) - 1
    async with db.transaction() as conn:
        if account_id is not None:
            await conn.execute(_HAND_OVER, kind, endpoint, account_id)
        subscription_id = await conn.fetchval(
            _UPSERT, tenant_id, kind, endpoint, p256dh, auth, account_id, incident_id, request_id, language
        )
        await conn.execute(_PRUNE.format(target=condition), target, subscription_id, keep)


async def unsubscribe(
    *, endpoint: str, account_id: int | None = None, incident_id: int | None = None
) -> None:
    """Forget a device (Web Push endpoint or FCM token) for that target; unknown endpoints are no error."""
    _, condition, target = _target(account_id, incident_id)
    async with db.connection() as conn:
        await conn.execute(_REMOVE.format(target=condition), target, endpoint)


async def follow_report(
    *, tenant: TenantInfo, code: str, token: str | None, body: SubscriptionIn, language: str
) -> None:
    """A citizen's device follows their report; an unknown code and a wrong token are the same 404."""
    incident_id = await reports.find_incident_for_tracking(tenant=tenant, code=code, token=token)
    await subscribe(tenant_id=tenant.id, body=body, language=language, incident_id=incident_id)


async def vapid_public_key() -> VapidPublicKey:
    async with db.connection() as conn:
        keys = await load_vapid(conn)
    return VapidPublicKey(key=keys.public_key)


# --- delivery (outbox handlers) ---------------------------------------------------------------------------

_AUDIENCE = """
SELECT id FROM push_subscription
WHERE tenant_id = $1 AND (
       (incident_id IS NULL AND request_id IS NULL AND account_id = ANY($2::int[]))
    OR (incident_id IS NULL AND request_id IS NULL AND account_id IN (SELECT account FROM unit_member WHERE unit = $3))
    OR (account_id IS NULL AND incident_id = $4)
    OR (account_id IS NULL AND request_id = $5)
)
ORDER BY id
"""
# The fan-out and the completion of its own event commit together, so a crash between the two cannot fan the
# same push out twice. (The outbox marks it done again afterwards; that is harmless.)
_COMPLETE_OWN_EVENT = "UPDATE outbox_event SET done_at = now() WHERE id = $1 AND done_at IS NULL"
_SUBSCRIPTION = "SELECT id, kind, endpoint, p256dh, auth, language FROM push_subscription WHERE id = $1"
_SUCCEEDED = "UPDATE push_subscription SET last_success_at = now(), failures = 0 WHERE id = $1"
_FAILED = "UPDATE push_subscription SET failures = failures + 1 WHERE id = $1"
_DELETE = "DELETE FROM push_subscription WHERE id = $1"


class _Senders:
    """Built on first use: the VAPID keys need the database, which handlers() must not touch."""

    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self._webpush: WebPushSender | None = None
        self.fcm = FcmSender.from_settings(settings)

    async def webpush(self) -> WebPushSender:
        if self._webpush is None:
            async with db.connection() as conn:
                keys: VapidKeys = await load_vapid(conn)
            self._webpush = WebPushSender(
                keys, subject=self.settings.vapid_subject, ttl_s=self.settings.push_ttl_s
            )
        return self._webpush


def handlers(settings: NotificationSettings) -> dict[str, outbox.Handler]:
    senders = _Senders(settings)

    async def fan_out(message: OutboxMessage) -> None:
        event = msgspec.convert(message.payload, _PushEvent)
        audience = event.audience
        async with db.transaction() as conn:
            if await conn.execute(_COMPLETE_OWN_EVENT, message.id) == "UPDATE 0":
                return  # fanned out by an earlier run whose completion this one did not see
            rows = await conn.fetch(
                _AUDIENCE,
                message.tenant_id,
                audience.account_ids,
                audience.unit_id,
                audience.incident_id,
                audience.request_id,
            )
            for row in rows:
                deliver = _DeliverEvent(subscription_id=row["id"], message=event.message)
                await outbox.enqueue(
                    conn,
                    topic=DELIVER_TOPIC,
                    payload=msgspec.to_builtins(deliver),
                    tenant_id=message.tenant_id,
                )

    async def deliver(message: OutboxMessage) -> None:
        event = msgspec.convert(message.payload, _DeliverEvent)
        async with db.connection() as conn:
            sub = await conn.fetchrow(_SUBSCRIPTION, event.subscription_id)
        if sub is None:
            return  # unsubscribed since
        payload = event.message.for_language(sub["language"])
        urgency = event.message.urgency
        try:
            if sub["kind"] == "webpush":
                sender = await senders.webpush()
                await sender.send(
                    endpoint=sub["endpoint"],
                    p256dh=sub["p256dh"],
                    auth=sub["auth"],
                    payload=payload,
                    urgency=urgency,
                )
            elif senders.fcm is None:
                log.info(
                    "FCM is off (no SERENO_FCM_CREDENTIALS_FILE): push subscription %s skipped", sub["id"]
                )
                return
            else:
                await senders.fcm.send(token=sub["endpoint"], payload=payload, urgency=urgency)
        except SubscriptionGone as exc:
            log.info("push subscription %s is gone (%s): deleted", sub["id"], exc)
            async with db.connection() as conn:
                await conn.execute(_DELETE, sub["id"])
            return
        except Exception:
            async with db.connection() as conn:
                await conn.execute(_FAILED, sub["id"])
            if message.attempts >= _MAX_ATTEMPTS:
                log.warning(
                    "push to subscription %s abandoned after %s attempts", sub["id"], message.attempts
                )
                return
            raise
        async with db.connection() as conn:
            await conn.execute(_SUCCEEDED, sub["id"])

    return {PUSH_TOPIC: fan_out, DELIVER_TOPIC: deliver}
