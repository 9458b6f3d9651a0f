"""The console's analytics view on a desktop-sized headless Chromium, against the real server: an analyst sees
KPI tiles and charts whose data tables say what /api/v1/analytics/weekly says, in Spanish and in English,
other periods, the printable document in a new tab, and no serious or critical accessibility findings; a
dispatcher has no way into it. Hotspots, forecast and allocation come from the server; sector polygons (not in
the API yet) and the "not available" answers are stubbed in the browser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.console import TILES, sign_in
from tests.support.builders import TEST_CITY
from tests.support.incidents import insert_incident
from tests.support.staff import PASSWORD, StaffMember, create_staff

DESKTOP = {"width": 1440, "height": 900}
LIMA = ZoneInfo("America/Lima")
LOADED = 20_000  # ms: the first open loads Chart.js, Leaflet and the report
# Points inside the test city's sectors (tests/support/builders.py).
SPOTS = {"NW": (-79.040, -8.100), "NE": (-79.020, -8.100), "SW": (-79.040, -8.120), "SE": (-79.020, -8.120)}


def _local(days_back: int, hour: int) -> datetime:
    """A time on a local day before today (the default period is the 7 whole days before today)."""
    day = datetime.now(UTC).astimezone(LIMA).date() - timedelta(days=days_back)
    return datetime.combine(day, time(hour), LIMA)


@pytest.fixture(scope="module")
async def staff(browser_db: str, live_server: str) -> dict[str, StaffMember]:
    """Incidents of several types, sectors and hours in the last week and the four before; an analyst and a
    dispatcher."""
    conn = await asyncpg.connect(browser_db)
    try:
        tenant_id = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
        this_week = [("robbery_assault", "NW", d, 21) for d in (1, 2, 3)] + [
            ("noise_disturbance", "SE", 2, 23), ("noise_disturbance", "SE", 4, 23),
            ("accident", "NE", 5, 8), ("vandalism", "SW", 6, 14),
        ]
        weeks_before = [("robbery_assault", "NW", d, 20) for d in (9, 15, 22, 30)] + [
            ("noise_disturbance", "SE", d, 22) for d in (10, 24)
        ]
        for category, sector, days_back, hour in this_week + weeks_before:
            lon, lat = SPOTS[sector]
            await insert_incident(conn, tenant_id=tenant_id, category=category, lon=lon, lat=lat,
                                  reported_at=_local(days_back, hour))
        return {role: await create_staff(conn, tenant_id=tenant_id, role=role) for role in ("analyst", "dispatcher")}
    finally:
        await conn.close()


@pytest.fixture
async def desktop(browser: Browser, live_server: str) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(base_url=live_server, viewport=DESKTOP, locale="es-PE")
    for pattern in TILES:
        await context.route(pattern, lambda route: route.abort())
    yield context
    await context.close()


def _token(base: str, member: StaffMember) -> str:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": member.username, "password": PASSWORD})
    response.raise_for_status()
    return response.json()["access_token"]


def _report(base: str, token: str, lang: str = "es", **params: str) -> dict:
    response = httpx.get(f"{base}/api/v1/analytics/weekly", params={**params, "lang": lang},
                         headers={"Authorization": f"Bearer {token}"}, timeout=20)
    response.raise_for_status()
    return response.json()


async def _open_analytics(context: BrowserContext, analyst: StaffMember) -> Page:
    page = await sign_in(context, analyst)
    await page.get_by_test_id("view-analytics").click()
    await expect(page.get_by_test_id("analytics")).to_have_attribute("data-state", "ready", timeout=LOADED)
    return page


async def _table(page: Page, key: str) -> list[tuple[str, str]]:
    """(row key, "current" value) of a chart's data table."""
    rows = page.get_by_test_id(f"table-{key}").locator("tbody tr")
    keys = await rows.evaluate_all("rows => rows.map(r => r.dataset.key)")
    values = await rows.locator('td[data-col="current"]').evaluate_all("cells => cells.map(c => c.dataset.value)")
    return list(zip(keys, values, strict=True))


