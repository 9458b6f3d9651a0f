"""Driving the citizen app as a person would: shared by the reporting and the dispatch tests."""

from __future__ import annotations

from playwright.async_api import BrowserContext, Page, expect

__all__ = ["fill_report", "open_citizen_app"]


async def open_citizen_app(context: BrowserContext) -> Page:
    page = await context.new_page()
    await page.goto("/")
    await expect(page.get_by_test_id("start-report")).to_be_visible()
    return page


async def fill_report(page: Page, *, category: str, description: str, photo: str | None = None) -> None:
    """The five steps of the wizard with the phone's GPS position, anonymously, up to *Enviar*."""
    await page.get_by_test_id("start-report").click()
    await page.get_by_test_id(f"category-{category}").click()
    await page.get_by_test_id("next").click()
    if photo:
        await page.get_by_test_id("photo-input").set_input_files(photo)
        await expect(page.get_by_test_id("photo-thumb")).to_have_count(1)
        # Compressed on the phone first; "Siguiente" refuses until then (and the remove button is off).
        await expect(page.get_by_test_id("remove-photo")).to_be_enabled()
    await page.get_by_test_id("next").click()
    await expect(page.get_by_test_id("coords")).to_contain_text("-8.1")
    await page.get_by_test_id("next").click()
    await page.get_by_test_id("description").fill(description)
    await page.get_by_test_id("next").click()
    await page.get_by_test_id("send-report").click()
