"""The staff console in a browser: a laptop-sized context without map tiles, and signing in."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.support.staff import PASSWORD, StaffMember

LAPTOP = {"width": 1024, "height": 768}
# The map's tiles come from the internet, which the tests do not reach: refused at once instead of waited for.
TILES = ("https://*.tile.openstreetmap.org/**", "https://tile.openstreetmap.org/**")


@contextlib.asynccontextmanager
async def laptop_context(browser: Browser, live_server: str, **options: Any) -> AsyncIterator[BrowserContext]:
    """A 1024×768 Spanish (es-PE) context on the live server; ``options`` go to ``new_context``."""
    context = await browser.new_context(base_url=live_server, viewport=LAPTOP, locale="es-PE", **options)
    for pattern in TILES:
        await context.route(pattern, lambda route: route.abort())
    try:
        yield context
    finally:
        await context.close()


async def sign_in(context: BrowserContext, member: StaffMember, path: str = "/console/") -> Page:
    """A new page at ``path``, signed in as ``member`` (the console's login form)."""
    page = await context.new_page()
    await page.goto(path)
    await page.get_by_test_id("login-username").fill(member.username)
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("logout")).to_be_visible()
    return page
