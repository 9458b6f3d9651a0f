"""POST requests: an Open311 form becomes a report through the one intake service every channel uses.

Exactly once. An ``Idempotency-Key`` header is honoured when a client sends one. Open311 clients send none,
so otherwise the key is derived from the client (its API key), the whole form except the key, and the
minute: an exact retry within the same or the next minute finds the first report and gets its response back,
while the same form sent again later is a new report (two reports of one event are merged by the console's
duplicate check, a lost report cannot be recovered). Keys are scoped by client, so no client can replay
another's, nor a PWA report's.

Open311's ``service_request_id`` is our reference code. The request is created synchronously; the ``token``
returned beside it is self-verifying (the code and an HMAC of it), so ``tokens/{token}`` needs no table.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec

from sereno.core import db, idempotency
from sereno.core.clock import Clock
from sereno.reports import service as reports
from sereno.reports.schemas import ReportCreate
from sereno.tenants.schemas import TenantInfo
from sereno.transparency.open311 import catalog, queries
from sereno.transparency.open311.errors import Open311Error, message
from sereno.transparency.open311.schemas import RequestCreated, TokenResolved

__all__ = ["SOURCE", "create_request", "make_token", "resolve_token"]

SOURCE = "open311"
_MAX_DESCRIPTION = 2000  # ReportCreate's limit (the specification allows 4000: the rest is cut, and said so)
_WINDOW_S = 60
_URL = re.compile(r"^https?://[^\s]{1,490}$", re.IGNORECASE)


def _field(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    """The first non-empty value of a form field (empty parameters are treated as absent)."""
    for value in form.get(name, ()):
        if value.strip():
            return value.strip()
    return None


def _coordinate(raw: str | None, name: str, limit: float) -> float:
    if raw is None:
        raise Open311Error(400, "location_needed")
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, "invalid_field", field=name, detail=raw[:40]) from None
    if not math.isfinite(value) or abs(value) > limit:
        raise Open311Error(400, "invalid_field", field=name, detail=f"−{limit:g}…{limit:g}")
    return value


def _occurred_at(raw: str | None, tz: ZoneInfo) -> datetime | None:
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(
            400, "invalid_field", field=f"attribute[{catalog.OCCURRED_AT}]", detail="ISO 8601"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _derived_key(client_id: int, form: Mapping[str, Sequence[str]], minute: int) -> str:
    fields = sorted((k, [v for v in values if v.strip()]) for k, values in form.items() if k != "api_key")
    canonical = msgspec.json.encode([client_id, minute, [f for f in fields if f[1]]])
    return "open311-" + hashlib.sha256(canonical).hexdigest()


async def _idempotency_key(
    *,
    tenant: TenantInfo,
    client_id: int,
    form: Mapping[str, Sequence[str]],
    header: str | None,
    now: datetime,
) -> str:
    if header:
        key = idempotency.validate_key(header)
        return "open311-" + hashlib.sha256(f"{client_id}:{key}".encode()).hexdigest()
    minute = int(now.timestamp() // _WINDOW_S)
    previous = _derived_key(client_id, form, minute - 1)
    async with db.connection() as conn:
        if await conn.fetchval(queries.KEY_CLAIMED, tenant.id, "report", previous):
            return previous
    return _derived_key(client_id, form, minute)


def _report(
    form: Mapping[str, Sequence[str]], *, tenant: TenantInfo, service_code: str, lang: str
) -> tuple[ReportCreate, list[str]]:
    """The intake's body for the form, and the notices to give back (text cut, media_url noted)."""
    lat = _coordinate(_field(form, "lat"), "lat", 90)
    lon = _coordinate(_field(form, "long"), "long", 180)
    notices: list[str] = []
    description = _field(form, "description") or ""
    media_url = _field(form, "media_url")
    suffix = ""
    if media_url and _URL.match(media_url):
        # Kept for staff in the private description; never fetched here, never published.
        suffix = f"\n\nmedia_url: {media_url}"
        notices.append(message("notice_media", lang))
    elif media_url:
        notices.append(message("notice_media_ignored", lang))
    if len(description) + len(suffix) > _MAX_DESCRIPTION:
        description = description[: _MAX_DESCRIPTION - len(suffix)]
        notices.append(message("notice_truncated", lang, max=_MAX_DESCRIPTION))
    name = " ".join(p for p in (_field(form, "first_name"), _field(form, "last_name")) if p)[:120]
    phone, email = _field(form, "phone") or "", _field(form, "email") or ""
    contact = None
    if name or phone or email:
        contact = {"name": name, "phone": phone, "email": email, "callback_wanted": bool(phone)}
    raw = {
        "category": service_code,
        "location": {"lat": lat, "lon": lon},
        "description": description + suffix,
        "occurred_at": _occurred_at(
            _field(form, f"attribute[{catalog.OCCURRED_AT}]"), ZoneInfo(tenant.time_zone)
        ),
        "anonymous": contact is None,
        "contact": contact,
    }
    try:
        return msgspec.convert(raw, ReportCreate), notices
    except msgspec.ValidationError as exc:
        field = str(exc).rpartition("$.")[2].rstrip("`") or "form"
        raise Open311Error(
            400, "invalid_field", field=field.removeprefix("contact."), detail=str(exc)
        ) from None


async def create_request(
    *,
    tenant: TenantInfo,
    client_id: int,
    form: Mapping[str, Sequence[str]],
    idempotency_header: str | None,
    clock: Clock,
    secret: bytes,
    callback_sla_s: int,
    lang: str,
) -> RequestCreated:
    service_code = _field(form, "service_code")
    if service_code is None:
        raise Open311Error(400, "missing_field", field="service_code")
    # Sensitive categories are accepted (victims must be able to report); they are never listed by GET.
    await catalog.category(tenant=tenant, code=service_code, status_code=400)
    body, notices = _report(form, tenant=tenant, service_code=service_code, lang=lang)
    key = await _idempotency_key(
        tenant=tenant, client_id=client_id, form=form, header=idempotency_header, now=clock.now()
    )
    _, created = await reports.submit_report(
        tenant=tenant,
        body=body,
        idempotency_key=key,
        clock=clock,
        secret=secret,
        source=SOURCE,
        callback_sla_s=callback_sla_s,
    )
    notice = " ".join([message("notice_created", lang, phone=tenant.emergency_phone), *notices])
    return RequestCreated(
        service_request_id=created.code,
        service_notice=notice,
        account_id=None,  # no citizen accounts here: Open311 account_id is not kept
        token=make_token(secret, tenant_id=tenant.id, code=created.code),
    )


def _mac(secret: bytes, tenant_id: int, code: str) -> str:
    return hmac.new(secret, f"open311-token:{tenant_id}:{code}".encode(), hashlib.sha256).hexdigest()[:20]


def make_token(secret: bytes, *, tenant_id: int, code: str) -> str:
    return f"{code}_{_mac(secret, tenant_id, code)}"


async def resolve_token(*, tenant: TenantInfo, token: str, secret: bytes) -> TokenResolved:
    code, _, mac = token.rpartition("_")
    if not code or len(token) > 80 or not hmac.compare_digest(mac, _mac(secret, tenant.id, code)):
        raise Open311Error(404, "token_not_found", token=token[:80])
    async with db.connection() as conn:
        if not await conn.fetchval(queries.CODE_EXISTS, tenant.id, code):
            raise Open311Error(404, "token_not_found", token=token[:80])
    return TokenResolved(service_request_id=code, token=token)
