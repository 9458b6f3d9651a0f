"""A citizen files reports from a phone-sized headless Chromium: online with a photo and GPS, and offline."""

from __future__ import annotations

import re
import uuid

from PIL import Image
from playwright.async_api import expect

from tests.browser.citizen import fill_report, open_citizen_app
from tests.browser.conftest import GPS


def _photo(tmp_path) -> str:
    path = tmp_path / "foto.jpg"
    Image.new("RGB", (2400, 1600), (180, 40, 40)).save(path, "JPEG", quality=90)
    return str(path)


async def test_citizen_files_a_report_with_a_photo_and_gps_and_sees_it_in_my_reports(phone, pg, tmp_path):
    page = await open_citizen_app(phone)
    description = f"Robo de celular en el paradero {uuid.uuid4().hex[:6]}"
    await fill_report(page, category="accident", description=description, photo=_photo(tmp_path))

    code_el = page.get_by_test_id("report-code")
    await expect(code_el).to_have_text(re.compile(r"^TST-\d{4}-\d{6}$"))
    code = await code_el.text_content()

    row = await pg.fetchrow(
        """SELECT i.id, c.code AS category, i.description,
                  ST_Distance(i.location, ST_GeogFromText($2)) AS off_by_m
           FROM incident i JOIN category c ON c.id = i.category WHERE i.code = $1""",
        code, f"SRID=4326;POINT({GPS['longitude']} {GPS['latitude']})",
    )
    assert row["category"] == "accident" and row["description"] == description
    assert row["off_by_m"] < 5
    photos = await pg.fetch("SELECT status, width, height, content_type FROM attachment WHERE incident = $1", row["id"])
    # Compressed on the phone before upload: 2400x1600 arrives as at most 1600 px on the long side.
    assert [(p["status"], p["content_type"]) for p in photos] == [("attached", "image/jpeg")]
    assert max(photos[0]["width"], photos[0]["height"]) <= 1600

    await page.get_by_test_id("go-my-reports").click()
    mine = page.locator(f'[data-testid="my-report"][data-code="{code}"]')
    await expect(mine).to_be_visible()


async def test_emergency_category_offers_the_emergency_number_first(phone):
    page = await open_citizen_app(phone)
    await page.get_by_test_id("start-report").click()
    await page.get_by_test_id("category-robbery_assault").click()
    prompt = page.get_by_test_id("emergency-prompt")
    await expect(prompt).to_be_visible()
    await expect(prompt.locator('a[href="tel:105"]')).to_be_visible()


async def test_language_switch_shows_english(phone):
    page = await open_citizen_app(phone)
    spanish = await page.get_by_test_id("start-report").text_content()
    await page.get_by_test_id("lang-en").click()
    await expect(page.get_by_test_id("start-report")).not_to_have_text(spanish)
    await expect(page.get_by_test_id("start-report")).to_contain_text(re.compile("report", re.I))


async def _count(pg, description: str) -> int:
    return await pg.fetchval("SELECT count(*) FROM incident WHERE description = $1", description)


async def test_report_written_offline_is_sent_exactly_once_when_the_signal_returns(phone, pg):
    page = await open_citizen_app(phone)
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()  # now the service worker controls the page
    await expect(page.get_by_test_id("start-report")).to_be_visible()

    await phone.set_offline(True)
    description = f"Reporte sin señal {uuid.uuid4().hex[:6]}"
    await fill_report(page, category="suspicious_activity", description=description)
    await expect(page.get_by_test_id("queued")).to_be_visible()
    await page.get_by_test_id("go-my-reports").click()
    await expect(page.get_by_test_id("pending-badge")).to_be_visible()
    assert await _count(pg, description) == 0

    await phone.set_offline(False)
    await expect(page.get_by_test_id("pending-badge")).to_have_count(0, timeout=30_000)
    sent = page.locator('[data-testid="my-report"][data-code^="TST-"]')
    await expect(sent.first).to_be_visible()
    assert await _count(pg, description) == 1


async def test_lost_answer_is_retried_with_the_same_key_and_files_one_report(phone, pg):
    page = await open_citizen_app(phone)
    keys: list[str] = []

    async def drop_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(keys) == 1:
            await route.fetch()  # the server files the report...
            await route.abort("connectionreset")  # ...but the phone never hears back
        else:
            await route.continue_()

    await page.route("**/api/v1/reports", drop_first_answer)
    description = f"Respuesta perdida {uuid.uuid4().hex[:6]}"
    await fill_report(page, category="vandalism", description=description)
    await page.get_by_test_id("go-my-reports").click()
    await expect(page.locator('[data-testid="my-report"][data-code^="TST-"]').first).to_be_visible(timeout=30_000)
    await expect(page.get_by_test_id("pending-badge")).to_have_count(0)
    assert len(keys) >= 2 and len(set(keys)) == 1 and keys[0]
    assert await _count(pg, description) == 1
