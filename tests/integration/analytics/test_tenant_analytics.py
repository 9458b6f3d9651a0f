"""Hotspots, forecast and allocation for a tenant, read from the real database (PostGIS)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sereno.analytics.service import hotspots_geojson, tenant_allocation, tenant_forecast

from tests.support.builders import EAST, MID_LAT, MID_LON, NORTH, SOUTH, WEST, create_city
from tests.support.incidents import insert_incident

CITY = {"slug": "fct", "name": "Ciudad Pronóstico", "prefix": "FCT"}
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOT = (MID_LON + 0.01, MID_LAT + 0.01)  # in the north-east sector


@pytest.fixture
async def forecast_city(db) -> str:
    if await db.fetchval("SELECT id FROM tenant WHERE slug = $1", CITY["slug"]):
        return CITY["slug"]
    tenant_id = await create_city(db, **CITY)
    rng = random.Random(11)
    for i in range(60):
        await insert_incident(
            db, tenant_id=tenant_id, category="robbery_assault",
            lon=rng.uniform(WEST, EAST), lat=rng.uniform(SOUTH, NORTH),
            reported_at=NOW - timedelta(days=rng.uniform(1, 300)),
        )  # fmt: skip
    for i in range(30):
        await insert_incident(
            db, tenant_id=tenant_id, category="robbery_assault",
            lon=HOT[0] + rng.uniform(-0.0003, 0.0003), lat=HOT[1] + rng.uniform(-0.0003, 0.0003),
            reported_at=NOW - timedelta(days=rng.uniform(1, 60)),
        )  # fmt: skip
    return CITY["slug"]


async def test_forecast_of_a_tenant_peaks_at_its_hotspot_inside_the_service_area(db, forecast_city):
    result = await tenant_forecast(db, tenant_slug=forecast_city, origin=NOW)
    assert result.n_history == 90
    assert result.region.basis == "cells in the service area"
    assert result.region.area_km2 == pytest.approx(4.4 * 4.4, rel=0.1)
    top = result.geojson(shape="points", top=1)["features"][0]
    lon, lat = top["geometry"]["coordinates"]
    assert abs(lon - HOT[0]) < 0.003 and abs(lat - HOT[1]) < 0.003


async def test_hotspot_geojson_of_a_period(db, forecast_city):
    collection = await hotspots_geojson(
        db, tenant_slug=forecast_city, start=NOW - timedelta(days=60), end=NOW, kind="counts"
    )
    assert sum(f["properties"]["value"] for f in collection["features"]) >= 30
    assert collection["properties"]["kind"] == "counts"


async def test_allocation_sends_most_units_to_the_hotspot_sector(db, forecast_city):
    result = await tenant_allocation(db, tenant_slug=forecast_city, origin=NOW, units=10)
    alloc = result.allocation
    assert alloc.sectors == ["NE", "NW", "SE", "SW"]
    assert (alloc.units.sum(axis=1) == 10).all() and (alloc.units >= 1).all()
    assert (alloc.units[:, 0] == alloc.units.max(axis=1)).all()
    assert 0 < alloc.covered_share <= 1
    assert result.watched_geojson()["features"]
