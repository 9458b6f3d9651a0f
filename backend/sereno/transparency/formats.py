"""The feed's other shapes: GeoJSON (RFC 7946), CSV and Atom 1.0, built from the same public items."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from xml.etree import ElementTree as ET

import msgspec

from sereno.transparency.schemas import PublicIncidentItem

__all__ = ["geojson_chunks", "csv_chunks", "atom", "CSV_COLUMNS"]


class _Point(msgspec.Struct, frozen=True):
    coordinates: tuple[float, float]
    type: str = "Point"


class _Properties(msgspec.Struct, frozen=True, kw_only=True):
    category: str
    category_name: str
    district: str | None
    district_name: str | None
    month: str
    date: date | None
    hour_band: str | None
    status: str
    outcome: str
    outcome_name: str
    response_min: int | None
    resolution_min: int | None
    precision_m: int | None
    published_at: datetime


class _Feature(msgspec.Struct, frozen=True):
    id: str
    geometry: _Point | None
    properties: _Properties
    type: str = "Feature"


def _feature(item: PublicIncidentItem) -> _Feature:
    loc = item.location
    return _Feature(
        id=item.id,
        geometry=_Point((loc.lon, loc.lat)) if loc else None,
        properties=_Properties(
            category=item.category,
            category_name=item.category_name,
            district=item.district,
            district_name=item.district_name,
            month=item.month,
            date=item.date,
            hour_band=item.hour_band,
            status=item.status,
            outcome=item.outcome,
            outcome_name=item.outcome_name,
            response_min=item.response_min,
            resolution_min=item.resolution_min,
            precision_m=loc.precision_m if loc else None,
            published_at=item.published_at,
        ),
    )


_encoder = msgspec.json.Encoder()


async def geojson_chunks(
    batches: AsyncIterator[list[PublicIncidentItem]], *, next_url: str | None = None
) -> AsyncIterator[bytes]:
    """A FeatureCollection, written as it is read. ``next_url``: the next page's address (paged requests)."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    async for items in batches:
        if not items:
            continue
        body = _encoder.encode([_feature(i) for i in items])[1:-1]
        yield body if first else b"," + body
        first = False
    tail = b"]"
    if next_url:
        tail += b',"next":' + _encoder.encode(next_url)
    yield tail + b"}"


CSV_COLUMNS = (
    "id", "category", "category_name", "district", "district_name", "month", "date", "hour_band", "status",
    "outcome", "outcome_name", "response_min", "resolution_min", "lat", "lon", "precision_m", "published_at",
)  # fmt: skip


def _csv_row(item: PublicIncidentItem) -> tuple:
    loc = item.location
    return (
        item.id,
        item.category,
        item.category_name,
        item.district or "",
        item.district_name or "",
        item.month,
        item.date.isoformat() if item.date else "",
        item.hour_band or "",
        item.status,
        item.outcome,
        item.outcome_name,
        "" if item.response_min is None else item.response_min,
        "" if item.resolution_min is None else item.resolution_min,
        loc.lat if loc else "",
        loc.lon if loc else "",
        loc.precision_m if loc else "",
        item.published_at.isoformat(),
    )


async def csv_chunks(batches: AsyncIterator[list[PublicIncidentItem]]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # A byte-order mark so that spreadsheet programs open the accents right.
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    async for items in batches:
        writer.writerows(_csv_row(i) for i in items)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


_ATOM = "http://www.w3.org/2005/Atom"
_GEORSS = "http://www.georss.org/georss"


def atom(
    items: Iterable[PublicIncidentItem],
    *,
    title: str,
    author: str,
    self_url: str,
    page_url: str,
    feed_id: str,
    updated: datetime,
) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of published items: newest first, one entry each."""
    ET.register_namespace("", _ATOM)
    ET.register_namespace("georss", _GEORSS)
    feed = ET.Element(f"{{{_ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    sub(feed, "title", title)
    sub(feed, "id", feed_id)
    sub(feed, "updated", updated.isoformat())
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=page_url, type="text/html")
    author_element = sub(feed, "author")
    sub(author_element, "name", author)
    for item in items:
        entry = sub(feed, "entry")
        where = item.district_name or ""
        when = item.date.isoformat() if item.date else item.month
        sub(entry, "title", " · ".join(p for p in (item.category_name, where, when) if p))
        sub(entry, "id", f"{feed_id}:{item.id}")
        sub(entry, "updated", item.published_at.isoformat())
        sub(entry, "link", rel="alternate", href=f"{page_url}#{item.id}", type="text/html")
        sub(entry, "category", term=item.category, label=item.category_name)
        summary = f"{item.category_name}. {item.outcome_name}."
        if item.response_min is not None:
            summary += f" ({item.response_min} min)"
        sub(entry, "summary", summary)
        if item.location:
            # GeoRSS Simple: the approximate point.
            point = ET.SubElement(entry, f"{{{_GEORSS}}}point")
            point.text = f"{item.location.lat} {item.location.lon}"
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        feed, encoding="utf-8", xml_declaration=False
    )