async def test_analyst_sees_kpis_and_charts_with_the_apis_numbers(staff, desktop, live_server):
    page = await _open_analytics(desktop, staff["analyst"])
    report = _report(live_server, _token(live_server, staff["analyst"]))
    assert report["total"] >= 7  # what this module seeded, at least

    assert await page.locator("#console").is_hidden()
    await expect(page.get_by_test_id("kpi-total").locator(".kpi-value")).to_have_attribute(
        "data-value", str(report["total"]))
    for key in ("by_category", "by_sector", "by_hour", "by_weekday", "by_month"):
        canvas = page.get_by_test_id(f"chart-{key}").locator("canvas")
        await expect(canvas).to_have_count(1)
        assert await canvas.evaluate("c => Boolean(window.Chart.getChart(c))")  # drawn by Chart.js
    expected = {
        "by_category": [(c["key"], str(c["current"])) for c in report["by_category"]],
        "by_hour": [(str(h["key"]), str(h["current"])) for h in report["by_hour"]],
        "by_sector": [(s["key"], str(s["current"])) for s in report["by_sector"]],
    }
    for key, rows in expected.items():
        assert await _table(page, key) == rows, key
    assert ("robbery_assault" in dict(expected["by_category"])) and dict(expected["by_hour"])["21"] != "0"

    # Response times (overall, P1..P4, sectors) and the sector map with the service area.
    times = page.get_by_test_id("table-times").locator("tbody tr[data-key]")
    assert await times.evaluate_all("rows => rows.map(r => r.dataset.key)") == [t["key"] for t in report["times"]]
    await expect(page.get_by_test_id("an-map").locator(".leaflet-overlay-pane path")).not_to_have_count(0)


async def test_another_period_shows_the_apis_numbers_for_it(staff, desktop, live_server):
    page = await _open_analytics(desktop, staff["analyst"])
    default_to = await page.get_by_test_id("analytics").get_attribute("data-to")
    await page.get_by_test_id("an-preset").select_option("last4Weeks")
    view = page.get_by_test_id("analytics")
    last_day = date.fromisoformat(default_to)
    first_day = last_day - timedelta(days=27)
    await expect(view).to_have_attribute("data-from", first_day.isoformat())
    await expect(view).to_have_attribute("data-state", "ready")
    report = _report(live_server, _token(live_server, staff["analyst"]), **{"from": first_day.isoformat(),
                                                                            "to": last_day.isoformat()})
    await expect(page.get_by_test_id("kpi-total").locator(".kpi-value")).to_have_attribute(
        "data-value", str(report["total"]))
    assert await _table(page, "by_category") == [(c["key"], str(c["current"])) for c in report["by_category"]]

    # A custom period the API would refuse is caught before asking.
    await page.get_by_test_id("an-preset").select_option("custom")
    await page.get_by_test_id("an-from").fill("2026-03-10")
    await page.get_by_test_id("an-to").fill("2026-03-01")
    await page.get_by_test_id("an-apply").click()
    await expect(page.locator("#an-period-error")).to_have_text("La fecha inicial debe ser anterior a la final.")


async def test_switching_to_english_changes_the_labels_and_the_names(staff, desktop, live_server):
    page = await _open_analytics(desktop, staff["analyst"])
    await expect(page.get_by_test_id("chart-by_category").locator("h3")).to_have_text("Por tipo de incidente")
    await page.get_by_test_id("lang-en").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#an-title")).to_have_text("Analytics")
    await expect(page.get_by_test_id("view-analytics")).to_have_text("Analytics")
    await expect(page.get_by_test_id("chart-by_category").locator("h3")).to_have_text("By incident type")
    await expect(page.get_by_test_id("an-print")).to_have_text("Print / PDF")
    english = _report(live_server, _token(live_server, staff["analyst"]), lang="en")
    first = page.get_by_test_id("table-by_category").locator("tbody tr th").first
    await expect(first).to_have_text(english["by_category"][0]["name"])
    weekday = page.get_by_test_id("table-by_weekday").locator("tbody tr th").first
    await expect(weekday).to_have_text(english["by_weekday"][0]["name"])


