"""Photos in the browser tests: a phone photo on disk, and waiting for the server's renditions of one."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.async_api import Page

__all__ = ["phone_photo", "wait_for_renditions"]


def phone_photo(folder: Path, name: str = "foto.jpg", color: tuple[int, int, int] = (180, 40, 40)) -> str:
    """A photo the size a phone camera makes (2400 x 1600): the app compresses it before sending."""
    path = folder / name
    Image.new("RGB", (2400, 1600), color).save(path, "JPEG", quality=90)
    return str(path)


async def wait_for_renditions(page: Page, *, tenant_id: int, photo_id: str) -> None:
    """Until the live server's worker has made the photo's thumbnail (local storage's URL scheme); the page
    asks, so the wait is Playwright's own, with its timeout."""
    await page.wait_for_function(
        "async (url) => (await fetch(url, { cache: 'no-store' })).ok",
        arg=f"/media/renditions/{tenant_id}/{photo_id}/thumb.jpg",
        polling=200,
    )
