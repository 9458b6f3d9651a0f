"""The citizen's side of participation: the topics to choose from, filing a request exactly once, and the
citizen's own view of it (status, deadline, the municipality's answer).

A request is not an incident: it never enters the crime workflow, the dispatch queue or the public
transparency feed. It shares the intake's rules: an Idempotency-Key makes a retry return the original answer,
the location must be inside the service area, contact data stays apart and staff-only, and its photos (up to
three confirmed uploads) are attached in the transaction that files it, after the key is claimed, so a retry
replays the original instead of finding its own photos taken.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from zoneinfo import ZoneInfo

import msgspec

from sereno.core import db, events, idempotency
from sereno.core.clock import Clock
from sereno.core.errors import NotFound, Unprocessable
from sereno.core.i18n import translate
from sereno.media import attachments
from sereno.media.storage import Storage
from sereno.notifications import service as notifications
from sereno.notifications.schemas import SubscriptionIn
from sereno.participation import queries as q
from sereno.participation.schemas import (
    DepartmentRef,
    RequestCreate,
    RequestCreated,
    RequestRead,
    TopicRead,
)
from sereno.reports.schemas import Location, PhotoRead, TimelineEntry
from sereno.reports.service import token_hash
from sereno.tenants import service as tenants
from sereno.tenants.schemas import TenantInfo

__all__ = [
    "list_topics",
    "submit_request",
    "citizen_view",
    "follow_request",
    "tracking_token",
    "photos_of",
    "location_of",
    "LIVE_EVENT",
]

_SCOPE = "participation"
LIVE_EVENT = "participation.updated"


def tracking_token(secret: bytes, *, tenant_id: int, idempotency_key: str) -> str:
    """Derived from the key (as for reports), so a replayed response carries the token without storing it."""
    message = f"participation:{tenant_id}:{idempotency_key}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _name(row, prefix: str, lang: str) -> str:
    return row[f"{prefix}_en" if lang == "en" else f"{prefix}_es"]


async def list_topics(*, tenant: TenantInfo, lang: str) -> list[TopicRead]:
    async with db.connection() as conn:
        rows = await conn.fetch(q.TOPICS, tenant.id)
    return [
        TopicRead(
            code=row["code"],
            name=_name(row, "name", lang),
            department=DepartmentRef(code=row["department_code"], name=_name(row, "department", lang)),
            needs_location=row["needs_location"],
            answer_within_h=row["answer_within_h"],
            icon=row["icon"],
        )
        for row in rows
    ]


async def submit_request(
    *, tenant: TenantInfo, body: RequestCreate, idempotency_key: str, lang: str, clock: Clock, secret: bytes
) -> tuple[int, RequestCreated]:
    """File a request exactly once; returns (HTTP status, response)."""
    key = idempotency.validate_key(idempotency_key)
    description = body.description.strip()
    if not description:
        raise Unprocessable("invalid_field", field="description", detail="empty")
    token = tracking_token(secret, tenant_id=tenant.id, idempotency_key=key)
    now = clock.now()
    async with db.transaction() as conn:
        topic = await conn.fetchrow(q.TOPIC, tenant.id, body.topic)
        if topic is None:
            raise Unprocessable("unknown_topic", topic=body.topic)
        if topic["needs_location"] and body.location is None and not body.address.strip():
            raise Unprocessable("participation_place_needed")
        if body.location is not None:
            await tenants.locate(conn, tenant=tenant, lon=body.location.lon, lat=body.location.lat)
        claimed = await idempotency.claim(
            conn, tenant_id=tenant.id, scope=_SCOPE, key=key, body_hash=idempotency.request_hash(body)
        )
        if isinstance(claimed, idempotency.Replay):
            original = msgspec.convert(claimed.response, RequestCreated)
            return claimed.status_code, msgspec.structs.replace(original, tracking_token=token)
        if body.photo_ids:  # a refusal rolls the claim back with everything else: nothing is filed
            await attachments.lock_ready(conn, tenant_id=tenant.id, photo_ids=body.photo_ids)
        year = now.astimezone(ZoneInfo(tenant.time_zone)).year
        location = body.location
        row = await conn.fetchrow(
            q.INSERT_REQUEST,
            tenant.id,
            f"{tenant.code_prefix}-PC-{year}-",
            body.kind,
            topic["id"],
            topic["department_id"],
            description,
            location.lon if location else None,
            location.lat if location else None,
            round(location.accuracy_m) if location and location.accuracy_m is not None else None,
            body.address.strip(),
            lang,
            token_hash(token),
            now,
            now + timedelta(hours=topic["answer_within_h"]),
        )
        contact = body.contact
        if contact is not None and (contact.name.strip() or contact.phone.strip() or contact.email.strip()):
            await conn.execute(
                q.INSERT_CONTACT,
                row["id"],
                contact.name.strip(),
                contact.phone.strip(),
                contact.email.strip(),
            )
        if body.photo_ids:
            await attachments.attach_to_request(
                conn, tenant_id=tenant.id, request_id=row["id"], photo_ids=body.photo_ids, now=now
            )
        await conn.execute(
            q.INSERT_EVENT, row["id"], tenant.id, now, "received", "citizen", None, True,
            msgspec.json.encode({"topic": body.topic, "kind": body.kind, "photos": len(body.photo_ids)}).decode(),
        )  # fmt: skip
        await events.emit(
            conn,
            tenant_id=tenant.id,
            type=LIVE_EVENT,
            data={
                "id": row["id"],
                "code": row["code"],
                "status": "received",
                "department_id": topic["department_id"],
            },
        )
        created = RequestCreated(
            code=row["code"],
            tracking_token=token,
            status="received",
            received_at=now,
            due_at=now + timedelta(hours=topic["answer_within_h"]),
        )
        # The stored response leaves the token out: a replay derives it again from the key.
        await idempotency.store_response(
            conn, claimed, 201, msgspec.structs.replace(created, tracking_token="")
        )
    return 201, created


async def citizen_view(
    *, tenant: TenantInfo, code: str, token: str | None, lang: str, storage: Storage
) -> RequestRead:
    """The citizen's own view; an unknown code and a wrong token look the same (404)."""
    if not token or len(token) > 200:
        raise NotFound("participation_not_found")
    async with db.connection() as conn:
        row = await conn.fetchrow(q.CITIZEN_VIEW, tenant.id, code.upper(), token_hash(token))
        if row is None:
            raise NotFound("participation_not_found")
        steps = await conn.fetch(q.PUBLIC_EVENTS, row["id"])
        photos = await photos_of(conn, request_id=row["id"], storage=storage)
    answered = row["status"] in ("answered", "dismissed")
    return RequestRead(
        code=row["code"],
        kind=row["kind"],
        kind_label=translate(f"participation_kind_{row['kind']}", lang),
        topic=DepartmentRef(code=row["topic_code"], name=_name(row, "topic", lang)),
        department=DepartmentRef(code=row["department_code"], name=_name(row, "department", lang)),
        status=row["status"],
        status_label=translate(f"participation_status_{row['status']}", lang),
        description=row["description"],
        address=row["address"],
        location=location_of(row),
        received_at=row["received_at"],
        due_at=row["due_at"],
        answer=row["answer"] if answered else None,
        answered_at=row["answered_at"] if answered else None,
        timeline=[
            TimelineEntry(
                at=s["at"], kind=s["kind"], label=translate(f"participation_event_{s['kind']}", lang)
            )
            for s in steps
        ],
        photos=photos,
    )


async def follow_request(
    *, tenant: TenantInfo, code: str, token: str | None, body: SubscriptionIn, lang: str
) -> None:
    """The citizen's device is pushed each public step of their request (an answer above all)."""
    if not token or len(token) > 200:
        raise NotFound("participation_not_found")
    async with db.connection() as conn:
        request_id = await conn.fetchval(
            "SELECT id FROM participation_request WHERE tenant = $1 AND code = $2 AND tracking_token_hash = $3",
            tenant.id, code.upper(), token_hash(token),
        )  # fmt: skip
    if request_id is None:
        raise NotFound("participation_not_found")
    await notifications.subscribe(tenant_id=tenant.id, body=body, language=lang, request_id=request_id)


async def photos_of(conn, *, request_id: int, storage: Storage) -> list[PhotoRead]:
    """The request's photos as renditions only (the citizen's and the staff's views alike)."""
    urls = await attachments.request_renditions(conn, request_id=request_id, storage=storage)
    return [PhotoRead(url=url, thumb_url=thumb_url) for url, thumb_url in urls]


def location_of(row) -> Location | None:
    if row["lat"] is None:
        return None
    return Location(lat=row["lat"], lon=row["lon"], accuracy_m=row["accuracy_m"])
