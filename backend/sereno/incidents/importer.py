"""Importing historical incidents from CSV (``sereno import incidents``): the city's records from before
Sereno, so that analytics and forecasts start from years of history.

Rows are read and checked in Python (a bad row is reported with its line number and skipped; the import
goes on), then written in batches by one statement each, which places them (service area, sector), skips
source ids already imported (idempotent: running the same file twice adds nothing) and appends an
``imported`` event to each new incident's timeline. Imported incidents are ``closed``, source ``import``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

__all__ = ["ColumnMap", "RowError", "ParsedRow", "detect_columns", "parse_rows", "write_batch", "BatchResult"]

_ALIASES = {
    "source_id": ("source_id", "id", "case_number", "case_id", "incident_id", "record_id"),
    "time": ("occurred_at", "datetime", "date", "time", "reported_at", "timestamp"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "category": ("category", "category_code", "type", "primary_type", "offense"),
}
_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d")


class ColumnMap(msgspec.Struct, frozen=True, kw_only=True):
    """Which CSV column holds what (``None``: absent)."""

    source_id: str | None
    time: str
    lat: str
    lon: str
    category: str | None


class RowError(msgspec.Struct, frozen=True):
    line: int
    message: str


class ParsedRow(msgspec.Struct, frozen=True):
    line: int
    source_ref: str
    at: datetime
    lon: float
    lat: float
    category_id: int
    priority: int


def detect_columns(header: list[str], overrides: dict[str, str]) -> ColumnMap:
    """Match the header against common names (case-insensitive); explicit ``overrides`` win. Raises
    ValueError naming what is missing."""
    lowered = {h.strip().lower(): h for h in header}
    found: dict[str, str | None] = {}
    for field, aliases in _ALIASES.items():
        if field in overrides:
            if overrides[field] not in header:
                raise ValueError(
                    f"column '{overrides[field]}' ({field}) is not in the header: {', '.join(header)}"
                )
            found[field] = overrides[field]
        else:
            found[field] = next((lowered[a] for a in aliases if a in lowered), None)
    missing = [f for f in ("time", "lat", "lon") if not found[f]]
    if missing:
        raise ValueError(f"no column for {', '.join(missing)} in the header: {', '.join(header)}")
    return ColumnMap(**found)


def _parse_time(text: str, tz: ZoneInfo) -> datetime:
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _TIME_FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"time '{text}' not understood (ISO 8601 or YYYY-MM-DD HH:MM)") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _coordinate(text: str, name: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} '{text}' is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} {value} is out of range [{low}, {high}]")
    return value


def parse_rows(
    lines: io.TextIOBase,
    *,
    columns: ColumnMap,
    tz: ZoneInfo,
    categories: dict[str, tuple[int, int]],
    category_map: dict[str, str],
    default_category: str | None,
) -> Iterator[ParsedRow | RowError]:
    """Each data row as a ParsedRow or the RowError that says why it is skipped (line numbers count the
    header as line 1). ``categories``: code → (id, default priority)."""
    reader = csv.DictReader(lines)
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            raw_category = (row.get(columns.category) or "").strip() if columns.category else ""
            code = category_map.get(raw_category, raw_category) or default_category
            if not code:
                raise ValueError("no category (give --category or a category column)")
            if code not in categories:
                raise ValueError(f"unknown category '{code}'")
            at = _parse_time(row[columns.time] or "", tz)
            lat = _coordinate(row[columns.lat] or "", "latitude", -90, 90)
            lon = _coordinate(row[columns.lon] or "", "longitude", -180, 180)
            source_ref = (row.get(columns.source_id) or "").strip() if columns.source_id else ""
            if not source_ref:
                # Without an id column, the record itself identifies it (re-importing stays idempotent).
                source_ref = f"{at.isoformat()}|{lat:.6f}|{lon:.6f}|{code}"
            if len(source_ref) > 64:
                raise ValueError("source id longer than 64 characters")
            if source_ref in seen:
                raise ValueError(f"source id '{source_ref}' repeats line {seen[source_ref]}")
            seen[source_ref] = line
        except (ValueError, KeyError) as exc:
            yield RowError(line, str(exc))
            continue
        category_id, priority = categories[code]
        yield ParsedRow(line, source_ref, at, lon, lat, category_id, priority)


class BatchResult(msgspec.Struct):
    inserted: int = 0
    already: int = 0
    errors: list[RowError] = msgspec.field(default_factory=list)


_WRITE = """
WITH r AS (
    SELECT * FROM unnest($2::text[], $3::timestamptz[], $4::float8[], $5::float8[], $6::int4[], $7::int2[],
                         $8::int4[]) AS r(source_ref, at, lon, lat, category_id, priority, line)
), placed AS (
    SELECT r.*, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS point,
           ST_Covers(t.service_area, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)) AS inside,
           EXISTS (SELECT 1 FROM incident i WHERE i.tenant = $1 AND i.source_ref = r.source_ref) AS known
    FROM r JOIN tenant t ON t.id = $1
), ins AS (
    INSERT INTO incident (tenant, code, category, priority, status, source, location, sector, description,
                          anonymous, occurred_at, reported_at, updated_at, source_ref)
    SELECT $1,
           t.code_prefix || '-' || to_char(p.at AT TIME ZONE t.time_zone, 'YYYY') || '-'
               || lpad(sereno_next_report_number($1)::text, 6, '0'),
           p.category_id, p.priority, 'closed', 'import', p.point::geography,
           (SELECT s.id FROM sector s WHERE s.tenant = $1 AND ST_Covers(s.area, p.point) LIMIT 1),
           '', true, p.at, p.at, $9, p.source_ref
    FROM placed p JOIN tenant t ON t.id = $1
    WHERE p.inside AND NOT p.known
    ORDER BY p.at
    ON CONFLICT (tenant, source_ref) WHERE source_ref IS NOT NULL DO NOTHING
    RETURNING id, source_ref
), events AS (
    INSERT INTO incident_event (tenant_id, incident, at, actor_type, kind, data, public)
    SELECT $1, ins.id, $9, 'system', 'imported', jsonb_build_object('source_ref', ins.source_ref), false FROM ins
)
SELECT p.line, p.inside, p.known, ins.id IS NOT NULL AS inserted
FROM placed p LEFT JOIN ins ON ins.source_ref = p.source_ref
"""


async def write_batch(
    conn: asyncpg.Connection, *, tenant_id: int, rows: list[ParsedRow], now: datetime
) -> BatchResult:
    """Write one batch in one statement (the caller's transaction): new rows inserted, known ones counted,
    rows outside the service area reported."""
    result = BatchResult()
    if not rows:
        return result
    columns = list(
        zip(
            *((r.source_ref, r.at, r.lon, r.lat, r.category_id, r.priority, r.line) for r in rows),
            strict=True,
        )
    )
    for record in await conn.fetch(_WRITE, tenant_id, *map(list, columns), now):
        if record["inserted"]:
            result.inserted += 1
        elif record["known"]:
            result.already += 1
        elif not record["inside"]:
            result.errors.append(RowError(record["line"], "outside the service area"))
        else:
            result.already += 1  # imported by a concurrent run a moment ago
    result.errors.sort(key=lambda e: e.line)
    return result
