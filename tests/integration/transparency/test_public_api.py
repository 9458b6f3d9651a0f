"""The public feed, its exports and statistics: formats, filters, paging, caching, errors."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest

from tests.integration.transparency.conftest import NOW, public_get
from tests.support.builders import EAST, NORTH, SOUTH, WEST
from tests.support.fixtures import decode
from tests.support.incidents import insert_incident

_CATEGORIES = ("vandalism", "noise_disturbance", "accident", "robbery_assault")


@pytest.fixture(scope="module")
async def seeded(client, pub_city) -> int:
    """Forty incidents in August 2026 around one corner of the city, published."""
    from sereno.core import db as core_db
    from sereno.settings import PublicSettings
    from sereno.transparency import projection
    from tests.integration.transparency.conftest import KEY

    rng = random.Random(5)
    async with core_db.connection() as conn:
        for i in range(40):
            await insert_incident(
                conn, tenant_id=pub_city, category=_CATEGORIES[i % 4],
                lon=rng.uniform(WEST + 0.002, WEST + 0.012), lat=rng.uniform(NORTH - 0.012, NORTH - 0.002),
                reported_at=NOW.replace(month=8, day=1 + i % 28, hour=8 + i % 12),  # 03:00-14:00 in Lima
            )
    await projection.refresh(policy=projection.policy_from(PublicSettings()), key=KEY, now=NOW)
    return 40


async def test_the_feed_pages_through_every_item_once(client, seeded):
    august = {"from": "2026-08-01", "to": "2026-08-31"}
    seen, cursor, pages = [], None, 0
    while True:
        page = decode(await public_get(client, "incidents", limit=7, **august, **({"cursor": cursor} if cursor else {})))
        seen += [i["id"] for i in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 40 and pages == 6
    assert seen == sorted(seen, reverse=True)


async def test_filters_by_category_district_and_dates(client, seeded):
    august = {"from": "2026-08-01", "to": "2026-08-31"}
    items = decode(await public_get(client, "incidents", category="vandalism,accident", limit=500, **august))["items"]
    assert len(items) == 20 and {i["category"] for i in items} == {"vandalism", "accident"}
    assert all(i["district"] == "NW" for i in items)
    assert decode(await public_get(client, "incidents", district="SE", **august))["items"] == []
    first_week = decode(await public_get(client, "incidents", limit=500, **{"from": "2026-08-01", "to": "2026-08-07"}))
    assert {i["date"] for i in first_week["items"]} <= {f"2026-08-0{d}" for d in range(1, 8)}
    assert len(first_week["items"]) == 14  # days 1-7 of i % 28, i = 0-6 and 28-34


async def test_bad_filters_are_400_in_the_requests_language(client, seeded):
    response = await public_get(client, "incidents", category="arson")
    assert response.status_code == 400 and "arson" in decode(response)["detail"]
    assert "no existe" in decode(response)["detail"]
    english = await client.get("/api/v1/public/incidents", params={"tenant": "pub", "from": "2026-02-30"},
                               headers={"Accept-Language": "en"})
    assert english.status_code == 400 and "not valid" in decode(english)["detail"]
    for params in ({"limit": "0"}, {"limit": "many"}, {"cursor": "%%%"}, {"from": "2026-09-01", "to": "2026-08-01"}):
        assert (await public_get(client, "incidents", **params)).status_code == 400, params


async def test_geojson_is_a_valid_feature_collection_in_lon_lat_order(client, seeded):
    response = await public_get(client, "incidents.geojson", **{"from": "2026-08-01", "to": "2026-08-31"})
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = decode(response)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 40
    located = [f for f in collection["features"] if f["geometry"]]
    assert located, "k-anonymous cells should place most of these forty"
    for feature in located:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        assert WEST - 0.02 < lon < EAST + 0.02 and SOUTH - 0.02 < lat < NORTH + 0.02
        assert feature["properties"]["precision_m"] in (250, 1000)
    paged = decode(await public_get(client, "incidents.geojson", limit=15, **{"from": "2026-08-01", "to": "2026-08-31"}))
    assert len(paged["features"]) == 15 and "cursor=" in paged["next"]


async def test_csv_export_has_every_item_and_a_header(client, seeded):
    response = await public_get(client, "incidents.csv", **{"from": "2026-08-01", "to": "2026-08-31"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 40 and rows[0]["category_name"] and rows[0]["month"] == "2026-08"


async def test_atom_feed_lists_the_newest_items(client, seeded):
    response = await public_get(client, "incidents.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed" and 40 <= len(entries) <= 100
    assert all(e.find("a:id", ns).text and e.find("a:updated", ns).text for e in entries)


async def test_stats_count_respond_and_suppress_small_numbers(client, seeded):
    stats = decode(await public_get(client, "stats", **{"from": "2026-08", "to": "2026-08"}))
    assert stats["total"] == 40 and stats["confirmed"] == 40 and stats["confirmed_share"] == 1.0
    assert {c["key"]: c["count"] for c in stats["by_category"]} == {c: 10 for c in _CATEGORIES}
    assert stats["by_month"] == [{"key": "2026-08", "count": 40}]
    assert stats["response"]["median_min"] == 9.0 and stats["resolution"]["median_min"] == 50.0
    # Every listed incident counts in the hour and weekday breakdowns; a band under k shows null, not 0.
    for breakdown in (stats["by_hour_band"], stats["by_weekday"]):
        shown = sum(c["count"] or 0 for c in breakdown)
        hidden = sum(c["count"] is None for c in breakdown)
        assert 40 - 2 * hidden <= shown <= 40 - hidden
    one = decode(await public_get(client, "stats", category="vandalism", **{"from": "2026-08", "to": "2026-08"}))
    assert all(c["count"] is None or c["count"] == 0 or c["count"] >= 3 for c in one["by_weekday"] + one["by_hour_band"])
    assert any(c["count"] is None for c in one["by_weekday"] + one["by_hour_band"])


async def test_repeat_requests_are_cheap_etag_304_and_change_after_a_refresh(client, db, seeded, pub_city, publish):
    first = await public_get(client, "incidents")
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = await client.get("/api/v1/public/incidents", params={"tenant": "pub"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    await insert_incident(db, tenant_id=pub_city, category="accident", lon=WEST + 0.005, lat=NORTH - 0.005,
                          reported_at=NOW - timedelta(days=9))
    await publish()
    changed = await client.get("/api/v1/public/incidents", params={"tenant": "pub"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_english_names(client, seeded):
    response = await client.get("/api/v1/public/incidents", params={"tenant": "pub", "category": "accident"},
                                headers={"Accept-Language": "en-US,en;q=0.9"})
    item = decode(response)["items"][0]
    assert item["category_name"] == "Traffic accident" and item["outcome_name"] == "Attended on site"


async def test_exports_say_exactly_what_the_feed_says(client, seeded):
    """The feed is built in Python, the exports by PostgreSQL: they must agree field by field."""
    august = {"from": "2026-08-01", "to": "2026-08-31"}
    feed = {i["id"]: i for i in decode(await public_get(client, "incidents", limit=500, lang="en", **august))["items"]}
    collection = decode(await public_get(client, "incidents.geojson", lang="en", **august))
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((await public_get(
        client, "incidents.csv", lang="en", **august)).content.decode("utf-8-sig")))}
    assert set(feed) == {f["id"] for f in collection["features"]} == set(rows)
    for feature in collection["features"]:
        item, props, row = feed[feature["id"]], feature["properties"], rows[feature["id"]]
        for field in ("category", "category_name", "district", "district_name", "month", "date", "hour_band",
                      "status", "outcome", "outcome_name", "response_min", "resolution_min"):
            assert props[field] == item[field], (field, props[field], item[field])
            assert row[field] == ("" if item[field] is None else str(item[field])), field
        location = item["location"]
        if location:
            assert feature["geometry"]["coordinates"] == [location["lon"], location["lat"]]
            assert props["precision_m"] == location["precision_m"]
            assert (float(row["lat"]), float(row["lon"])) == (location["lat"], location["lon"])
        else:
            assert feature["geometry"] is None and props["precision_m"] is None and row["lat"] == ""
