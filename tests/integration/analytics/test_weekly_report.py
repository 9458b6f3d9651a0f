"""The committee's weekly report against counts worked out by hand on a small city."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sereno.core import db as core_db
from tests.support.builders import create_city
from tests.support.fixtures import decode
from tests.support.incidents import insert_incident
from tests.support.staff import create_staff, create_unit, login

LIMA = ZoneInfo("America/Lima")
RPT = {"slug": "rpt", "name": "Ciudad del Informe", "prefix": "RPT"}
NW = {"lon": -79.04, "lat": -8.10}
SE = {"lon": -79.02, "lat": -8.12}
WEEK = {"from": "2026-10-05", "to": "2026-10-11"}  # Monday to Sunday


def local(day: int, hour: int, month: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=LIMA)


@pytest.fixture(scope="module")
async def analyst(client):
    async with core_db.connection() as conn:
        tenant_id = await create_city(conn, **RPT)
        add = insert_incident
        # The week: 3 robberies in NW (P1) on Monday 21:00, Tuesday 21:00 and Sunday 09:00 ...
        for day, hour, minutes in ((5, 21, 6), (6, 21, 10), (11, 9, 14)):
            await add(conn, tenant_id=tenant_id, category="robbery_assault", **NW, reported_at=local(day, hour),
                      on_scene_after=timedelta(minutes=minutes), resolved_after=timedelta(minutes=60), priority=1)
        # ... 2 noise complaints in SE (P3), Saturday 23:00, one of them not yet attended ...
        await add(conn, tenant_id=tenant_id, category="noise_disturbance", **SE, reported_at=local(10, 23),
                  on_scene_after=timedelta(minutes=30), resolved_after=timedelta(minutes=90), priority=3)
        await add(conn, tenant_id=tenant_id, category="noise_disturbance", **SE, reported_at=local(10, 23),
                  status="new", priority=3)
        # ... one report found unfounded, one duplicate and one cancelled (neither of the last two counts).
        await add(conn, tenant_id=tenant_id, category="suspicious_activity", **NW, reported_at=local(8, 12),
                  status="unfounded")
        await add(conn, tenant_id=tenant_id, category="robbery_assault", **NW, reported_at=local(5, 21),
                  status="duplicate")
        await add(conn, tenant_id=tenant_id, category="accident", **NW, reported_at=local(7, 8), status="cancelled")
        # The four weeks before: 8 robberies (2 a week on average) and 4 noise complaints.
        for i in range(8):
            await add(conn, tenant_id=tenant_id, category="robbery_assault", **NW,
                      reported_at=local(7 + i * 3, 15, month=9))
        for i in range(4):
            await add(conn, tenant_id=tenant_id, category="noise_disturbance", **SE,
                      reported_at=local(8 + i * 6, 22, month=9))
        # The same week a year before (52 weeks back: 2025-10-06 to 10-12): 1 robbery; and one outside it.
        await add(conn, tenant_id=tenant_id, category="robbery_assault", **NW, reported_at=local(8, 10, year=2025))
        await add(conn, tenant_id=tenant_id, category="robbery_assault", **NW, reported_at=local(20, 10, year=2025))
        # Callbacks due in the week: one in time, one late, one still waiting.
        for due_day, done in ((6, timedelta(hours=-1)), (7, timedelta(hours=3)), (9, None)):
            incident_id, _ = await add(conn, tenant_id=tenant_id, category="other", **NW,
                                       reported_at=local(due_day, 8))
            await conn.execute(
                "UPDATE incident SET callback_due_at = $2, callback_done_at = $3 WHERE id = $1", incident_id,
                local(due_day, 12), None if done is None else local(due_day, 12) + done)
        # A unit on a 12-hour shift on Wednesday, busy 90 minutes on one case.
        unit_id = await create_unit(conn, tenant_id=tenant_id, status="off_duty")
        await conn.execute("DELETE FROM unit_shift WHERE unit = $1", unit_id)
        await conn.execute(
            "INSERT INTO unit_shift (tenant_id, unit, started_at, ended_at) VALUES ($1, $2, $3, $4)",
            tenant_id, unit_id, local(7, 6), local(7, 18))
        await conn.execute(
            "INSERT INTO assignment (tenant_id, incident, unit, status, assigned_at, cleared_at, ended_at, version) "
            "VALUES ($1, $2, $3, 'cleared', $4, $5, $5, 1)",
            tenant_id, incident_id, unit_id, local(7, 10), local(7, 11) + timedelta(minutes=30))
        member = await create_staff(conn, tenant_id=tenant_id, role="analyst")
    return await login(client, member)


async def test_counts_by_category_and_sector_against_the_weeks_before_and_last_year(client, analyst):
    report = decode(await client.get("/api/v1/analytics/weekly", params=WEEK, headers=analyst.headers))
    # 3 robberies + 2 noise + 1 unfounded + 3 callbacks ("other") = 9; the duplicate and the cancelled don't count.
    assert report["total"] == 9
    categories = {c["key"]: c for c in report["by_category"]}
    assert (categories["robbery_assault"]["current"], categories["robbery_assault"]["previous_avg"],
            categories["robbery_assault"]["last_year"]) == (3, 2.0, 1)
    assert categories["robbery_assault"]["change_pct"] == 50.0
    assert (categories["noise_disturbance"]["current"], categories["noise_disturbance"]["previous_avg"]) == (2, 1.0)
    sectors = {s["key"]: s["current"] for s in report["by_sector"]}
    assert sectors == {"NW": 7, "SE": 2}


async def test_hours_weekdays_and_the_monthly_trend(client, analyst):
    report = decode(await client.get("/api/v1/analytics/weekly", params=WEEK, headers=analyst.headers))
    hours = {h["key"]: h["current"] for h in report["by_hour"]}
    assert hours[21] == 2 and hours[23] == 2 and hours[9] == 1 and hours[8] == 3 and hours[12] == 1
    assert sum(hours.values()) == 9
    weekdays = {d["key"]: d["current"] for d in report["by_weekday"]}
    assert weekdays == {1: 1, 2: 2, 3: 1, 4: 1, 5: 1, 6: 2, 7: 1}
    assert [d["name"] for d in report["by_weekday"]][:2] == ["lunes", "martes"]
    months = {m["month"]: m["count"] for m in report["by_month"]}
    assert months["2026-09"] == 12 and months["2026-10"] == 9 and months["2025-10"] == 2


async def test_response_times_by_priority(client, analyst):
    report = decode(await client.get("/api/v1/analytics/weekly", params=WEEK, headers=analyst.headers))
    times = {t["key"]: t for t in report["times"]}
    p1 = times["P1"]
    assert p1["incidents"] == 3
    assert p1["to_dispatch"] == {"n": 3, "median_min": 2.0, "p90_min": 2.0}
    assert p1["to_scene"]["median_min"] == 10.0 and p1["to_scene"]["n"] == 3
    assert p1["to_resolve"]["median_min"] == 60.0
    # P3: 2 noise complaints, the unfounded report and the 3 "other" with callbacks; the complaint not yet
    # attended and the unfounded report have no time on scene.
    assert (times["P3"]["incidents"], times["P3"]["to_scene"]["n"]) == (6, 4)
    assert report["times"][0]["key"] == "all"


async def test_callbacks_unfounded_share_and_units_load(client, analyst):
    report = decode(await client.get("/api/v1/analytics/weekly", params=WEEK, headers=analyst.headers))
    assert report["callbacks"] == {"due": 3, "on_time": 1, "late": 1, "overdue": 1, "compliance": 0.333}
    assert report["unfounded"] == 1 and report["unfounded_share"] == round(1 / 9, 4)
    (unit,) = report["units"]
    assert (unit["duty_h"], unit["busy_h"], unit["busy_share"], unit["cases"]) == (12.0, 1.5, 0.125, 1)


async def test_the_printable_document_and_bad_periods(client, analyst):
    document = await client.get("/api/v1/analytics/weekly.html", params={**WEEK, "lang": "en"}, headers=analyst.headers)
    assert document.status_code == 200 and document.headers["content-type"].startswith("text/html")
    assert "Weekly citizen-safety report" in document.text and "2026-10-05 – 2026-10-11" in document.text
    assert "@media print" in document.text
    for params in ({"from": "2026-10-11", "to": "2026-10-05"}, {"from": "2026-10-05"}, {"from": "2026-13-01", "to": "2026-10-05"},
                   {"from": "2024-01-01", "to": "2026-10-05"}):
        assert (await client.get("/api/v1/analytics/weekly", params=params, headers=analyst.headers)).status_code == 400


async def test_the_default_period_is_the_last_seven_whole_days(client, analyst):
    report = decode(await client.get("/api/v1/analytics/weekly", headers=analyst.headers))
    start = datetime.fromisoformat(report["period_from"]).astimezone(LIMA)
    end = datetime.fromisoformat(report["period_to"]).astimezone(LIMA)
    assert end - start == timedelta(days=7) and (start.hour, end.hour) == (0, 0)
    assert end.date() == datetime.now(UTC).astimezone(LIMA).date()
