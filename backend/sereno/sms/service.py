"""A citizen's text message becomes a P3 incident waiting for triage, through the operator/field entry path
(``incidents/entry.py``), exactly once per gateway message id.

* Authenticity: the gateway signs every webhook (``signature.py``); a request that does not carry the right
  signature creates nothing (403).
* Exactly once: gateways retry a webhook they did not see answered. The ``MessageSid`` is claimed as an
  idempotency key (scope ``sms``) in the incident's own transaction, and the reply is stored with it: a retry
  gets the same reply and creates nothing.
* The place: read from coordinates or a map link in the text (``location.py``). None, or one outside the
  city, leaves the incident without a point and flagged ``needs_location``; the reply asks for it, and a
  follow-up text from the same number within 30 minutes is added to that incident (placing it, when it gives
  a point) instead of opening another.
* The category is a first guess from the words (``keywords.py``); the priority stays P3 whatever they say.
  The reply is in Spanish, or in English when the text is (a visitor's).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import asyncpg
import msgspec

from sereno.core import db, idempotency, outbox
from sereno.core.errors import AppError, BadRequest, Unprocessable
from sereno.core.geo import point_ewkt
from sereno.incidents import entry
from sereno.incidents import service as incidents
from sereno.reports.schemas import ContactIn, Location
from sereno.settings import SmsSettings
from sereno.sms import keywords, queries, replies, signature
from sereno.sms.location import find_point, has_short_link
from sereno.sms.replies import Place
from sereno.tenants import service as tenants
from sereno.tenants.schemas import TenantInfo

__all__ = ["SmsForbidden", "SmsNotConfigured", "receive", "tenant_slug_for"]

SOURCE = "sms"
_SCOPE = "sms"
_PRIORITY = 3
_FOLLOW_UP_S = 30 * 60
_MAX_TEXT = 2000


class SmsForbidden(AppError):
    status_code = 403


class SmsNotConfigured(AppError):
    status_code = 503


class TextIn(msgspec.Struct, frozen=True):
    sid: str
    sender: str
    to: str
    body: str


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def tenant_slug_for(settings: SmsSettings, to: str, default: str) -> str:
    """The city whose number was texted (``SERENO_SMS_NUMBERS``), else the default tenant."""
    called = _digits(to)
    for pair in settings.numbers.split(","):
        number, _, slug = pair.partition("=")
        if called and _digits(number) == called and slug.strip():
            return slug.strip().lower()
    return default


def _first(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def authenticate(
    *, settings: SmsSettings, url: str, form: Mapping[str, Sequence[str]], signed: str | None
) -> TextIn:
    """The text, once its signature is checked; 503 when SMS is not configured, 403 on a bad signature,
    400 when a field the gateway always sends is missing."""
    if not settings.auth_token:
        raise SmsNotConfigured("sms_not_configured")
    if not signature.matches(settings.auth_token, url, form, signed):
        raise SmsForbidden("sms_signature_invalid")
    text = TextIn(sid=_first(form, "MessageSid"), sender=_first(form, "From"), to=_first(form, "To"),
                  body=_first(form, "Body"))
    for field, value in (("MessageSid", text.sid), ("From", text.sender), ("Body", text.body)):
        if not value:
            raise BadRequest("missing_field", field=field)
    idempotency.validate_key(text.sid)
    return text


def _hash(text: TextIn) -> str:
    return hashlib.sha256(msgspec.json.encode([text.sender, text.to, text.body])).hexdigest()


async def _place(conn: asyncpg.Connection, tenant: TenantInfo, body: str) -> tuple[Place, Location | None, int | None]:
    """Where the text says (inside the city), and its sector."""
    point = find_point(body)
    if point is None:
        return (Place.SHORT_LINK if has_short_link(body) else Place.NONE), None, None
    try:
        sector = await tenants.locate(conn, tenant=tenant, lon=point.lon, lat=point.lat)
    except Unprocessable:
        return Place.OUTSIDE, None, None
    return Place.FOUND, Location(lat=point.lat, lon=point.lon), sector


async def receive(
    *, text: TextIn, tenant: TenantInfo, now: datetime, callback_sla_s: int
) -> str:
    """File the text exactly once; the reply to send back (the same on every retry)."""
    async with db.transaction() as conn:
        claimed = await idempotency.claim(conn, tenant_id=tenant.id, scope=_SCOPE, key=text.sid,
                                          body_hash=_hash(text))
        if isinstance(claimed, idempotency.Replay):
            return claimed.response["reply"]
        phone = text.sender[:32]
        place, where, sector = await _place(conn, tenant, text.body)
        open_one = await conn.fetchrow(queries.OPEN_TEXTED_INCIDENT, tenant.id, phone, now, float(_FOLLOW_UP_S))
        if open_one is not None:
            incident_id, reply = await _follow_up(conn, tenant=tenant, row=open_one, text=text, now=now,
                                                  place=place, where=where, sector=sector)
        else:
            incident_id, reply = await _create(conn, tenant=tenant, text=text, phone=phone, now=now,
                                               place=place, where=where, callback_sla_s=callback_sla_s)
        await idempotency.store_response(conn, claimed, 200, {"reply": reply, "incident_id": incident_id})
    await outbox.wake_after_commit()
    return reply


async def _create(
    conn: asyncpg.Connection, *, tenant: TenantInfo, text: TextIn, phone: str, now: datetime, place: Place,
    where: Location | None, callback_sla_s: int,
) -> tuple[int, str]:
    known = {c.code for c in await tenants.list_categories(tenant_id=tenant.id)}
    incident_id = await entry.insert_incident(
        conn,
        staff=None,
        tenant=tenant,
        now=now,
        callback_sla=timedelta(seconds=callback_sla_s),
        source=SOURCE,
        status="new",
        auto_dispatch=False,
        event_data={"message_sid": text.sid, "place": place.value},
        body=entry.UnlocatedDraft(
            category=keywords.category_for(text.body, known=known),
            priority=_PRIORITY,
            location=where,
            description=text.body[:_MAX_TEXT],
            contact=ContactIn(phone=phone, callback_wanted=True),
        ),
    )
    code = await conn.fetchval(queries.CODE, incident_id)
    return incident_id, replies.created(code=code, emergency_phone=tenant.emergency_phone, place=place,
                                        city=tenant.name, lang=keywords.language_of(text.body))


async def _follow_up(
    conn: asyncpg.Connection, *, tenant: TenantInfo, row: asyncpg.Record, text: TextIn, now: datetime,
    place: Place, where: Location | None, sector: int | None,
) -> tuple[int, str]:
    """Add a further text to the sender's open incident; place it if it had no point and the text gives one."""
    incident_id = row["id"]
    located = row["needs_location"] and where is not None
    if located:
        await conn.execute(queries.SET_LOCATION, incident_id, point_ewkt(where.lon, where.lat), sector, now)
    await incidents.record(
        conn, tenant_id=tenant.id, incident_id=incident_id, at=now, kind="sms_followup", actor_type="citizen",
        actor_id=None, data={"text": text.body[:_MAX_TEXT], "message_sid": text.sid, "located": located},
    )
    await incidents.publish_incident(conn, tenant_id=tenant.id, incident_id=incident_id, now=now)
    still_missing = row["needs_location"] and not located
    return incident_id, replies.followed_up(code=row["code"], located=located,
                                            place=place if still_missing else Place.FOUND, city=tenant.name,
                                            # a text of bare coordinates answers in the first text's language
                                            lang=keywords.language_of(f"{row['description']} {text.body}"))
