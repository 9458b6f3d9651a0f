"""Outbox consumers of dispatch: a new report reaches the console and, if P1, a unit; status changes reach the
citizen who opted in; overdue acknowledgements escalate."""

from __future__ import annotations

from sereno.core import db, outbox
from sereno.core.clock import Clock
from sereno.core.i18n import translate
from sereno.dispatch import escalation, service
from sereno.incidents import service as incidents
from sereno.notifications.schemas import Audience, PushMessage, PushText
from sereno.notifications.service import enqueue_push
from sereno.settings import DispatchSettings

__all__ = ["handlers", "REPORTED_TOPIC", "STATUS_TOPIC"]

REPORTED_TOPIC = "incident.reported"
STATUS_TOPIC = "incident.status_changed"
# Status changes a citizen is told about by push.
_CITIZEN_PUSH = {"dispatched", "on_scene", "resolved", "closed", "unfounded", "duplicate", "cancelled"}


def handlers(settings: DispatchSettings, clock: Clock) -> dict[str, outbox.Handler]:
    async def reported(message: outbox.OutboxMessage) -> None:
        tenant_id, incident_id = message.tenant_id, message.payload["incident_id"]
        now = clock.now()
        async with db.transaction() as conn:
            await incidents.publish_incident(
                conn, tenant_id=tenant_id, incident_id=incident_id, now=now, type="incident.created"
            )
            priority = await conn.fetchval("SELECT priority FROM incident WHERE id = $1", incident_id)
        if priority == 1:
            await _auto(tenant_id, incident_id)

    async def auto(message: outbox.OutboxMessage) -> None:
        await _auto(message.tenant_id, message.payload["incident_id"])

    async def _auto(tenant_id: int, incident_id: int) -> None:
        async with db.connection() as conn:
            slug = await conn.fetchval("SELECT slug FROM tenant WHERE id = $1", tenant_id)
        await service.auto_dispatch(
            tenant_id=tenant_id, tenant_slug=slug, incident_id=incident_id, now=clock.now(), settings=settings
        )

    async def status_changed(message: outbox.OutboxMessage) -> None:
        status, code = message.payload["status"], message.payload["code"]
        if status not in _CITIZEN_PUSH:
            return
        async with db.transaction() as conn:
            await enqueue_push(
                conn,
                tenant_id=message.tenant_id,
                audience=Audience(incident_id=message.payload["incident_id"]),
                message=PushMessage(
                    title=f"{code}: {translate(f'status_{status}', 'es')}",
                    url="/#/reports",
                    tag=f"report-{code}",
                    translations={"en": PushText(title=f"{code}: {translate(f'status_{status}', 'en')}")},
                ),
            )

    return {REPORTED_TOPIC: reported, incidents.AUTO_DISPATCH_TOPIC: auto, STATUS_TOPIC: status_changed}


async def escalation_tick(settings: DispatchSettings, clock: Clock) -> None:
    await escalation.escalate_overdue(now=clock.now(), settings=settings)
