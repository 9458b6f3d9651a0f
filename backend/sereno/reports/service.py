"""Citizen intake and tracking: the one write path for reports from every channel.

A report is one SQL statement (``reports/queries.py``): locate the point (service area, sector), claim the
Idempotency-Key, insert the incident, its contact, its first timeline event and its ``incident.reported``
outbox event (the console hears of it and P1 goes to auto-dispatch from there), and attach its photos. A
retry with the same key finds the committed record and gets the original response back. Reports without photos
that arrive together share that statement and its commit (``reports/batch.py``).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from sereno.core import db, idempotency, outbox
from sereno.core.clock import Clock
from sereno.core.errors import NotFound, Unprocessable
from sereno.core.i18n import translate
from sereno.media import attachments
from sereno.media.storage import Storage
from sereno.reports import batch
from sereno.reports.queries import INTAKE, OUTBOX_TOPIC
from sereno.reports.schemas import (
    CategoryRef,
    Location,
    PhotoRead,
    ReportCreate,
    ReportCreated,
    ReportRead,
    TimelineEntry,
)
from sereno.tenants import service as tenants
from sereno.tenants.schemas import TenantInfo

__all__ = ["submit_report", "citizen_view", "find_incident_for_tracking", "tracking_token", "token_hash"]

_SCOPE = "report"
_FUTURE_SKEW = timedelta(minutes=10)


def tracking_token(secret: bytes, *, tenant_id: int, idempotency_key: str) -> str:
    """Derived from the key, so a replayed response can carry the token without the token being stored."""
    digest = hmac.new(secret, f"tracking:{tenant_id}:{idempotency_key}".encode(), hashlib.sha256).digest()
    return digest.hex()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_LOCK_PHOTOS = "SELECT id, status FROM attachment WHERE tenant_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE"


async def submit_report(
    *,
    tenant: TenantInfo,
    body: ReportCreate,
    idempotency_key: str,
    clock: Clock,
    secret: bytes,
    source: str = "app",
    callback_sla_s: int = 4 * 3600,
) -> tuple[int, ReportCreated]:
    """File a report exactly once; returns (HTTP status, response)."""
    key = idempotency.validate_key(idempotency_key)
    _check_contact(body)
    category = await tenants.get_category(tenant_id=tenant.id, code=body.category)
    now = clock.now()
    if body.occurred_at is not None and body.occurred_at > now + _FUTURE_SKEW:
        raise Unprocessable("invalid_field", field="occurred_at", detail="future")
    token = tracking_token(secret, tenant_id=tenant.id, idempotency_key=key)
    year = now.astimezone(ZoneInfo(tenant.time_zone)).year
    body_hash = idempotency.request_hash(body)
    contact = body.contact
    args = (
        tenant.id,
        f"{tenant.code_prefix}-{year}-",
        category.id,
        category.default_priority,
        source,
        body.location.lon,
        body.location.lat,
        body.location.accuracy_m,
        body.description.strip(),
        contact is None,
        token_hash(token),
        body.occurred_at,
        now,
        msgspec.json.encode({"category": category.code, "photos": len(body.photo_ids)}).decode(),
        body.photo_ids,
        float(callback_sla_s) if contact is not None and contact.callback_wanted else 0.0,
        key,
        body_hash,
        contact is not None,
        contact.name.strip() if contact else "",
        contact.phone.strip() if contact else "",
        contact.email.strip() if contact else "",
        bool(contact and contact.callback_wanted),
    )
    replay = None
    if body.photo_ids:  # the photos are locked and checked first, in the statement's transaction
        async with db.transaction() as conn:
            # Locked first: a twin of this request (same key, same photos) that is being filed now is waited
            # for. Then a key already claimed is a retry (its response was lost) and gets the original answer:
            # its photos are attached by now, which would otherwise read as someone else's.
            photos = await conn.fetch(_LOCK_PHOTOS, tenant.id, body.photo_ids)
            replay = await idempotency.existing(
                conn, tenant_id=tenant.id, scope=_SCOPE, key=key, body_hash=body_hash
            )
            if replay is None:
                attachments.check_ready(photos, body.photo_ids)
                row = await conn.fetchrow(INTAKE, *args)
                _check_location(row, tenant)
                if row["incident_id"] is None:
                    replay = await _replay(conn, tenant_id=tenant.id, key=key, body_hash=body_hash)
    else:  # one statement, its own transaction, shared with the reports arriving meanwhile
        row = await batch.file_report(args)
        _check_location(row, tenant)
        if row["incident_id"] is None:
            async with db.connection() as conn:
                replay = await _replay(conn, tenant_id=tenant.id, key=key, body_hash=body_hash)
    if replay is not None:
        original = msgspec.convert(replay.response, ReportCreated)
        return replay.status_code, msgspec.structs.replace(original, tracking_token=token)
    await outbox.wake_after_commit(OUTBOX_TOPIC)  # committed: the console and auto-dispatch hear of it now
    return 201, ReportCreated(code=row["code"], tracking_token=token, status="new", reported_at=now)


def _check_location(row: asyncpg.Record, tenant: TenantInfo) -> None:
    if row["inside"] is None:
        raise NotFound("unknown_tenant", tenant=tenant.slug)
    if not row["inside"]:
        raise Unprocessable("outside_service_area", tenant=tenant.name)


async def _replay(
    conn: asyncpg.Connection, *, tenant_id: int, key: str, body_hash: str
) -> idempotency.Replay:
    """The key was claimed before (a retry, or the same request twice at once): the original response."""
    claimed = await idempotency.claim(conn, tenant_id=tenant_id, scope=_SCOPE, key=key, body_hash=body_hash)
    assert isinstance(claimed, idempotency.Replay)
    return claimed


def _check_contact(body: ReportCreate) -> None:
    if body.anonymous and body.contact is not None:
        raise Unprocessable("invalid_field", field="contact", detail="anonymous")
    if (
        body.contact is not None
        and body.contact.callback_wanted
        and not (body.contact.phone or body.contact.email)
    ):
        raise Unprocessable("contact_needs_phone_or_email")


_VIEW = """
SELECT i.id, i.code, i.status, i.reported_at, i.occurred_at, i.description, i.outcome, i.resolved_at,
       ST_Y(i.location::geometry) AS lat, ST_X(i.location::geometry) AS lon, i.accuracy_m,
       c.code AS category_code, c.name_es, c.name_en
