"""axe-core on a page as it is on screen: the WCAG 2.1 A and AA rules (and axe's best practices on request),
every finding whatever its impact unless ``impacts`` narrows it."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

from playwright.async_api import Page

__all__ = ["assert_accessible"]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
_WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def assert_accessible(
    page: Page, screen: str, *, best_practice: bool = False, impacts: Collection[str] | None = None
) -> None:
    # Evaluated, not added as a <script>: the app's CSP (rightly) refuses inline scripts.
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())
    tags = [*_WCAG, "best-practice"] if best_practice else _WCAG
    result = await page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if impacts is None or v["impact"] in impacts
    ]
    assert not found, f"{screen}: {json.dumps(found, indent=1)}"
