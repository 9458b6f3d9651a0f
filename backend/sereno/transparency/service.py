"""Reading the public projection: the feed, its exports and the statistics, cached per projection version.

The projection changes only when the worker's refresh publishes something, which bumps the tenant's version
(``public_feed_state``). Responses are cached in-process by (tenant, version, format, language, filters) and
their ETag is derived from the same key, so a repeat request, or a conditional one, costs no query over the
projection; the version itself is re-read at most every couple of seconds.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import calendar
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime

import msgspec

from sereno.core import db
from sereno.core.errors import BadRequest
from sereno.core.i18n import translate
from sereno.incidents.lifecycle import OUTCOMES
from sereno.settings import PublicSettings
from sereno.tenants.schemas import TenantInfo
from sereno.transparency import formats, queries
from sereno.transparency.anonymize import COARSE_FACTOR, HOUR_BAND_H
from sereno.transparency.schemas import (
    Count,
    Duration,
    FeedQuery,
    PublicationRules,
    PublicIncidentItem,
    PublicIncidentPage,
    PublicLocation,
    PublicStats,
)

__all__ = [
    "Names",
    "Cached",
    "feed_version",
    "forget_version",
    "parse_query",
    "names",
    "page",
    "geojson_features",
    "csv_bytes",
    "stats",
    "cached",
    "hour_band_label",
    "encode_cursor",
]

_VERSION_TTL_S = 2.0
_versions: dict[int, tuple[float, int]] = {}


async def feed_version(tenant_id: int) -> int:
    """The tenant's projection version, re-read from the database at most every two seconds."""
    now = time.monotonic()
    known = _versions.get(tenant_id)
    if known and known[0] > now:
        return known[1]
    async with db.connection() as conn:
        version = await conn.fetchval(queries.FEED_VERSION, tenant_id) or 0
    _versions[tenant_id] = (now + _VERSION_TTL_S, version)
    return version


def forget_version(tenant_id: int) -> None:
    """After this process refreshed the projection: its next response must not wait out the TTL (other
    processes notice within ``_VERSION_TTL_S``)."""
    _versions.pop(tenant_id, None)


class Cached(msgspec.Struct, frozen=True):
    body: bytes
    etag: str


_CACHE: OrderedDict[tuple, Cached] = OrderedDict()
_CACHE_ENTRIES = 512
_CACHE_MAX_BODY = 2 * 1024 * 1024


def etag_for(key: tuple) -> str:
    return '"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'


async def cached(key: tuple, build: Callable[[], object]) -> Cached:
    """The response body for ``key`` (which must include the version), built once per version."""
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    body = await build()
    entry = Cached(body=body, etag=etag_for(key))
    if len(body) <= _CACHE_MAX_BODY:
        _CACHE[key] = entry
        while len(_CACHE) > _CACHE_ENTRIES:
            _CACHE.popitem(last=False)
    return entry


class Names(msgspec.Struct, frozen=True):
    """Codes and names of a tenant's categories and districts, by id and by code."""

    categories: dict[int, tuple[str, str, str, bool]]  # id -> (code, name_es, name_en, sensitive)
    sectors: dict[int, tuple[str, str]]  # id -> (code, name)

    def category_ids(self, codes: tuple[str, ...]) -> list[int] | None:
        if not codes:
            return None
        by_code = {c[0]: i for i, c in self.categories.items()}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise BadRequest("unknown_category", category=unknown[0])
        return [by_code[c] for c in codes]

    def sector_ids(self, codes: tuple[str, ...]) -> list[int] | None:
        if not codes:
            return None
        by_code = {s[0]: i for i, s in self.sectors.items()}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise BadRequest("unknown_district", district=unknown[0])
        return [by_code[c] for c in codes]

    def category_name(self, category_id: int, lang: str) -> str:
        c = self.categories[category_id]
        return c[2] if lang == "en" else c[1]


_names: dict[int, tuple[float, Names]] = {}


async def names(tenant_id: int) -> Names:
    now = time.monotonic()
    known = _names.get(tenant_id)
    if known and known[0] > now:
        return known[1]
    async with db.connection() as conn:
        rows = await conn.fetch(queries.NAMES, tenant_id)
    value = Names(
        categories={
            r["id"]: (r["code"], r["name_es"], r["name_en"], r["sensitive"])
            for r in rows
            if r["kind"] == "category"
        },
        sectors={r["id"]: (r["code"], r["name_es"]) for r in rows if r["kind"] == "sector"},
    )
    _names[tenant_id] = (now + 60.0, value)
    return value


