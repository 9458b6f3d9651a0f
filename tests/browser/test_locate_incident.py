"""A text message that came without a place, placed by a dispatcher in the console: "Ubicar en el mapa", a click
on the small map (and a drag of its pin), "Confirmar ubicación"; the server finds the sector and the incident
leaves the "Sin ubicación" state. The same from the keyboard with typed coordinates, and a point outside the
city refused in the server's Spanish words. No accessibility findings (axe-core) with the form open."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.accessibility import assert_accessible
from tests.support.builders import OUTSIDE, TEST_CITY
from tests.support.incidents import insert_incident
from tests.support.staff import PASSWORD, StaffMember, create_staff, login

DESKTOP = {"width": 1440, "height": 900}
TILES = ("https://*.tile.openstreetmap.org/**", "https://tile.openstreetmap.org/**")
LIVE = 15_000  # ms: the console's WebSocket opening after login
IN_THE_SOUTH_EAST = "-8.12000, -79.02000"  # the test city's SE sector


@pytest.fixture(scope="module")
async def dispatcher(browser_db: str) -> StaffMember:
    conn = await asyncpg.connect(browser_db)
    try:
        tenant_id = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
        return await create_staff(conn, tenant_id=tenant_id, role="dispatcher")
    finally:
        await conn.close()


@pytest.fixture
async def text_without_a_place(pg: asyncpg.Connection) -> tuple[int, str]:
    """A new P3 incident from a text message whose place could not be read: (id, code)."""
    tenant_id = await pg.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
    incident_id, code = await insert_incident(
        pg,
        tenant_id=tenant_id,
        category="suspicious_activity",
        lon=None,
        lat=None,
        reported_at=datetime.now(UTC),
        status="new",
        outcome=None,
        priority=3,
    )
    await pg.execute("UPDATE incident SET source = 'sms' WHERE id = $1", incident_id)
    return incident_id, code


@pytest.fixture
async def console(browser: Browser, live_server: str, dispatcher: StaffMember) -> AsyncIterator[Page]:
    """The console on a desk screen, in Spanish, signed in as a dispatcher (map tiles blocked). Tests ask for
    it after their incident: one written straight into the database reaches the queue by the load at login."""
    context: BrowserContext = await browser.new_context(
        base_url=live_server, viewport=DESKTOP, locale="es-PE"
    )
    for pattern in TILES:
        await context.route(pattern, lambda route: route.abort())
    page = await context.new_page()
    await page.goto("/console/")
    await page.get_by_test_id("login-username").fill(dispatcher.username)
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("live-indicator")).to_have_attribute("data-state", "live", timeout=LIVE)
    yield page
    await context.close()


async def _open(page: Page, code: str) -> Locator:
    """Open the incident from the queue; returns its row."""
    row = page.locator(f'[data-testid="queue-item"][data-code="{code}"]')
    await expect(row.get_by_test_id("needs-location-badge")).to_be_visible()
    await row.click()
    await expect(page.get_by_test_id("detail-code")).to_have_text(code)
    await expect(page.get_by_test_id("detail-needs-location")).to_have_text("⌖ Sin ubicación")
    return row


async def _locate_form(page: Page) -> Locator:
    await page.get_by_test_id("locate-incident").click()
    form = page.get_by_test_id("locate-form")
    await expect(form).to_have_attribute("data-state", "ready")
    return form


async def _as_the_server_has_it(base: str, dispatcher: StaffMember, incident_id: int) -> dict:
    async with httpx.AsyncClient(base_url=base) as client:
        session = await login(client, dispatcher)
        response = await client.get(f"/api/v1/incidents/{incident_id}", headers=session.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_dispatcher_places_a_text_without_a_location_by_clicking_the_map(
    text_without_a_place, console, dispatcher, live_server
):
    incident_id, code = text_without_a_place
    row = await _open(console, code)
    form = await _locate_form(console)
    await expect(form.get_by_test_id("locate-point")).to_have_text("Aún no eligió un punto.")

    # Up and left of the city's centre, which is where the four sectors meet: the north-west sector.
    box = await form.get_by_test_id("locate-map").bounding_box()
    await form.get_by_test_id("locate-map").click(
        position={"x": box["width"] / 2 - 80, "y": box["height"] / 2 - 80}
    )
    await expect(form).to_have_attribute("data-lat", re.compile(r"^-8\.1"))
    clicked = (float(await form.get_attribute("data-lat")), float(await form.get_attribute("data-lon")))
    assert clicked[0] > -8.11 and clicked[1] < -79.03
    await expect(form.get_by_test_id("locate-point")).to_have_text(
        f"Punto elegido: {clicked[0]:.5f}, {clicked[1]:.5f}"
    )
    await expect(form.get_by_test_id("locate-coords")).to_have_value(f"{clicked[0]:.5f}, {clicked[1]:.5f}")

    # The pin can be dragged a little further (west) before confirming.
    pin = await form.locator(".pick-pin").bounding_box()
    x, y = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] / 2
    await console.mouse.move(x, y)
    await console.mouse.down()
    await console.mouse.move(x - 20, y, steps=5)
    await console.mouse.move(x - 40, y, steps=5)
    await console.mouse.up()
    await expect(form).not_to_have_attribute("data-lon", str(clicked[1]))
    chosen = (float(await form.get_attribute("data-lat")), float(await form.get_attribute("data-lon")))
    assert chosen[1] < clicked[1]
    await assert_accessible(console, "locate form with a point chosen")

    await form.get_by_test_id("locate-submit").click()
    await expect(console.get_by_test_id("detail-error")).to_have_text(
        "Ubicación guardada: el incidente ya está en el mapa."
    )
    await expect(console.get_by_test_id("detail-needs-location")).to_have_count(0)
    await expect(console.get_by_test_id("locate-form")).to_have_count(0)
    await expect(console.get_by_test_id("locate-incident")).to_have_text("Corregir ubicación")
    await expect(row.get_by_test_id("needs-location-badge")).to_have_count(0)
    await expect(console.get_by_test_id("map").locator(".incident-pin.is-selected")).to_be_visible()

    placed = await _as_the_server_has_it(live_server, dispatcher, incident_id)
    assert placed["needs_location"] is False
    assert (placed["location"]["lat"], placed["location"]["lon"]) == pytest.approx(chosen)
    assert placed["sector"]["code"] == "NW"
    assert placed["status"] == "triaged"


async def test_typed_coordinates_place_it_from_the_keyboard(
    text_without_a_place, console, dispatcher, live_server
):
    incident_id, code = text_without_a_place
    await _open(console, code)
    await console.get_by_test_id("locate-incident").focus()
    await console.keyboard.press("Enter")
    form = console.get_by_test_id("locate-form")
    coords = form.get_by_label("Coordenadas (latitud, longitud)")
    await expect(coords).to_be_focused()

    await coords.fill("en la esquina del mercado")
    await coords.press("Enter")
    await expect(coords).to_have_attribute("aria-invalid", "true")
    await expect(form.get_by_text("Escriba latitud y longitud separadas por una coma")).to_be_visible()

    await coords.fill(IN_THE_SOUTH_EAST)
    await console.keyboard.press("Tab")  # leaving the field shows the point on the map
    await expect(form.get_by_test_id("locate-point")).to_have_text(f"Punto elegido: {IN_THE_SOUTH_EAST}")
    await expect(form.locator(".pick-pin")).to_have_count(1)
    await expect(coords).not_to_have_attribute("aria-invalid", "true")
    await expect(form.get_by_test_id("locate-submit")).to_be_focused()
    await console.keyboard.press("Enter")
    await expect(console.get_by_test_id("detail-needs-location")).to_have_count(0)

    placed = await _as_the_server_has_it(live_server, dispatcher, incident_id)
    assert placed["needs_location"] is False
    assert (placed["location"]["lat"], placed["location"]["lon"]) == pytest.approx((-8.12, -79.02))
    assert placed["sector"]["code"] == "SE"


async def test_a_point_outside_the_service_area_is_refused_in_spanish(
    text_without_a_place, console, dispatcher, live_server
):
    incident_id, code = text_without_a_place
    await _open(console, code)
    form = await _locate_form(console)
    await form.get_by_test_id("locate-coords").fill(f"{OUTSIDE['lat']}, {OUTSIDE['lon']}")
    await form.get_by_test_id("locate-submit").click()

    # Next to the form (the panel's own notice is scrolled away by then), which stays open to choose again.
    await expect(form.get_by_test_id("locate-error")).to_have_text(
        "La ubicación está fuera del área de servicio de Ciudad de Prueba. Mueva el marcador dentro del distrito."
    )
    await expect(form.get_by_test_id("locate-error")).to_be_in_viewport()
    await expect(form.get_by_test_id("locate-submit")).to_be_enabled()
    await expect(console.get_by_test_id("detail-needs-location")).to_be_visible()
    await assert_accessible(console, "locate form with the server's refusal")
    await form.get_by_role("button", name="Volver").click()
    await expect(form).to_have_count(0)
    await expect(console.get_by_test_id("locate-incident")).to_be_focused()

    unplaced = await _as_the_server_has_it(live_server, dispatcher, incident_id)
    assert unplaced["needs_location"] is True and unplaced["location"] is None
