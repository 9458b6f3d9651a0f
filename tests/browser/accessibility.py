"""axe-core on a page as it is on screen: the WCAG 2.1 A and AA rules, every finding whatever its impact."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.async_api import Page

__all__ = ["assert_accessible"]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
_RUN = "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"


async def assert_accessible(page: Page, screen: str) -> None:
    # Evaluated, not added as a <script>: the app's CSP (rightly) refuses inline scripts.
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())
    result = await page.evaluate(_RUN)
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert not found, f"{screen}: {json.dumps(found, indent=1)}"
