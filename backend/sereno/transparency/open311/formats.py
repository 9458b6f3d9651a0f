"""The two formats GeoReport v2 defines: XML (required by the specification) and JSON, both UTF-8.

JSON is the struct itself (a list at the top for services, requests and errors). XML follows the examples of
the specification: a root element (``services``, ``service_requests``, ``errors``...), one child per item and,
for nested lists, a plural container with singular children (``<attributes><attribute>``). Absent text is an
empty element, as in the specification's examples; absent numbers, times and URLs are left out, so that a
client parsing ``<lat>`` never meets an empty number."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal
from xml.etree import ElementTree as ET

import msgspec

__all__ = ["MEDIA_TYPES", "Format", "encode", "encode_list", "split_format"]

Format = Literal["json", "xml"]
# Litestar adds "; charset=utf-8" to text/* types itself (a second one would make the header malformed).
MEDIA_TYPES: dict[str, str] = {"json": "application/json; charset=utf-8", "xml": "text/xml"}

_SINGULAR = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
_OMIT_WHEN_NULL = frozenset({"lat", "long", "media_url", "updated_datetime", "expected_datetime"})


def split_format(name: str) -> tuple[str, Format] | None:
    """``"TRU-2026-000001.xml"`` → ``("TRU-2026-000001", "xml")``; None without a known suffix."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or suffix.lower() not in MEDIA_TYPES:
        return None
    return stem, suffix.lower()  # type: ignore[return-value]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return msgspec.json.encode(value).decode().strip('"')
    return str(value)


def _add(parent: ET.Element, tag: str, value: object) -> None:
    if value is None:
        if tag not in _OMIT_WHEN_NULL:
            ET.SubElement(parent, tag)
        return
    if isinstance(value, msgspec.Struct):
        element = ET.SubElement(parent, tag)
        for field in value.__struct_fields__:
            _add(element, field, getattr(value, field))
    elif isinstance(value, list | tuple):
        container = ET.SubElement(parent, tag)
        for item in value:
            _add(container, _SINGULAR.get(tag, "item"), item)
    else:
        ET.SubElement(parent, tag).text = _text(value)


def _xml(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False
    )


def encode(value: msgspec.Struct, fmt: Format, *, root: str) -> bytes:
    """One object (discovery, a service definition): JSON object, or XML with ``root`` as its element."""
    if fmt == "json":
        return msgspec.json.encode(value)
    holder = ET.Element("holder")
    _add(holder, root, value)
    return _xml(holder[0])


def encode_list(items: Iterable[msgspec.Struct], fmt: Format, *, root: str, item: str) -> bytes:
    """A list (services, requests, errors): a JSON array, or ``<root><item>…</item></root>``."""
    items = list(items)
    if fmt == "json":
        return msgspec.json.encode(items)
    element = ET.Element(root)
    for value in items:
        _add(element, item, value)
    return _xml(element)
