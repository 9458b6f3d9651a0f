"""Outbox consumers of the alarm domain: the periodic check for silent devices, and the signed status
callbacks a partner is owed when its alarm's incident is dispatched, reached and closed (ASAP-style)."""

from __future__ import annotations

import logging
from datetime import datetime

import httpx
import msgspec

from sereno.alarms import service, signing
from sereno.alarms.schemas import CallbackBody
from sereno.core import db, outbox
from sereno.core.clock import Clock
from sereno.settings import AlarmSettings

__all__ = ["CALLBACK_STATUSES", "CALLBACK_TOPIC", "SILENCE_TOPIC", "handlers", "with_status_callbacks"]

log = logging.getLogger("sereno.alarms")

SILENCE_TOPIC = "maintenance.alarm_silence"
# "notify.": delivered by the worker for slow remote services, so a partner that answers slowly never delays
# dispatch or live events (see app.delivery_workers).
CALLBACK_TOPIC = "notify.alarm_callback"
# Incident statuses a partner hears of: dispatched, arrived, and every way it ends.
CALLBACK_STATUSES = frozenset({"dispatched", "on_scene", "resolved", "closed", "cancelled", "unfounded"})
_TIMEOUT_S = 10.0

# The partner of the alarm that raised the incident (its first alarm event), and every event id it sent.
_ALARM_OF = """
SELECT p.id AS partner_id, p.callback_url, min(d.device_id) AS device_id, i.code,
       array_agg(e.event_id ORDER BY e.id) AS event_ids
FROM alarm_event e
JOIN alarm_partner p ON p.id = e.partner
JOIN alarm_device d ON d.id = e.device
JOIN incident i ON i.id = e.incident_id
WHERE e.incident_id = $1 AND e.role = 'alarm'
GROUP BY p.id, i.code
ORDER BY min(e.id)
LIMIT 1
"""
_OWE = """
INSERT INTO alarm_callback (tenant_id, partner, incident_id, status, at, body) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (incident_id, status) DO NOTHING
RETURNING id
"""
_CALLBACK = """
SELECT c.body, c.delivered_at, p.id AS partner_id, p.callback_url,
       (SELECT k.salt FROM alarm_partner_key k WHERE k.partner = p.id AND k.revoked_at IS NULL
        ORDER BY k.id DESC LIMIT 1) AS salt
FROM alarm_callback c JOIN alarm_partner p ON p.id = c.partner WHERE c.id = $1
"""


def handlers(settings: AlarmSettings, clock: Clock, secret: bytes) -> dict[str, outbox.Handler]:
    async def silence(message: outbox.OutboxMessage) -> None:
        await service.flag_silent_devices(now=clock.now())
        async with db.transaction() as conn:
            await outbox.enqueue(conn, topic=SILENCE_TOPIC, payload={}, tenant_id=None,
                                 delay_s=settings.silence_check_s)

    async def deliver(message: outbox.OutboxMessage) -> None:
        await deliver_callback(message.payload["callback_id"], secret=secret, now=clock.now())

    return {SILENCE_TOPIC: silence, CALLBACK_TOPIC: deliver}


def with_status_callbacks(status_changed: outbox.Handler, clock: Clock) -> outbox.Handler:
    """``incident.status_changed`` has one handler per topic: this one first owes the partner its callback
    (idempotent: one per incident and status), then runs the existing handler."""

    async def handle(message: outbox.OutboxMessage) -> None:
        if message.payload["status"] in CALLBACK_STATUSES:
            await owe_callback(
                tenant_id=message.tenant_id, incident_id=message.payload["incident_id"],
                status=message.payload["status"], now=clock.now(),
            )
        await status_changed(message)

    return handle


async def owe_callback(*, tenant_id: int, incident_id: int, status: str, now: datetime) -> None:
    async with db.transaction() as conn:
        alarm = await conn.fetchrow(_ALARM_OF, incident_id)
        if alarm is None or not alarm["callback_url"]:
            return
        body = CallbackBody(partner_id=alarm["partner_id"], event_ids=list(alarm["event_ids"]),
                            device_id=alarm["device_id"], incident_code=alarm["code"], status=status, at=now)
        callback_id = await conn.fetchval(_OWE, tenant_id, alarm["partner_id"], incident_id, status, now,
                                          msgspec.json.encode(body).decode())
        if callback_id is not None:
            await outbox.enqueue(conn, topic=CALLBACK_TOPIC, payload={"callback_id": callback_id},
                                 tenant_id=tenant_id)


async def deliver_callback(callback_id: int, *, secret: bytes, now: datetime) -> None:
    """POST the callback signed with the partner's newest valid key; a failure raises, so the outbox retries
    with back-off. Nothing is sent without a valid key (a revoked partner hears nothing)."""
    async with db.connection() as conn:
        row = await conn.fetchrow(_CALLBACK, callback_id)
    if row is None or row["delivered_at"] is not None or not row["callback_url"] or row["salt"] is None:
        return
    body = row["body"].encode()
    headers = signing.signed_headers(partner_id=row["partner_id"], key=signing.derive_key(secret, row["salt"]),
                                     timestamp=int(now.timestamp()), body=body)
    async with httpx.AsyncClient(timeout=_TIMEOUT_S, follow_redirects=False) as client:
        response = await client.post(row["callback_url"], content=body,
                                     headers={**headers, "Content-Type": "application/json"})
    if response.status_code >= 300:
        raise RuntimeError(f"partner callback answered {response.status_code}")
    async with db.connection() as conn:
        await conn.execute("UPDATE alarm_callback SET delivered_at = $2 WHERE id = $1", callback_id, now)


