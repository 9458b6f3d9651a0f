"""Hotspots, forecast and patrol allocation through the staff API, on a city with one planted hotspot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sereno.core import db as core_db
from tests.support.builders import create_city
from tests.support.fixtures import decode
from tests.support.incidents import insert_incident
from tests.support.staff import create_staff, login

PLN = {"slug": "pln", "name": "Ciudad Planificada", "prefix": "PLN"}
HOTSPOT = (-79.0205, -8.1205)  # in the SE sector


@pytest.fixture(scope="module")
async def planner(client):
    now = datetime.now(UTC)
    async with core_db.connection() as conn:
        tenant_id = await create_city(conn, **PLN)
        for i in range(40):  # a hotspot: forty robberies within ~30 m over the last 60 days
            await insert_incident(conn, tenant_id=tenant_id, category="robbery_assault",
                                  lon=HOTSPOT[0] + (i % 5) * 0.0001, lat=HOTSPOT[1] + (i % 4) * 0.0001,
                                  reported_at=now - timedelta(days=1 + i * 1.5, hours=i % 24))
        for i in range(12):  # and a scatter elsewhere
            await insert_incident(conn, tenant_id=tenant_id, category="vandalism",
                                  lon=-79.048 + i * 0.0015, lat=-8.092 - i * 0.0012,
                                  reported_at=now - timedelta(days=2 + i * 4))
        member = await create_staff(conn, tenant_id=tenant_id, role="supervisor")
        dispatcher = await create_staff(conn, tenant_id=tenant_id, role="dispatcher")
    return await login(client, member), await login(client, dispatcher)


def _metres(a, b) -> float:
    return (((a[0] - b[0]) * 110_000) ** 2 + ((a[1] - b[1]) * 111_000) ** 2) ** 0.5


async def test_the_hotspot_map_puts_the_planted_hotspot_first(client, planner):
    staff, _ = planner
    collection = decode(await client.get("/api/v1/analytics/hotspots", headers=staff.headers))
    top = collection["features"][0]
    assert top["properties"]["rank"] == 1 and top["properties"]["weight"] == 1.0
    assert _metres(top["geometry"]["coordinates"], HOTSPOT) < 250
    only_vandalism = decode(await client.get("/api/v1/analytics/hotspots", params={"category": "vandalism"},
                                             headers=staff.headers))
    assert _metres(only_vandalism["features"][0]["geometry"]["coordinates"], HOTSPOT) > 1000


async def test_the_forecast_expects_the_most_where_the_hotspot_is(client, planner):
    staff, _ = planner
    collection = decode(await client.get("/api/v1/analytics/forecast", params={"top": 5}, headers=staff.headers))
    assert len(collection["features"]) == 5 and collection["properties"]["horizon_days"] == 7.0
    ring = collection["features"][0]["geometry"]["coordinates"][0]
    centre = (sum(p[0] for p in ring[:4]) / 4, sum(p[1] for p in ring[:4]) / 4)
    assert _metres(centre, HOTSPOT) < 300
    values = [f["properties"]["value"] for f in collection["features"]]
    assert values == sorted(values, reverse=True) and values[0] > 0


async def test_allocation_gives_every_sector_its_minimum_and_the_rest_to_the_busiest(client, planner):
    staff, _ = planner
    plan = decode(await client.get("/api/v1/analytics/allocation", params={"units": 10}, headers=staff.headers))
    assert plan["shifts"] == ["06–14", "14–22", "22–06"]
    by_sector = {row["sector"]: row for row in plan["rows"]}
    assert set(by_sector) == {"NW", "NE", "SW", "SE"}
    for shift in plan["shifts"]:
        assert sum(row["units"][shift] for row in plan["rows"]) == 10
        assert all(row["units"][shift] >= 1 for row in plan["rows"])
        assert by_sector["SE"]["units"][shift] == max(row["units"][shift] for row in plan["rows"])
    assert 0 < plan["covered_share"] <= 1 and plan["watched"]["features"]
    too_few = await client.get("/api/v1/analytics/allocation", params={"units": 3}, headers=staff.headers)
    assert too_few.status_code == 422


async def test_dispatchers_do_not_plan_patrols(client, planner):
    _, dispatcher = planner
    for path in ("hotspots", "forecast", "allocation?units=5"):
        assert (await client.get(f"/api/v1/analytics/{path}", headers=dispatcher.headers)).status_code == 403
