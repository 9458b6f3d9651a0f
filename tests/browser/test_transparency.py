"""The public transparency page on a phone-sized headless Chromium: published incidents on a clustered map,
charts whose tables say what /api/v1/public/stats says, filters that follow into the download links and the
map, English, and no serious or critical accessibility findings (axe-core)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import PHONE
from tests.support.incidents import insert_incident

BREAKDOWNS = ("by_category", "by_month", "by_weekday", "by_hour_band", "by_district")

# Around the test city's north-west and south-east sectors (tests/support/builders.py): enough incidents
# close together that the anonymization keeps points (cells of at least k), and a few that stay alone.
NW_SPOT = (-79.0400, -8.1000)
SE_SPOT = (-79.0200, -8.1200)
LONELY = [(-79.0480, -8.0920), (-79.0120, -8.1280)]

# Outside the test process's connection pool: the projection is refreshed against the browser tests'
# database by a short-lived process, the way the live server's worker would do it.
_REFRESH = """
import asyncio
from datetime import UTC, datetime
from sereno.core import db
from sereno.settings import get_settings
from sereno.transparency.projection import policy_from, refresh

async def main():
    settings = get_settings()
    await db.start_pool(settings)
    try:
        await refresh(policy=policy_from(settings.public), key=b"browser-test-mask", now=datetime.now(UTC))
    finally:
        await db.stop_pool()