FROM incident i JOIN category c ON c.id = i.category
WHERE i.tenant = $1 AND i.code = $2 AND i.tracking_token_hash = $3
"""
_VIEW_EVENTS = """
SELECT at, kind FROM incident_event WHERE incident = $1 AND public ORDER BY at, id
"""
_VIEW_PHOTOS = """
SELECT display_key, thumb_key FROM attachment
WHERE incident = $1 AND display_key IS NOT NULL ORDER BY position, created_at
"""


async def citizen_view(
    *, tenant: TenantInfo, code: str, token: str | None, lang: str, storage: Storage
) -> ReportRead:
    """The reporter's own view; an unknown code and a wrong token look the same (404)."""
    if not token or len(token) > 200:
        raise NotFound("report_not_found")
    async with db.connection() as conn:
        row = await conn.fetchrow(_VIEW, tenant.id, code.upper(), token_hash(token))
        if row is None:
            raise NotFound("report_not_found")
        events = await conn.fetch(_VIEW_EVENTS, row["id"])
        photos = await conn.fetch(_VIEW_PHOTOS, row["id"])
    return ReportRead(
        code=row["code"],
        status=row["status"],
        status_label=translate(f"status_{row['status']}", lang),
        category=CategoryRef(code=row["category_code"], name=row["name_en" if lang == "en" else "name_es"]),
        reported_at=row["reported_at"],
        occurred_at=row["occurred_at"],
        description=row["description"],
        location=Location(lat=row["lat"], lon=row["lon"], accuracy_m=row["accuracy_m"])
        if row["lat"]
        else None,
        photos=[
            PhotoRead(
                url=await storage.url_for(p["display_key"]), thumb_url=await storage.url_for(p["thumb_key"])
            )
            for p in photos
        ],
        timeline=[
            TimelineEntry(at=e["at"], kind=e["kind"], label=_event_label(e["kind"], lang)) for e in events
        ],
        outcome=row["outcome"],
        outcome_label=translate(f"outcome_{row['outcome']}", lang) if row["outcome"] else None,
        resolved_at=row["resolved_at"],
    )


def _event_label(kind: str, lang: str) -> str:
    label = translate(f"event_{kind}", lang)
    return label if label != f"event_{kind}" else translate("event_status_changed", lang)


async def find_incident_for_tracking(*, tenant: TenantInfo, code: str, token: str | None) -> int:
    """The incident behind a report code and its tracking token; 404 alike for a wrong token or code."""
    if not token or len(token) > 200:
        raise NotFound("report_not_found")
    async with db.connection() as conn:
        incident_id = await conn.fetchval(
            "SELECT id FROM incident WHERE tenant = $1 AND code = $2 AND tracking_token_hash = $3",
            tenant.id,
            code.upper(),
            token_hash(token),
        )
    if incident_id is None:
        raise NotFound("report_not_found")
    return incident_id