async def test_print_opens_the_report_document_in_a_new_tab(staff, desktop):
    page = await _open_analytics(desktop, staff["analyst"])
    async with page.expect_popup() as opened:
        await page.get_by_test_id("an-print").click()
    document = await opened.value
    await expect(document.locator("h1")).to_have_text("Informe semanal de seguridad ciudadana")
    period = await page.get_by_test_id("analytics").get_attribute("data-from")
    await expect(document.locator("body")).to_contain_text(period)


async def test_hotspots_forecast_and_allocation_from_the_server(staff, desktop):
    page = await _open_analytics(desktop, staff["analyst"])
    await page.get_by_test_id("heat-toggle").check()
    await expect(page.get_by_test_id("hotspots-status")).to_have_attribute("data-state", "ready", timeout=LOADED)
    await expect(page.locator("#an-map canvas.leaflet-heatmap-layer")).to_have_count(1)
    await page.get_by_test_id("forecast-toggle").check()
    await expect(page.get_by_test_id("forecast-status")).to_have_attribute("data-state", "ready", timeout=LOADED)
    await expect(page.get_by_test_id("legend-forecast")).to_be_visible()

    await page.get_by_test_id("allocation-units").fill("8")
    await page.get_by_test_id("allocation-submit").click()
    await expect(page.get_by_test_id("allocation-status")).to_have_attribute("data-state", "ready", timeout=LOADED)
    table = page.get_by_test_id("table-allocation")
    await expect(table.locator("tbody tr")).to_have_count(4)  # the test city's four sectors
    for shift in await table.locator("thead th.num").all_text_contents():
        name = shift.split(" ", 1)[1]  # "Turno 06–14"
        units = await table.locator(f'tbody td[data-shift="{name}"]').evaluate_all(
            "cells => cells.map(c => Number(c.dataset.value))")
        assert sum(units) == 8 and min(units) >= 1, (name, units)  # every unit placed, each sector its minimum
    await expect(page.get_by_test_id("analytics")).to_have_attribute("data-state", "ready")


async def test_planning_layers_a_server_does_not_offer_say_so(staff, desktop):
    """A server without these routes (404) or without the analytics extras (501): the rest works."""
    for path, status in (("hotspots", 404), ("forecast", 501), ("allocation", 404)):
        await desktop.route(f"**/api/v1/analytics/{path}**", _refuse(status))
    page = await _open_analytics(desktop, staff["analyst"])
    await page.get_by_test_id("heat-toggle").check()
    await page.get_by_test_id("forecast-toggle").check()
    await page.get_by_test_id("allocation-submit").click()
    for name in ("hotspots", "forecast", "allocation"):
        status = page.get_by_test_id(f"{name}-status")
        await expect(status).to_have_attribute("data-state", "unavailable")
        await expect(status).to_have_text("No disponible todavía en este servidor.")
    await expect(page.locator("#an-map canvas.leaflet-heatmap-layer")).to_have_count(0)
    await expect(page.get_by_test_id("analytics")).to_have_attribute("data-state", "ready")


def _refuse(status: int):
    async def handle(route: Route) -> None:
        await route.fulfill(status=status, json={"status_code": status, "error": "not_found", "detail": ""})
    return handle


def _box(code: str, west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"code": code, "name": f"Sector {code}"}}


