"""GET requests: drawn from the public projection only, at the precision the public feed allows.

- ``requested_datetime`` is the start of what may be shown of when it happened: the 3-hour band, else the day,
  else the month, at midnight in the tenant's time zone; never the exact time of a crime against a person.
- ``lat``/``long`` are the published cell's centre (absent when the item is published with its district only);
  ``address`` is the district's name. ``description`` and ``media_url`` are always empty.
- Every published item is resolved or closed: Open311 ``closed``, its outcome as ``status_notes``.
- A code that exists but is not published (yet, or ever: unfounded, cancelled) is reported ``open`` or
  ``closed`` with its category and report date only, never a place; sensitive categories are not found at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sereno.core import db
from sereno.core.i18n import translate
from sereno.tenants.schemas import TenantInfo
from sereno.transparency import service as public
from sereno.transparency.open311 import queries
from sereno.transparency.open311.errors import Open311Error
from sereno.transparency.open311.schemas import RequestFilters, ServiceRequest

__all__ = ["MAX_REQUESTS", "WINDOW", "get_request", "list_requests", "parse_filters"]

WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
_MAX_CODES = 200
_ACTIVE = frozenset({"new", "triaged", "dispatched", "en_route", "on_scene"})


def _when(raw: str | None, field: str, tz: ZoneInfo, *, end: bool) -> datetime | None:
    """ISO 8601 with an offset (``2026-11-20T00:00:00-05:00``, ``...Z``); without one, the tenant's time; a
    bare date is its first instant (or, for ``end_date``, its last)."""
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime.combine(day + timedelta(days=1) if end else day, time(), tz) - (
                timedelta(microseconds=1) if end else timedelta()
            )
        value = datetime.fromisoformat(raw.replace(" ", "+"))  # an unencoded "+" arrives as a space
    except ValueError:
        raise Open311Error(400, "invalid_field", field=field, detail="ISO 8601") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _list(raw: str | None, field: str, limit: int) -> tuple[str, ...]:
    if raw is None:
        return ()
    values = tuple(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip()))
    if len(values) > limit or any(len(v) > 40 for v in values):
        raise Open311Error(400, "invalid_field", field=field, detail=f"≤ {limit}")
    return values


def parse_filters(params: Mapping[str, str | None], *, now: datetime, tz: ZoneInfo) -> RequestFilters:
    """Empty parameters count as absent. Without dates: the last 90 days; one date: 90 days from or to it."""

    def get(name: str) -> str | None:
        value = params.get(name)
        return value.strip() if value and value.strip() else None

    start = _when(get("start_date"), "start_date", tz, end=False)
    end = _when(get("end_date"), "end_date", tz, end=True)
    if start is None and end is None:
        end = now
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if start > end:
        raise Open311Error(400, "invalid_field", field="start_date", detail="start_date > end_date")
    if end - start > WINDOW + timedelta(days=1):  # whole days given as dates may round up by a day
        raise Open311Error(400, "range_too_long", days=WINDOW.days)
    statuses = frozenset(s.lower() for s in _list(get("status"), "status", 2)) or frozenset(
        {"open", "closed"}
    )
    if not statuses <= {"open", "closed"}:
        raise Open311Error(400, "invalid_field", field="status", detail="open, closed")
    return RequestFilters(
        ids=tuple(c.upper() for c in _list(get("service_request_id"), "service_request_id", _MAX_CODES)),
        service_codes=_list(get("service_code"), "service_code", 50),
        start=start,
        end=end,
        statuses=statuses,
    )


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz)


def _published(row, *, tenant: TenantInfo, names: public.Names, lang: str, tz: ZoneInfo) -> ServiceRequest:
    sector = names.sectors.get(row["sector_id"]) if row["sector_id"] is not None else None
    located = row["level"] in ("cell", "coarse") and row["lon"] is not None
    requested = row["requested_at"].astimezone(tz)
    return ServiceRequest(
        service_request_id=row["code"],
        status="closed",
        status_notes=translate(f"outcome_{row['outcome']}", lang),
        service_name=names.category_name(row["category_id"], lang),
        service_code=names.categories[row["category_id"]][0],
        description=None,
        agency_responsible=tenant.name,
        service_notice=None,
        requested_datetime=requested,
        # The day it was resolved, at the same precision as the rest (never before the request).
        updated_datetime=max(requested, _midnight(row["resolved_on"], tz)),
        expected_datetime=None,
        address=sector[1] if sector else None,
        address_id=None,
        zipcode=None,
        lat=round(row["lat"], 6) if located else None,
        long=round(row["lon"], 6) if located else None,
        media_url=None,
    )


def _unpublished(row, *, tenant: TenantInfo, lang: str, tz: ZoneInfo) -> ServiceRequest:
    return ServiceRequest(
        service_request_id=row["code"],
        status="open" if row["status"] in _ACTIVE else "closed",
        status_notes=None,
        service_name=row["name_en"] if lang == "en" else row["name_es"],
        service_code=row["category_code"],
        description=None,
        agency_responsible=tenant.name,
        service_notice=None,
        requested_datetime=_midnight(row["reported_at"].astimezone(tz).date(), tz),
        updated_datetime=None,
        expected_datetime=None,
        address=None,
        address_id=None,
        zipcode=None,
        lat=None,
        long=None,
        media_url=None,
    )


async def _fetch(
    *, tenant: TenantInfo, filters: RequestFilters, lang: str, include_unpublished: bool
) -> list[ServiceRequest]:
    tz = ZoneInfo(tenant.time_zone)
    names = await public.names(tenant.id)
    if filters.ids:
        codes, category_ids, start, end = list(filters.ids), None, None, None
    else:
        codes, start, end = None, filters.start, filters.end
        known = {c[0]: (i, c[3]) for i, c in names.categories.items()}  # code -> (id, sensitive)
        unknown = [c for c in filters.service_codes if c not in known]
        if unknown:
            raise Open311Error(400, "unknown_service", code=unknown[0])
        category_ids = [known[c][0] for c in filters.service_codes if not known[c][1]] or None
        if filters.service_codes and category_ids is None:
            return []  # only sensitive categories asked for: they are never listed
        if "closed" not in filters.statuses:  # every published item is closed
            return []
    async with db.read_connection() as conn:
        rows = await conn.fetch(
            queries.PUBLISHED, tenant.id, tenant.time_zone, codes, category_ids, start, end, MAX_REQUESTS
        )
        found = [_published(r, tenant=tenant, names=names, lang=lang, tz=tz) for r in rows]
        missing = [c for c in filters.ids if c not in {r.service_request_id for r in found}]
        if include_unpublished and missing:
            for row in await conn.fetch(queries.UNPUBLISHED, tenant.id, missing):
                if not row["sensitive"]:
                    found.append(_unpublished(row, tenant=tenant, lang=lang, tz=tz))
    return found


async def list_requests(*, tenant: TenantInfo, filters: RequestFilters, lang: str) -> list[ServiceRequest]:
    return await _fetch(tenant=tenant, filters=filters, lang=lang, include_unpublished=bool(filters.ids))


async def get_request(*, tenant: TenantInfo, request_id: str, lang: str, now: datetime) -> ServiceRequest:
    code = request_id.strip().upper()
    if not code or len(code) > 40:
        raise Open311Error(404, "request_not_found", id=request_id[:40])
    filters = RequestFilters(ids=(code,), start=now, end=now)
    found = await _fetch(tenant=tenant, filters=filters, lang=lang, include_unpublished=True)
    if not found:
        raise Open311Error(404, "request_not_found", id=code)
    return found[0]