asyncio.run(main())
"""


@pytest.fixture(scope="module")
async def published(browser_db: str, live_server: str) -> str:
    """Resolved incidents of the test city, over the publication delay, then published; returns the base URL."""
    conn = await asyncpg.connect(browser_db)
    try:
        tenant_id = await conn.fetchval("SELECT id FROM tenant WHERE slug = 'tst'")
        recent = datetime.now(UTC) - timedelta(days=6)
        earlier = datetime.now(UTC) - timedelta(days=40)
        seeds = (
            [("vandalism", NW_SPOT, recent + timedelta(hours=i)) for i in range(8)]
            + [("noise_disturbance", NW_SPOT, recent + timedelta(hours=i, minutes=20)) for i in range(4)]
            + [("vandalism", NW_SPOT, earlier + timedelta(hours=i)) for i in range(5)]
            + [("accident", SE_SPOT, recent + timedelta(hours=i, minutes=40)) for i in range(8)]
            + [("fire", spot, recent) for spot in LONELY]  # two: a count under k
            + [("domestic_violence", NW_SPOT, recent), ("domestic_violence", SE_SPOT, recent)]  # counts only
        )
        for category, (lon, lat), reported_at in seeds:
            await insert_incident(
                conn, tenant_id=tenant_id, category=category, lon=lon, lat=lat, reported_at=reported_at,
                outcome="arrest" if category == "vandalism" else "resolved_on_scene",
            )
        await insert_incident(
            conn, tenant_id=tenant_id, category="suspicious_activity", lon=NW_SPOT[0], lat=NW_SPOT[1],
            reported_at=recent, outcome="unfounded",
        )
    finally:
        await conn.close()
    done = subprocess.run(
        [sys.executable, "-c", _REFRESH], env={**os.environ, "DATABASE_URL": browser_db},
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    return live_server


def _api(base: str, path: str, **params: str) -> dict:
    response = httpx.get(f"{base}{path}", params={"tenant": "tst", **params}, timeout=10)
    response.raise_for_status()
    return response.json()


def _located(collection: dict) -> int:
    return sum(1 for feature in collection["features"] if feature["geometry"])


async def _open(phone, path: str = "/transparencia/") -> Page:
    page = await phone.new_page()
    await page.goto(path)
    await expect(page.get_by_test_id("page")).to_have_attribute("data-state", "ready")
    return page


async def _on_map(page: Page) -> int:
    """Incidents the map shows: the numbers on the clusters plus the single markers."""
    clusters = await page.locator(".tr-cluster .tr-cluster-count").all_text_contents()
    return sum(int(n) for n in clusters) + await page.locator(".tr-marker").count()


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


async def test_phone_sees_the_published_incidents_on_the_map_and_the_same_numbers_as_the_api(published, phone):
    stats = _api(published, "/api/v1/public/stats", lang="es")
    collection = _api(published, "/api/v1/public/incidents.geojson", lang="es")
    located = _located(collection)
    assert stats["total"] >= 29 and located >= 3  # hotspots survive anonymization as points

    page = await _open(phone)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await expect(page.locator("h1")).to_have_text("Transparencia: lo reportado y lo atendido")

    await expect(page.get_by_test_id("map-count")).to_have_attribute("data-count", str(located))
    assert await _on_map(page) == located
    district_only = len(collection["features"]) - located
    await expect(page.get_by_test_id("map-district-only")).to_have_attribute("data-count", str(district_only))
    await expect(page.get_by_test_id("map-approx")).to_contain_text("±")

    await expect(page.get_by_test_id("kpi-total")).to_contain_text(str(stats["total"]))
    suppressed = 0
    for key in BREAKDOWNS:
        chart = page.get_by_test_id(f"chart-{key}")
        await expect(chart.locator("canvas")).to_have_count(1)
        rows = chart.get_by_test_id(f"table-{key}").locator("tbody tr")
        await expect(rows).to_have_count(len(stats[key]))
        for i, expected in enumerate(stats[key]):
            row = rows.nth(i)
            assert await row.get_attribute("data-key") == expected["key"]
            cell = row.locator("td")
            if expected["count"] is None:  # suppressed: "<3", never 0
                suppressed += 1
                assert await cell.get_attribute("data-count") == ""
                assert (await cell.text_content()).startswith(f"<{stats['k']}")
            else:
                assert await cell.get_attribute("data-count") == str(expected["count"])
    assert suppressed >= 1  # two fires and two sensitive cases: counts under k


async def test_filters_change_the_download_links_and_the_map(published, phone):
    page = await _open(phone)
    everything = int(await page.get_by_test_id("map-count").get_attribute("data-count"))
    csv = page.get_by_test_id("download-csv")
    assert _query(await csv.get_attribute("href")) == {"tenant": ["tst"], "lang": ["es"]}

    # The heat layer stands in for the markers, and the map still follows the filters after it was shown.
    await page.get_by_test_id("heat-toggle").check()
    await expect(page.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
    await expect(page.locator(".tr-cluster, .tr-marker")).to_have_count(0)
    await page.get_by_test_id("heat-toggle").uncheck()
    await expect(page.locator("canvas.leaflet-heatmap-layer")).to_have_count(0)

    await page.get_by_test_id("filter-district").select_option("SE")
    await expect(page.get_by_test_id("page")).to_have_attribute("data-state", "ready")
    expected = _located(_api(published, "/api/v1/public/incidents.geojson", district="SE"))
    await expect(page.get_by_test_id("map-count")).to_have_attribute("data-count", str(expected))
    assert expected < everything
    assert await _on_map(page) == expected
    assert _query(await csv.get_attribute("href"))["district"] == ["SE"]

    await page.get_by_test_id("category-picker").locator("summary").click()
    await page.get_by_test_id("category-accident").check()
    await expect(page.get_by_test_id("page")).to_have_attribute("data-state", "ready")
    for testid, path in (("download-csv", ".csv"), ("download-geojson", ".geojson"), ("download-atom", ".atom")):
        href = await page.get_by_test_id(testid).get_attribute("href")
        assert urlsplit(href).path == f"/api/v1/public/incidents{path}"
        assert _query(href) == {"tenant": ["tst"], "category": ["accident"], "district": ["SE"], "lang": ["es"]}
    assert "district=SE" in page.url and "category=accident" in page.url  # a filtered view can be shared

    # The link downloads what it says: the CSV of the filtered set, as an attachment.
    response = await page.request.get(await csv.get_attribute("href"))
    assert response.ok and "attachment" in response.headers["content-disposition"]
    feed = await page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    assert _query(feed)["tenant"] == ["tst"]

    await page.get_by_test_id("filter-clear").click()
    await expect(page.get_by_test_id("map-count")).to_have_attribute("data-count", str(everything))
    assert "district" not in _query(await csv.get_attribute("href"))


async def test_switching_to_english_changes_labels_and_names(published, phone):
    page = await _open(phone)
    await page.get_by_test_id("lang-en").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("h1")).to_have_text("Transparency: what was reported and what was done")
    await expect(page.get_by_test_id("page")).to_have_attribute("data-state", "ready")
    english = _api(published, "/api/v1/public/stats", lang="en")["by_category"][0]
    first = page.get_by_test_id("table-by_category").locator("tbody tr th").first
    await expect(first).to_contain_text(english["name"])
    await expect(page.get_by_test_id("download-csv")).to_have_text("Download CSV")
    assert _query(await page.get_by_test_id("download-csv").get_attribute("href"))["lang"] == ["en"]


async def test_the_page_has_no_serious_or_critical_accessibility_violations(published, phone):
    page = await _open(phone)
    await page.get_by_test_id("category-picker").locator("summary").click()  # its checkboxes too
    for details in await page.locator("details.chart-data").all():
        await details.locator("summary").click()  # and the data tables
    await assert_accessible(page, "transparency page", impacts=("serious", "critical"))


async def test_citizen_home_links_to_the_transparency_page(phone):
    page = await phone.new_page()
    await page.goto("/")
    link = page.get_by_test_id("transparency-link")
    await expect(link).to_have_text("Transparencia: lo reportado y lo atendido")
    await link.click()
    await expect(page.get_by_test_id("page")).to_have_attribute("data-state", "ready")
    assert urlsplit(page.url).path == "/transparencia/"
