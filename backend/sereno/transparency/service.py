"""Reading the public projection: filters, the feed's pages and its exports (the statistics are in
:mod:`sereno.transparency.stats`, the response cache in :mod:`sereno.transparency.cache`)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import calendar
import re
import time
from collections.abc import AsyncIterator
from datetime import date

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
    FeedQuery,
    PublicIncidentItem,
    PublicIncidentPage,
    PublicLocation,
)

__all__ = [
    "Names",
    "check_codes",
    "csv_bytes",
    "encode_cursor",
    "filter_args",
    "geojson_features",
    "hour_band_label",
    "names",
    "page",
    "parse_query",
]


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
    async with db.read_connection() as conn:
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
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # not all that date.fromisoformat takes (20260105, 2026-W02-1)


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
        if not _DAY.match(raw):
            raise ValueError(raw)
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


async def check_codes(*, tenant: TenantInfo, query: FeedQuery) -> None:
    """Unknown category or district codes answer 400 here, before an export starts streaming: once its first
    bytes are sent, an error can only cut the response short."""
    filter_args(tenant.id, query, await names(tenant.id))


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


def filter_args(tenant_id: int, query: FeedQuery, table: Names) -> tuple:
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
    async with db.read_connection() as conn:
        rows = await conn.fetch(
            queries.ITEMS, *filter_args(tenant.id, query, table), decode_cursor(cursor), limit + 1
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
        *filter_args(tenant_id, query, table),
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
        cursor = await conn.cursor(queries.ITEMS_ALL, *filter_args(tenant.id, query, table))
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
            async with db.read_connection() as conn:
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
