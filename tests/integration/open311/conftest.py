"""Open311 tests: a city of their own (so the transparency tests' "pub" counts stay theirs), built and published
with the same builders and projection job; the specification's JSON Schemas; XML read back into fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from sereno.core import db as core_db
from sereno.settings import PublicSettings
from sereno.transparency import projection
from sereno.transparency.open311 import keys

from tests.integration.transparency.conftest import KEY
from tests.support.builders import TEST_CITY, create_city
from tests.support.incidents import insert_incident

CITY = {"slug": "o3t", "name": "Ciudad Abierta", "prefix": "OTT"}
BASE = "/open311/v2"
_SCHEMAS = Path(__file__).parent / "schemas"
_BASE_URI = "https://schemas.open311.test/"


def _registry() -> Registry:
    resources = [
        (
            _BASE_URI + path.relative_to(_SCHEMAS).as_posix(),
            Resource.from_contents(json.loads(path.read_text()), DRAFT7),
        )
        for path in _SCHEMAS.rglob("*.json")
    ]
    return Registry().with_resources(resources)


_REGISTRY = _registry()
_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """ISO 8601 as the specification requires it: a date, a time and a time zone (Z or an offset)."""
    return not isinstance(value, str) or ("T" in value and datetime.fromisoformat(value).tzinfo is not None)


@_FORMATS.checks("uri")
def _uri(value: object) -> bool:
    return not isinstance(value, str) or value.startswith(("http://", "https://"))


def validate(instance: object, schema: str) -> None:
    """Raise unless ``instance`` is valid against ``schema`` (a path under schemas/, e.g. "requests.json")."""
    validator = Draft7Validator({"$ref": _BASE_URI + schema}, registry=_REGISTRY, format_checker=_FORMATS)
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def xml_root(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"].startswith("text/xml"), response.headers["content-type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), response.content[:80]
    return ET.fromstring(response.content)


def xml_items(response: httpx.Response, root: str, item: str) -> list[dict[str, str]]:
    """``<root><item><field>text</field>…`` as a list of {field: text}; nested elements are not expected here."""
    element = xml_root(response)
    assert element.tag == root, element.tag
    assert all(child.tag == item for child in element), [c.tag for c in element]
    return [{field.tag: field.text or "" for field in child} for child in element]


def as_text(value: object) -> str:
    """A JSON value as the XML writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def o311(client: httpx.AsyncClient, path: str, *, lang: str = "es", **params) -> httpx.Response:
    params = {"jurisdiction_id": CITY["slug"], **params}
    return await client.get(f"{BASE}/{path}", params=params, headers={"Accept-Language": lang})


@pytest.fixture(scope="session")
async def open_city(client: httpx.AsyncClient) -> int:
    async with core_db.connection() as conn:
        existing = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", CITY["slug"])
        return existing or await create_city(conn, **CITY)


@pytest.fixture(scope="session")
async def api_key(open_city: int) -> str:
    _, key = await keys.create_client(tenant_id=open_city, name="Cliente de prueba")
    return key


@pytest.fixture(scope="session")
async def other_city_key(client: httpx.AsyncClient) -> str:
    """A valid key, but issued for the default test city, not for the Open311 city."""
    async with core_db.connection() as conn:
        tenant_id = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
    _, key = await keys.create_client(tenant_id=tenant_id, name="Otra ciudad")
    return key


# Published incidents, relative to the real clock (the default window is the last 90 days of it).
NOW = datetime.now(UTC).replace(microsecond=0)
CLUSTER = (-79.0405, -8.1005)  # north-west sector: enough incidents in one cell to be placed on the map


@pytest.fixture(scope="module")
async def published(open_city: int) -> dict[str, dict]:
    """Incidents of the Open311 city resolved days ago and published by the real projection job: code → facts."""
    facts: dict[str, dict] = {}
    plan = (
        # (category, days ago, minute, point, status)
        *[("vandalism", 10, i, CLUSTER, "closed") for i in range(6)],
        *[("robbery_assault", 11, i, CLUSTER, "resolved") for i in range(3)],
        ("noise_disturbance", 20, 0, (-79.0150, -8.1250), "closed"),  # alone in its month: district only
        ("vandalism", 120, 0, CLUSTER, "closed"),  # outside the default 90-day window
        ("domestic_violence", 15, 0, CLUSTER, "closed"),  # sensitive: counted, never listed
    )
    async with core_db.connection() as conn:
        for category, days, minute, (lon, lat), status in plan:
            # 20:xx UTC is 15:xx in Lima: the 15:00-18:00 band.
            reported = (NOW - timedelta(days=days)).replace(hour=20, minute=minute, second=0)
            _, code = await insert_incident(
                conn,
                tenant_id=open_city,
                category=category,
                lon=lon,
                lat=lat,
                reported_at=reported,
                status=status,
            )
            facts[code] = {"category": category, "reported_at": reported, "lon": lon, "lat": lat}
    await projection.refresh(policy=projection.policy_from(PublicSettings()), key=KEY, now=NOW)
    return facts
