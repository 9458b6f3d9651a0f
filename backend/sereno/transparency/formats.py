"""The feed's other shapes: GeoJSON (RFC 7946), CSV and Atom 1.0, built from the same public items."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from xml.etree import ElementTree as ET

import msgspec

from sereno.transparency.schemas import PublicIncidentItem

__all__ = ["FeatureWriter", "atom", "csv_with_bom", "geojson_chunks", "geojson_text"]


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


class FeatureWriter:
    """GeoJSON Feature text straight from projection rows (``queries.ITEMS_ALL``'s columns), for exports of
    100,000 items: the few distinct names are encoded once, each row is one string template. The JSON feed
    (:func:`geojson_chunks`) and this writer must say the same; a test compares them field by field."""

    def __init__(
        self,
        *,
        categories: dict[int, tuple[str, str]],
        sectors: dict[int, tuple[str, str]],
        outcomes: dict[str, str],
        hour_bands: list[str],
        precision_m: dict[str, int],
    ) -> None:
        enc = _encoder.encode
        self._categories = {
            i: f'"category":{enc(code).decode()},"category_name":{enc(name).decode()}'
            for i, (code, name) in categories.items()
        }
        self._sectors = {
            i: f'"district":{enc(code).decode()},"district_name":{enc(name).decode()}'
            for i, (code, name) in sectors.items()
        }
        self._no_sector = '"district":null,"district_name":null'
        self._outcomes = {code: enc(name).decode() for code, name in outcomes.items()}
        self._bands = [enc(label).decode() for label in hour_bands]
        self._precision = precision_m

    def line(self, row) -> str:
        (_, code, category, sector, month, day, band, detail, status, outcome, response_s, resolution_s, level,
         lon, lat, published) = row  # fmt: skip
        placed = lon is not None and level in self._precision
        geometry = (
            f'{{"type":"Point","coordinates":[{round(lon, 6)!r},{round(lat, 6)!r}]}}' if placed else "null"
        )
        day_json = "null" if detail == "month" else f'"{day.isoformat()}"'
        band_json = self._bands[band] if detail == "hour_band" else "null"
        response = "null" if response_s is None else round(response_s / 60)
        resolution = "null" if resolution_s is None else round(resolution_s / 60)
        precision = self._precision[level] if placed else "null"
        return (
            f'{{"type":"Feature","id":"{code}","geometry":{geometry},"properties":{{'
            f"{self._categories[category]},{self._sectors.get(sector, self._no_sector)},"
            f'"month":"{month:%Y-%m}","date":{day_json},"hour_band":{band_json},"status":"{status}",'
            f'"outcome":"{outcome}","outcome_name":{self._outcomes.get(outcome, "null")},'
            f'"response_min":{response},"resolution_min":{resolution},"precision_m":{precision},'
            f'"published_at":{_encoder.encode(published).decode()}}}}}'
        )


async def geojson_text(features: AsyncIterator[list[str]]) -> AsyncIterator[bytes]:
    """A FeatureCollection of features already rendered as JSON text (by the database)."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    async for batch in features:
        body = ",".join(batch).encode()
        yield body if first else b"," + body
        first = False
    yield b"]}"


async def csv_with_bom(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """CSV with a byte-order mark first, so that spreadsheet programs open the accents right."""
    yield "\ufeff".encode()
    async for chunk in chunks:
        yield chunk


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
