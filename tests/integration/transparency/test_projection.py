"""What gets published, when, and how coarsely: the projection job on the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.transparency.conftest import NOW, PUB, public_get
from tests.support.builders import INSIDE
from tests.support.fixtures import decode
from tests.support.incidents import insert_incident

pytestmark = pytest.mark.usefixtures("pub_city")


async def _items(client, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = decode(await public_get(client, "incidents", limit=500, **({"cursor": cursor} if cursor else {}), **params))
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


async def test_only_confirmed_outcomes_are_published_and_only_after_the_delay(client, db, pub_city, publish):
    base = NOW - timedelta(days=30)
    _, old = await insert_incident(db, tenant_id=pub_city, category="vandalism", **_at(INSIDE), reported_at=base)
    _, recent = await insert_incident(
        db, tenant_id=pub_city, category="vandalism", **_at(INSIDE),
        reported_at=NOW - timedelta(hours=47), resolved_after=timedelta(minutes=1),
    )
    _, unverified = await insert_incident(
        db, tenant_id=pub_city, category="vandalism", **_at(INSIDE), reported_at=base, outcome="no_one_found"
    )
    _, still_open = await insert_incident(
        db, tenant_id=pub_city, category="vandalism", **_at(INSIDE), reported_at=base, status="on_scene"
    )
    await publish()
    codes = {i["id"] for i in await _items(client)}
    assert old in codes
    assert not codes & {recent, unverified, still_open}
    # Two hours later the recent one is 49 h old: published.
    await publish(now=NOW + timedelta(hours=2))
    assert recent in {i["id"] for i in await _items(client)}


async def test_a_reopened_incident_is_withdrawn_and_a_closed_one_follows(client, db, pub_city, publish):
    incident_id, code = await insert_incident(
        db, tenant_id=pub_city, category="accident", **_at(INSIDE), reported_at=NOW - timedelta(days=20),
        status="resolved",
    )
    await publish()
    assert {i["id"]: i["status"] for i in await _items(client)}[code] == "resolved"
    await db.execute("UPDATE incident SET status = 'closed' WHERE id = $1", incident_id)
    await publish()
    assert {i["id"]: i["status"] for i in await _items(client)}[code] == "closed"
    await db.execute("UPDATE incident SET status = 'triaged', resolved_at = NULL WHERE id = $1", incident_id)
    result = await publish()
    assert result["withdrawn"] >= 1
    assert code not in {i["id"] for i in await _items(client)}


async def test_crimes_against_persons_show_the_date_but_no_hour(client, db, pub_city, publish):
    reported = NOW - timedelta(days=12, hours=3)
    _, robbery = await insert_incident(db, tenant_id=pub_city, category="robbery_assault", **_at(INSIDE), reported_at=reported)
    _, noise = await insert_incident(db, tenant_id=pub_city, category="noise_disturbance", **_at(INSIDE), reported_at=reported)
    await publish()
    items = {i["id"]: i for i in await _items(client)}
    assert items[robbery]["date"] and items[robbery]["hour_band"] is None
    assert items[noise]["date"] and items[noise]["hour_band"].endswith(":00")


async def test_month_only_time_detail_hides_the_date_and_date_filters_cannot_reveal_it(client, db, pub_city, publish):
    reported = NOW.replace(month=6, day=17)
    _, code = await insert_incident(db, tenant_id=pub_city, category="robbery_assault", **_at(INSIDE), reported_at=reported)
    await publish(time_person="month")
    item = {i["id"]: i for i in await _items(client)}[code]
    assert (item["month"], item["date"], item["hour_band"]) == ("2026-06", None, None)
    # A one-day filter on another day of the same month still finds it: the filter works on the month.
    assert code in {i["id"] for i in await _items(client, **{"from": "2026-06-02", "to": "2026-06-02"})}


async def test_sensitive_categories_are_never_items_only_counts(client, db, pub_city, publish):
    month = NOW.replace(month=3, day=10)
    codes = [
        (await insert_incident(db, tenant_id=pub_city, category="domestic_violence", **_at(INSIDE), reported_at=month + timedelta(hours=h)))[1]
        for h in range(4)
    ]
    await publish()
    assert not set(codes) & {i["id"] for i in await _items(client)}
    geo = decode(await public_get(client, "incidents.geojson"))
    assert not {f["properties"]["category"] for f in geo["features"]} & {"domestic_violence"}
    stats = decode(await public_get(client, "stats", category="domestic_violence", **{"from": "2026-03", "to": "2026-03"}))
    row = {c["key"]: c for c in stats["by_category"]}["domestic_violence"]
    assert row["sensitive"] is True and row["count"] == 4
    assert [m["key"] for m in stats["by_month"]] == ["2026-03"]
    # Never in the hour or weekday breakdowns, which could single one out.
    assert all(c["count"] == 0 for c in stats["by_hour_band"] + stats["by_weekday"])


def _at(point: dict) -> dict:
    return {"lon": point["lon"], "lat": point["lat"]}
