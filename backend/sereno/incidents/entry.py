"""Incidents entered by staff: a call taken by phone or radio, or raised by an officer in the field."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db, outbox
from sereno.core.geo import point_ewkt
from sereno.incidents.schemas import IncidentCreate, IncidentDetail
from sereno.incidents.service import AUTO_DISPATCH_TOPIC, detail_for, publish_incident, record
from sereno.media.storage import Storage
from sereno.reports.schemas import Location
from sereno.tenants import service as tenants
from sereno.tenants.schemas import TenantInfo

__all__ = ["UnlocatedDraft", "insert_incident", "create_by_operator"]


class UnlocatedDraft(IncidentCreate, frozen=True):
    """An incident from a channel that may not know the place yet (an SMS): never decoded from a request."""

    location: Location | None = None

_CREATE = """
INSERT INTO incident (tenant, code, category, priority, status, source, location, accuracy_m, sector, description,
                      anonymous, reported_at, updated_at, callback_due_at, created_by)
VALUES ($1, $2 || lpad(sereno_next_report_number($1)::text, 6, '0'), $3, $4, $14, $5, ST_GeogFromText($6),
        $7, $8, $9, $10, $11, $11, $12, $13)
RETURNING id
"""


async def insert_incident(
    conn: asyncpg.Connection,
    *,
    staff: StaffPrincipal | None,
    tenant: TenantInfo,
    body: IncidentCreate,
    now: datetime,
    callback_sla: timedelta,
    source: str,
    device_id: int | None = None,
    status: str = "triaged",
    auto_dispatch: bool = True,
    event_data: dict[str, Any] | None = None,
) -> int:
    """Insert an incident taken by staff (already triaged: a person spoke to the caller), in the caller's
    transaction; P1 goes to auto-dispatch.

    A partner device (alarm, sensor) raises one with ``staff=None`` and its ``device_id``: the incident is
    ``new`` (nobody has triaged it), and ``auto_dispatch=False`` leaves a doubtful one for the dispatcher.

    A citizen's text (``staff=None``, no device) comes as an ``UnlocatedDraft`` when it gave no place: the
    incident has no point and the dispatcher locates it."""
    where: Location | None = body.location
    category = await tenants.get_category(tenant_id=tenant.id, code=body.category)
    priority = body.priority or category.default_priority
    wants_callback = body.contact is not None and body.contact.callback_wanted
    sector_id = await tenants.locate(conn, tenant=tenant, lon=where.lon, lat=where.lat) if where else None
    year = now.astimezone(ZoneInfo(tenant.time_zone)).year
    incident_id = await conn.fetchval(
        _CREATE,
        tenant.id,
        f"{tenant.code_prefix}-{year}-",
        category.id,
        priority,
        source,
        point_ewkt(where.lon, where.lat) if where else None,
        where.accuracy_m if where else None,
        sector_id,
        body.description.strip(),
        body.contact is None,
        now,
        now + callback_sla if wants_callback else None,
        staff.id if staff is not None else device_id,
        status,
    )
    if body.contact is not None:
        c = body.contact
        await conn.execute(
            "INSERT INTO reporter_contact (tenant_id, incident, name, phone, email, callback_wanted) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            tenant.id,
            incident_id,
            c.name,
            c.phone,
            c.email,
            c.callback_wanted,
        )
    await record(
        conn,
        tenant_id=tenant.id,
        incident_id=incident_id,
        at=now,
        kind="reported",
        actor_type="staff" if staff is not None else "device" if device_id is not None else "citizen",
        actor_id=staff.id if staff is not None else device_id,
        data={"source": source, "category": category.code, **(event_data or {})},
        public=True,
    )
    if priority == 1 and source != "field" and auto_dispatch:
        await outbox.enqueue(
            conn, topic=AUTO_DISPATCH_TOPIC, payload={"incident_id": incident_id}, tenant_id=tenant.id
        )
    await publish_incident(
        conn, tenant_id=tenant.id, incident_id=incident_id, now=now, type="incident.created"
    )
    return incident_id


async def create_by_operator(
    *,
    staff: StaffPrincipal,
    tenant: TenantInfo,
    body: IncidentCreate,
    now: datetime,
    callback_sla: timedelta,
    storage: Storage,
) -> IncidentDetail:
    async with db.transaction() as conn:
        incident_id = await insert_incident(
            conn,
            staff=staff,
            tenant=tenant,
            body=body,
            now=now,
            callback_sla=callback_sla,
            source=body.source,
        )
    return await detail_for(staff, incident_id, now, storage)