_CODES = re.compile(r"^[a-z0-9_\-]{1,40}$", re.IGNORECASE)
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _codes(raw: str | None, field: str) -> tuple[str, ...]:
    if not raw:
        return ()
    codes = tuple(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
    if len(codes) > 50 or not all(_CODES.match(c) for c in codes):
        raise BadRequest("invalid_field", field=field, detail="códigos separados por comas")
    return codes


def _date(raw: str | None, field: str, *, end: bool) -> date | None:
    """``YYYY-MM-DD``, or ``YYYY-MM`` (its first day, or its last with ``end``); empty means absent."""
    if not raw:
        return None
    try:
        if _MONTH.match(raw):
            year, month = map(int, raw.split("-"))
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest("invalid_field", field=field, detail="YYYY-MM-DD o YYYY-MM") from None


def parse_query(
    *, category: str | None, district: str | None, date_from: str | None, date_to: str | None
) -> FeedQuery:
    query = FeedQuery(
        categories=_codes(category, "category"),
        districts=_codes(district, "district"),
        date_from=_date(date_from, "from", end=False),
        date_to=_date(date_to, "to", end=True),
    )
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise BadRequest("invalid_field", field="from", detail="from > to")
    return query


def encode_cursor(item_id: int) -> str:
    return base64.urlsafe_b64encode(str(item_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        value = int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("invalid_field", field="cursor", detail="cursor") from None
    return value


def hour_band_label(band: int) -> str:
    return f"{band * HOUR_BAND_H:02d}:00-{(band + 1) * HOUR_BAND_H:02d}:00"


def _item(row, *, table: Names, lang: str, cell_m: float, coarse_factor: int) -> PublicIncidentItem:
    detail = row["time_detail"]
    sector = table.sectors.get(row["sector_id"]) if row["sector_id"] is not None else None
    level = row["level"]
    location = None
    if level in ("cell", "coarse") and row["lon"] is not None:
        precision = cell_m if level == "cell" else cell_m * coarse_factor
        location = PublicLocation(
            lat=round(row["lat"], 6), lon=round(row["lon"], 6), precision_m=int(precision)
        )
    return PublicIncidentItem(
        id=row["code"],
        category=table.categories[row["category_id"]][0],
        category_name=table.category_name(row["category_id"], lang),
        district=sector[0] if sector else None,
        district_name=sector[1] if sector else None,
        month=row["month"].strftime("%Y-%m"),
        date=row["day"] if detail != "month" else None,
        hour_band=hour_band_label(row["hour_band"]) if detail == "hour_band" else None,
        status=row["status"],
        outcome=row["outcome"],
        outcome_name=translate(f"outcome_{row['outcome']}", lang),
        response_min=round(row["response_s"] / 60) if row["response_s"] is not None else None,
        resolution_min=round(row["resolution_s"] / 60) if row["resolution_s"] is not None else None,
        location=location,
        published_at=row["published_at"],
    )


def _args(tenant_id: int, query: FeedQuery, table: Names) -> tuple:
    return (
        tenant_id,
        table.category_ids(query.categories),
        table.sector_ids(query.districts),
        query.date_from,
        query.date_to,
    )


async def page(
    *,
    tenant: TenantInfo,
    query: FeedQuery,
    cursor: str | None,
    limit: int,
    lang: str,
    settings: PublicSettings,
) -> PublicIncidentPage:
    table = await names(tenant.id)
    async with db.connection() as conn:
        rows = await conn.fetch(
            queries.ITEMS, *_args(tenant.id, query, table), decode_cursor(cursor), limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        _item(r, table=table, lang=lang, cell_m=settings.cell_m, coarse_factor=COARSE_FACTOR) for r in rows
    ]
    return PublicIncidentPage(
        items=items, next_cursor=encode_cursor(rows[-1]["id"]) if more and rows else None
    )


def _export_args(
    tenant_id: int, query: FeedQuery, table: Names, lang: str, settings: PublicSettings
) -> tuple:
    codes = list(OUTCOMES)
    return (
        *_args(tenant_id, query, table),
        lang,
        codes,
        [translate(f"outcome_{code}", lang) for code in codes],
        int(settings.cell_m),
    )


async def geojson_features(
    *, tenant: TenantInfo, query: FeedQuery, lang: str, settings: PublicSettings, batch: int = 5000
) -> AsyncIterator[list[str]]:
    """Every matching item as GeoJSON Feature text, newest first, in batches read through a server-side cursor."""
    table = await names(tenant.id)
    cell = int(settings.cell_m)
    writer = formats.FeatureWriter(
        categories={i: (c[0], c[2] if lang == "en" else c[1]) for i, c in table.categories.items()},
        sectors=table.sectors,
        outcomes={code: translate(f"outcome_{code}", lang) for code in OUTCOMES},
        hour_bands=[hour_band_label(b) for b in range(24 // HOUR_BAND_H)],
        precision_m={"cell": cell, "coarse": cell * COARSE_FACTOR},
    )
    async with db.transaction() as conn:
        cursor = await conn.cursor(queries.ITEMS_ALL, *_args(tenant.id, query, table))
        while rows := await cursor.fetch(batch):
            yield [writer.line(row) for row in rows]


async def csv_bytes(
    *, tenant: TenantInfo, query: FeedQuery, lang: str, settings: PublicSettings
) -> AsyncIterator[bytes]:
    """Every matching item as CSV with a header row, straight from PostgreSQL's COPY."""
    args = _export_args(tenant.id, query, await names(tenant.id), lang, settings)
    chunks: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=16)

    async def produce() -> None:
        try:
            async with db.connection() as conn:
                await conn.copy_from_query(
                    queries.CSV_ROWS, *args, output=chunks.put, format="csv", header=True
                )
        finally:
            await chunks.put(None)

    task = asyncio.create_task(produce())
    try:
        while (chunk := await chunks.get()) is not None:
            yield bytes(chunk)  # asyncpg hands out bytearrays
        await task  # its error, if any
    finally:
        task.cancel()


_WEEKDAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


async def stats(
    *, tenant: TenantInfo, query: FeedQuery, lang: str, settings: PublicSettings, now: datetime
) -> PublicStats:
    table = await names(tenant.id)
    first = query.date_from.replace(day=1) if query.date_from else None
    async with db.connection() as conn:
        rows = await conn.fetch(queries.STATS, *_args(tenant.id, query, table)[:3], first, query.date_to)
    k = settings.k
    dims: dict[str, dict[str, float]] = {}
    for r in rows:
        if r["key"] is not None and r["n"] is not None:
            dims.setdefault(r["dim"], {})[r["key"]] = r["n"]

    def count(n: float | None) -> int | None:
        n = int(n or 0)
        return n if n == 0 or n >= k else None

    def counts(
        dim: str, name: Callable[[str], str | None], order: list[str] | None = None, **flags
    ) -> list[Count]:
        values = dims.get(dim, {})
        keys = order if order is not None else sorted(values, key=lambda key: -values[key])
        return [
            Count(key=key, name=name(key), count=count(values.get(key)), **flags.get(key, {})) for key in keys
        ]

    category_rows = []
    for key in sorted(dims.get("category", {}), key=lambda key: -dims["category"][key]):
        code, name_es, name_en, sensitive = table.categories[int(key)]
        n = dims["category"][key]
        category_rows.append(
            Count(key=code, name=name_en if lang == "en" else name_es, count=count(n), sensitive=sensitive)
        )
    months = sorted(dims.get("month", {}))
    # Every district, those with nothing published as 0, so a page can list them all.
    by_sector = dims.get("district", {})
    districts = [
        Count(key=code, name=name, count=count(by_sector.get(str(sector_id))))
        for sector_id, (code, name) in sorted(
            table.sectors.items(), key=lambda s: (-by_sector.get(str(s[0]), 0), s[1][0])
        )
    ]

    def duration(name: str) -> Duration:
        values = dims.get(name, {})
        n = int(values.get("n", 0))
        if n < k:
            return Duration(n=n, median_min=None, p90_min=None)
        return Duration(n=n, median_min=round(values["p50"] / 60, 1), p90_min=round(values["p90"] / 60, 1))

    outcomes = dims.get("outcome", {})
    confirmed, unfounded = int(outcomes.get("confirmed", 0)), int(outcomes.get("unfounded", 0))
    return PublicStats(
        tenant=tenant.slug,
        rules=PublicationRules(
            delay_h=settings.delay_h,
            cell_m=int(settings.cell_m),
            coarse_m=int(settings.cell_m) * COARSE_FACTOR,
            k=k,
            time_person=settings.time_person,
            time_other=settings.time_other,
        ),
        date_from=query.date_from,
        date_to=query.date_to,
        generated_at=now,
        k=k,
        total=confirmed,
        by_category=category_rows,
        by_month=counts("month", lambda key: None, months),
        by_district=districts,
        by_weekday=counts(
            "weekday", lambda key: _WEEKDAYS[lang][int(key) - 1], [str(d) for d in range(1, 8)]
        ),
        by_hour_band=[
            Count(key=hour_band_label(b), count=count(dims.get("hour_band", {}).get(str(b))))
            for b in range(24 // HOUR_BAND_H)
        ],
        response=duration("response"),
        resolution=duration("resolution"),
        confirmed=confirmed,
        unfounded=unfounded,
        confirmed_share=round(confirmed / (confirmed + unfounded), 4) if confirmed + unfounded else None,
    )
