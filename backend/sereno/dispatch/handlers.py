"""Outbox consumers of dispatch: a new report reaches the console and, if P1, a unit; status changes reach the
citizen who opted in; overdue acknowledgements escalate."""

from __future__ import annotations

from collections.abc import Sequence

from sereno.core import db, events, outbox
from sereno.core.clock import Clock
from sereno.core.i18n import translate
from sereno.dispatch import escalation, service
from sereno.dispatch.auto import flag_unserved
from sereno.incidents import service as incidents
from sereno.incidents import views
from sereno.notifications.schemas import Audience, PushMessage, PushText
from sereno.notifications.service import enqueue_push
from sereno.realtime.channels import Publisher
from sereno.settings import DispatchSettings

__all__ = ["REPORTED_TOPIC", "STATUS_TOPIC", "handlers"]

REPORTED_TOPIC = "incident.reported"
STATUS_TOPIC = "incident.status_changed"
# Status changes a citizen is told about by push.
_URGENT = """
SELECT i.id, i.tenant, t.slug FROM incident i JOIN tenant t ON t.id = i.tenant
WHERE i.id = ANY($1::bigint[]) AND i.priority = 1 ORDER BY i.id
"""
_CITIZEN_PUSH = {"dispatched", "on_scene", "resolved", "closed", "unfounded", "duplicate", "cancelled"}


def handlers(
    settings: DispatchSettings, clock: Clock, publish: Publisher
) -> dict[str, outbox.Handler | outbox.Batched]:
    async def reported(messages: Sequence[outbox.OutboxMessage]) -> dict[int, Exception]:
        """New reports reach the console together: their live events are read in one query and published
        straight away, not through the outbox (the reports are committed, and these messages are done only
        after the events went out). The P1 ones that no unit can serve now are flagged together, and those
        with a candidate unit go to auto-dispatch one by one. Only the reports whose dispatch failed are
        retried."""
        now = clock.now()
        by_incident = {m.payload["incident_id"]: m for m in messages}
        by_tenant: dict[int, list[int]] = {}
        for message in messages:
            by_tenant.setdefault(message.tenant_id, []).append(message.payload["incident_id"])
        created = []
        async with db.connection() as conn:
            for tenant_id, incident_ids in by_tenant.items():
                summaries = await views.summaries(conn, tenant_id=tenant_id, ids=incident_ids, now=now)
                created += events.payloads(tenant_id=tenant_id, type="incident.created", items=summaries)
            urgent = await conn.fetch(_URGENT, list(by_incident))
        await publish(created)
        failed: dict[int, Exception] = {}
        slugs, urgent_by_tenant = {}, {}
        for row in urgent:
            slugs[row["tenant"]] = row["slug"]
            urgent_by_tenant.setdefault(row["tenant"], []).append(row["id"])
        candidates = []
        for tenant_id, incident_ids in urgent_by_tenant.items():
            try:
                served = await flag_unserved(
                    tenant_id=tenant_id,
                    tenant_slug=slugs[tenant_id],
                    incident_ids=incident_ids,
                    now=clock.now(),
                    settings=settings,
                )
            except Exception as exc:  # noqa: BLE001 - these are retried, each on its own
                failed.update({by_incident[incident_id].id: exc for incident_id in incident_ids})
                continue
            candidates += [(tenant_id, incident_id) for incident_id in served]
        # One at a time: each assignment changes which units the next incident can have.
        for tenant_id, incident_id in candidates:
            try:
                await _auto(tenant_id, slugs[tenant_id], incident_id)
            except Exception as exc:  # noqa: BLE001 - the others are done; this one is retried
                failed[by_incident[incident_id].id] = exc
        return failed

    async def auto(message: outbox.OutboxMessage) -> None:
        async with db.connection() as conn:
            slug = await conn.fetchval("SELECT slug FROM tenant WHERE id = $1", message.tenant_id)
        await _auto(message.tenant_id, slug, message.payload["incident_id"])

    async def _auto(tenant_id: int, slug: str, incident_id: int) -> None:
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

    return {
        REPORTED_TOPIC: outbox.Batched(reported),
        incidents.AUTO_DISPATCH_TOPIC: auto,
        STATUS_TOPIC: status_changed,
    }


async def escalation_tick(settings: DispatchSettings, clock: Clock) -> None:
    await escalation.escalate_overdue(now=clock.now(), settings=settings)
