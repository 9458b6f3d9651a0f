"""Chromium itself judges the citizen app installable (manifest, icons, service worker)."""

from __future__ import annotations

from playwright.async_api import async_playwright

from tests.browser.conftest import CHROMIUM


async def test_chromium_reports_no_installability_errors(live_server, tmp_path):
    async with async_playwright() as playwright:
        # Installability is only evaluated in a persistent (non-incognito) profile.
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
            viewport={"width": 360, "height": 740},
        )
        try:
            page = await context.new_page()
            await page.goto(live_server + "/")
            await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            cdp = await context.new_cdp_session(page)
            result = await cdp.send("Page.getInstallabilityErrors")
            assert result["installabilityErrors"] == []
            manifest = await cdp.send("Page.getAppManifest")
            assert manifest["errors"] == []
        finally:
            await context.close()
