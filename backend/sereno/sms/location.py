"""Where a text says it happened, when it says so in a form a machine can read (pure, no network).

Read, in this order (the first that gives a valid point wins):

* ``geo:`` URIs (``geo:-8.1116,-79.0287``), what Android's "share location" sends to an SMS app;
* Google Maps links: ``?q=`` / ``?query=`` / ``?ll=`` / ``destination=`` (``%2C`` or ``,``), the place's own
  ``!3d<lat>!4d<lon>`` and the map's ``/@<lat>,<lon>,17z``;
* OpenStreetMap links: ``#map=<zoom>/<lat>/<lon>`` and ``?mlat=&mlon=``;
* written coordinates: ``lat -8.11 lon -79.02``, ``-8.1116, -79.0287`` (also ``-8,1116 -79,0287`` with
  decimal commas), hemisphere letters (``8.1116 S 79.0287 W``) and degrees-minutes-seconds as Google Maps
  copies them (``8°06'41.8"S 79°01'43.3"W``).

Short links (``maps.app.goo.gl``, ``goo.gl/maps``) only say where they lead when followed over the network,
which an intake path must not do on a stranger's say-so; they give no point here (the text, link included, is
kept as the incident's description for the dispatcher).

Plain numbers need at least two decimals each, so "calle 5, 12" or "hace 10, 15 minutos" is never a place.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple
from urllib.parse import unquote

__all__ = ["Point", "find_point", "has_short_link"]


class Point(NamedTuple):
    lat: float
    lon: float


_NUM = r"[-+−]?\d{1,3}(?:\.\d+)?"
_DEC = r"[-+−]?\d{1,3}\.\d{2,}"

_LINK_PATTERNS = [
    re.compile(rf"\bgeo:({_NUM}),({_NUM})", re.IGNORECASE),
    re.compile(rf"[?&](?:q|query|ll|daddr|destination|center)=(?:loc:)?({_NUM})\s*,\s*({_NUM})", re.IGNORECASE),
    re.compile(rf"!3d({_NUM})!4d({_NUM})"),
    re.compile(rf"/@({_NUM}),({_NUM})"),
    re.compile(rf"[?&]mlat=({_NUM})&(?:amp;)?mlon=({_NUM})", re.IGNORECASE),  # the marker, before the view
]
_MLON_FIRST = re.compile(rf"[?&]mlon=({_NUM})&(?:amp;)?mlat=({_NUM})", re.IGNORECASE)
_OSM_VIEW = re.compile(rf"#map=\d{{1,2}}/({_NUM})/({_NUM})")
_LABELLED = re.compile(
    rf"\blat(?:itud|itude)?\.?\s*[:=]?\s*({_NUM})\s*[,;/&]?\s*\b(?:lon|lng|long|longitud|longitude)\.?\s*[:=]?\s*({_NUM})",
    re.IGNORECASE,
)
_DMS = re.compile(
    r"(\d{1,2})\s*°\s*(\d{1,2})\s*['′]\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|'')?\s*([NS])[\s,;]*"
    r"(\d{1,3})\s*°\s*(\d{1,2})\s*['′]\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|'')?\s*([EWO])",
    re.IGNORECASE,
)
_HEMISPHERE = re.compile(
    r"(?<![\w.])(\d{1,2}\.\d{2,})\s*°?\s*([NS])\b[\s,;]*(\d{1,3}\.\d{2,})\s*°?\s*([EWO])\b", re.IGNORECASE
)
_PAIR = re.compile(rf"(?<![\w.,/])({_DEC})\s*[,;]?\s+({_DEC})(?!\w|[.,]\d)|(?<![\w.,/])({_DEC}),({_DEC})(?!\w|[.,]\d)")
_COMMA_DECIMAL_PAIR = re.compile(r"(?<![\w.,])([-−]?\d{1,3},\d{3,})\s+([-−]?\d{1,3},\d{3,})(?![\w,])")
_SHORT_LINK = re.compile(r"https?://(?:maps\.app\.goo\.gl|goo\.gl/maps|g\.co/kgs)/\S+", re.IGNORECASE)


def _number(raw: str) -> float:
    return float(raw.replace("−", "-").replace(",", "."))


def _valid(lat: float, lon: float) -> Point | None:
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    if lat == 0 and lon == 0:  # a phone with no fix shares "0,0"
        return None
    return Point(lat=lat, lon=lon)


def _dms(deg: str, minutes: str, seconds: str, hemisphere: str) -> float:
    value = int(deg) + int(minutes) / 60 + _number(seconds) / 3600
    return -value if hemisphere.upper() in ("S", "W", "O") else value


def _candidates(text: str):
    decoded = unquote(text)
    for pattern in _LINK_PATTERNS:
        for m in pattern.finditer(decoded):
            yield _number(m[1]), _number(m[2])
    for m in _MLON_FIRST.finditer(decoded):
        yield _number(m[2]), _number(m[1])
    for m in _OSM_VIEW.finditer(decoded):
        yield _number(m[1]), _number(m[2])
    for m in _LABELLED.finditer(text):
        yield _number(m[1]), _number(m[2])
    for m in _DMS.finditer(text):
        yield _dms(m[1], m[2], m[3], m[4]), _dms(m[5], m[6], m[7], m[8])
    for m in _HEMISPHERE.finditer(text):
        lat, lon = _number(m[1]), _number(m[3])
        yield (-lat if m[2].upper() == "S" else lat), (-lon if m[4].upper() in ("W", "O") else lon)
    for m in _PAIR.finditer(text):
        yield (_number(m[1]), _number(m[2])) if m[1] else (_number(m[3]), _number(m[4]))
    for m in _COMMA_DECIMAL_PAIR.finditer(text):
        yield _number(m[1]), _number(m[2])


def find_point(text: str) -> Point | None:
    """The first valid point the text gives, or None."""
    for lat, lon in _candidates(text):
        point = _valid(lat, lon)
        if point is not None:
            return point
    return None


def has_short_link(text: str) -> bool:
    """A map short link, which gives no point offline (the reply asks for coordinates instead)."""
    return _SHORT_LINK.search(text) is not None