# Answers in the shapes the console is written against (console/README.md): the sector polygons the server does
# not offer yet, and small hand-made hotspots, forecast cells and allocation whose drawing can be checked exactly.
CONTRACT = {
    "sectors": {"type": "FeatureCollection", "features": [
        _box("NW", -79.05, -8.11, -79.03, -8.09), _box("NE", -79.03, -8.11, -79.01, -8.09),
        _box("SW", -79.05, -8.13, -79.03, -8.11), _box("SE", -79.03, -8.13, -79.01, -8.11)]},
    "analytics/hotspots": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-79.04, -8.10]},
         "properties": {"value": 2.5, "weight": 1.0, "rank": 1}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-79.02, -8.12]},
         "properties": {"value": 1.0, "weight": 0.4, "rank": 2}}]},
    "analytics/forecast": {"type": "FeatureCollection", "properties": {"total": 3.5, "cell_m": 200}, "features": [
        dict(_box("c1", -79.041, -8.101, -79.039, -8.099), properties={"value": 2.5, "rank": 1}),
        dict(_box("c2", -79.021, -8.121, -79.019, -8.119), properties={"value": 1.0, "rank": 2})]},
    "analytics/allocation": {
        "units": 4, "shifts": ["06–14", "14–22", "22–06"],
        "covered_share": 0.42, "covered_share_by_shift": {"06–14": 0.4, "14–22": 0.45, "22–06": 0.41},
        "rows": [{"sector": code, "units": {"06–14": n, "14–22": n, "22–06": 1},
                  "demand": {"06–14": 1.0, "14–22": 1.0, "22–06": 0.5}}
                 for code, n in (("NW", 2), ("NE", 1), ("SW", 0), ("SE", 1))]},
}


def _answer(body: dict):
    async def handle(route: Route) -> None:
        await route.fulfill(json=body)
    return handle


async def test_sector_choropleth_and_planning_layers_against_their_contract(staff, desktop):
    for path, body in CONTRACT.items():
        await desktop.route(f"**/api/v1/{path}**", _answer(body))
    page = await _open_analytics(desktop, staff["analyst"])
    shaded = page.locator("#an-map path.leaflet-interactive")
    await expect(shaded).to_have_count(4)  # the four sectors, coloured by incidents in the period
    await expect(page.get_by_test_id("legend-sectors")).to_contain_text("Incidentes por sector")
    await expect(page.get_by_test_id("an-map-note")).to_have_text("")

    await page.get_by_test_id("heat-toggle").check()
    await expect(page.get_by_test_id("hotspots-status")).to_have_text("2 puntos en el mapa de calor.")
    await expect(page.locator("#an-map canvas.leaflet-heatmap-layer")).to_have_count(1)
    await page.get_by_test_id("forecast-toggle").check()
    await expect(page.get_by_test_id("forecast-status")).to_contain_text("unos 3.5 incidentes")
    await expect(page.get_by_test_id("legend-forecast")).to_be_visible()
    await expect(shaded).to_have_count(6)  # and the two forecast cells

    await page.get_by_test_id("allocation-units").fill("4")
    await page.get_by_test_id("allocation-submit").click()
    table = page.get_by_test_id("table-allocation")
    await expect(table.locator("tbody tr")).to_have_count(4)
    await expect(table.locator('tr[data-key="NW"] td[data-shift="06–14"]')).to_have_attribute("data-value", "2")
    await expect(page.get_by_test_id("allocation-coverage")).to_contain_text("42 %")
    await expect(table.locator('tfoot td[data-shift="14–22"]')).to_have_text("45 %")
    await page.get_by_test_id("allocation-on-map").check()
    await expect(page.get_by_test_id("legend-sectors")).to_contain_text("Unidades por sector, turno 06–14")


async def test_a_dispatcher_has_no_analytics_entry(staff, desktop):
    page = await sign_in(desktop, staff["dispatcher"], "/console/#analisis")
    await expect(page.locator("#console")).to_be_visible()
    await expect(page.get_by_test_id("view-analytics")).to_be_hidden()
    await expect(page.get_by_test_id("analytics")).to_be_hidden()


async def test_the_view_has_no_serious_or_critical_accessibility_violations(staff, browser, live_server):
    context = await browser.new_context(base_url=live_server, viewport=DESKTOP, locale="es-PE")
    for pattern in TILES:
        await context.route(pattern, lambda route: route.abort())
    try:
        await _axe_scan(context, staff["analyst"])
    finally:
        await context.close()


async def _axe_scan(context: BrowserContext, analyst: StaffMember) -> None:
    page = await _open_analytics(context, analyst)
    for details in await page.locator("#analytics details.chart-data").all():
        await details.locator("summary").click()  # and the data tables
    await assert_accessible(page, "analytics view", impacts=("serious", "critical"))
