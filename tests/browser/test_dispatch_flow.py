"""From a citizen's report to a closed case: the command-center console, the officer's field app and the
citizen app, each in its own browser context, against the real server. Nothing is reloaded: every change
reaches the other screens over their WebSockets."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Response, expect

from tests.browser.citizen import fill_report, open_citizen_app
from tests.browser.conftest import GPS, PHONE
from tests.support.builders import TEST_CITY, jpeg_bytes
from tests.support.staff import (
    PASSWORD,
    StaffMember,
    assign_units,
    create_incident,
    create_staff,
    create_unit,
    login,
)

DESKTOP = {"width": 1440, "height": 900}
# The officer's phone, about 120 m from where the citizen (GPS) reports.
NEAR_THE_CITIZEN = {"latitude": GPS["latitude"] - 0.0008, "longitude": GPS["longitude"] + 0.0008,
                    "accuracy": 8}
TILES = ("https://*.tile.openstreetmap.org/**", "https://tile.openstreetmap.org/**")
LIVE = 15_000  # ms: generous for one event through the outbox worker and a WebSocket
STEP_ACTIONS = ("acknowledge", "en_route", "on_scene", "clear")

# The console shows whether its WebSocket is open (`live-indicator`); the field app only shows a lasting loss.
# So the test watches the page's sockets, to send an assignment only once the phone can hear of it.
_WATCH_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  // Marked on the page rather than polled with wait_for_function, whose string predicates need eval,
  // which the apps' Content-Security-Policy (rightly) refuses.
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('open', () => { document.documentElement.dataset.liveSocket = 'open'; });
    }
  };
})();
"""


OpenContext = Callable[..., Awaitable[BrowserContext]]


@dataclass(frozen=True)
class FieldTeam:
    dispatcher: StaffMember
    officer: StaffMember
    unit_id: int
    call_sign: str


@pytest.fixture
async def team(pg: asyncpg.Connection) -> AsyncIterator[FieldTeam]:
    """A dispatcher, and an officer with a unit of their own (off duty until the shift starts in the app)."""
    tenant_id = await pg.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
    dispatcher = await create_staff(pg, tenant_id=tenant_id, role="dispatcher")
    officer = await create_staff(pg, tenant_id=tenant_id, role="officer")
    unit_id = await create_unit(pg, tenant_id=tenant_id, members=(officer,), status="off_duty")
    call_sign = await pg.fetchval("SELECT call_sign FROM unit WHERE id = $1", unit_id)
    yield FieldTeam(dispatcher=dispatcher, officer=officer, unit_id=unit_id, call_sign=call_sign)
    # Off duty at the end, so that no later test's P1 report is sent to this unit.
    await pg.execute("UPDATE unit SET status = 'off_duty', on_duty_since = NULL WHERE id = $1", unit_id)


@pytest.fixture
async def new_context(browser: Browser, live_server: str) -> AsyncIterator[OpenContext]:
    """Opens browser contexts in Spanish on the live server (map tiles blocked); all closed at the end."""
    opened: list[BrowserContext] = []

    async def open_context(**options) -> BrowserContext:
        context = await browser.new_context(base_url=live_server, locale="es-PE", **options)
        for pattern in TILES:
            await context.route(pattern, lambda route: route.abort())
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        await context.close()


async def _sign_in(page: Page, member: StaffMember) -> None:
    await page.get_by_test_id("login-username").fill(member.username)
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()


async def open_console(new_context: OpenContext, dispatcher: StaffMember) -> Page:
    page = await (await new_context(viewport=DESKTOP)).new_page()
    await page.goto("/console/")
    await _sign_in(page, dispatcher)
    await expect(page.get_by_test_id("live-indicator")).to_have_attribute("data-state", "live", timeout=LIVE)
    return page


async def open_field_app(new_context: OpenContext, officer: StaffMember) -> tuple[BrowserContext, Page]:
    """The officer's phone, signed in, on duty and listening to the unit's WebSocket."""
    context = await new_context(viewport=PHONE, is_mobile=True, has_touch=True, permissions=["geolocation"],
                                geolocation=NEAR_THE_CITIZEN, service_workers="allow")
    page = await context.new_page()
    await page.add_init_script(_WATCH_SOCKETS)
    await page.goto("/field/")
    await _sign_in(page, officer)
    await page.get_by_test_id("duty-on").click()
    await expect(page.get_by_test_id("duty-state")).to_have_attribute("data-on", "true")
    await expect(page.locator("html")).to_have_attribute("data-live-socket", "open", timeout=LIVE)
    return context, page


async def file_citizen_report(page: Page, *, category: str, description: str) -> str:
    await fill_report(page, category=category, description=description)
    code = page.get_by_test_id("report-code")
    await expect(code).to_have_text(re.compile(rf"^{TEST_CITY['prefix']}-\d{{4}}-\d{{6}}$"), timeout=LIVE)
    return await code.text_content()


async def receive_assignment(field: Page, code: str) -> None:
    """The full-screen alert and, under it, the card: both brought by the unit's WebSocket."""
    await expect(field.get_by_test_id("assignment-card")).to_have_attribute("data-code", code, timeout=LIVE)
    await field.get_by_test_id("alert-view").click()
    await expect(field.get_by_test_id("assignment-card")).to_have_attribute("data-status", "assigned")


async def tap_step(field: Page, action: str, shown: str) -> None:
    await field.get_by_test_id("step-button").and_(field.locator(f'[data-action="{action}"]')).click()
    await expect(field.get_by_test_id("assignment-card")).to_have_attribute("data-status", shown)


async def close_case(field: Page, *, notes: str) -> None:
    await field.get_by_test_id("step-button").and_(field.locator('[data-action="clear"]')).click()
    await field.get_by_test_id("close-outcome-resolved_on_scene").check()
    await field.get_by_test_id("close-notes").fill(notes)
    await field.get_by_test_id("close-photo-input").set_input_files(
        files=[{"name": "cierre.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((1200, 900))}])
    await expect(field.get_by_test_id("close-photo-thumb")).to_have_count(1)
    await field.get_by_test_id("close-submit").click()


async def _assignment(pg: asyncpg.Connection, code: str) -> asyncpg.Record:
    return await pg.fetchrow(
        "SELECT a.* FROM assignment a JOIN incident i ON i.id = a.incident WHERE i.code = $1", code)


async def _staff_photos(pg: asyncpg.Connection, code: str) -> list[str]:
    return [r["status"] for r in await pg.fetch(
        "SELECT a.status FROM attachment a JOIN incident i ON i.id = a.incident "
        "WHERE i.code = $1 AND a.uploaded_by = 'staff'", code)]


async def _unit_steps(pg: asyncpg.Connection, code: str) -> list[str]:
    return [r["kind"] for r in await pg.fetch(
        "SELECT e.kind FROM incident_event e JOIN incident i ON i.id = e.incident "
        "WHERE i.code = $1 AND e.kind LIKE 'unit\\_%' ORDER BY e.at, e.id", code)]


async def test_citizen_report_is_dispatched_from_the_console_and_closed_in_the_field(
    team, new_context, phone, pg
):
    _, field = await open_field_app(new_context, team.officer)
    console = await open_console(new_context, team.dispatcher)
    citizen = await open_citizen_app(phone)

    # Routine priority: it waits in the queue for a dispatcher instead of being sent automatically.
    description = f"Dos personas revisan autos estacionados {uuid.uuid4().hex[:6]}"
    code = await file_citizen_report(citizen, category="suspicious_activity", description=description)
    row = console.locator(f'[data-testid="queue-item"][data-code="{code}"]')
    await expect(row).to_have_attribute("data-status", "new", timeout=LIVE)

    await row.click()
    await expect(console.get_by_test_id("detail-code")).to_have_text(code)
    recommended = console.locator(f'[data-testid="recommendation"][data-call-sign="{team.call_sign}"]')
    await expect(recommended).to_be_visible()
    await recommended.get_by_test_id("assign-unit").click()
    assignment = console.get_by_test_id("assignment")
    await expect(assignment).to_have_attribute("data-status", "assigned")

    await receive_assignment(field, code)
    await tap_step(field, "acknowledge", "acknowledged")
    await expect(assignment).to_have_attribute("data-status", "acknowledged", timeout=LIVE)
    await tap_step(field, "en_route", "en_route")
    await tap_step(field, "on_scene", "on_scene")
    status = console.get_by_test_id("detail-status")
    await expect(status).to_have_attribute("data-status", "on_scene", timeout=LIVE)
    notes = "Se identificó a los vecinos; no había robo. Se dejó constancia."
    await close_case(field, notes=notes)
    await expect(field.get_by_test_id("pending-actions")).to_have_count(0, timeout=LIVE)
    await expect(field.get_by_test_id("assignment-card")).to_have_count(0, timeout=LIVE)

    await expect(status).to_have_attribute("data-status", "resolved", timeout=LIVE)
    await expect(row).to_have_attribute("data-status", "resolved")
    await expect(assignment).to_have_attribute("data-status", "cleared")

    cleared = await _assignment(pg, code)
    assert (cleared["status"], cleared["outcome"]) == ("cleared", "resolved_on_scene")
    assert cleared["notes"] == notes
    assert await _staff_photos(pg, code) == ["attached"]

    await citizen.get_by_test_id("go-my-reports").click()
    await citizen.locator(f'[data-testid="my-report"][data-code="{code}"] a').click()
    await expect(citizen.get_by_test_id("detail-status")).to_have_class(
        re.compile(r"\bbadge-resolved\b"), timeout=LIVE)
    await citizen.go_back()
    await expect(citizen.locator(f'[data-testid="my-report"][data-code="{code}"]')).to_have_attribute(
        "data-status", "resolved")


def _ms(moment: datetime) -> datetime:
    """A time as the phone's clock gives it (whole milliseconds)."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


async def test_field_closes_a_case_offline_and_syncs_it_exactly_once(team, new_context, live_server, pg):
    context, field = await open_field_app(new_context, team.officer)
    async with httpx.AsyncClient(base_url=live_server) as client:
        dispatcher = await login(client, team.dispatcher)
        incident = await create_incident(client, dispatcher)
        await assign_units(client, dispatcher, incident["id"], team.unit_id)
    code = incident["code"]
    await receive_assignment(field, code)
    async with field.expect_response(lambda r: r.url.endswith("/acknowledge")) as answered:
        await tap_step(field, "acknowledge", "acknowledged")
    assert (await answered.value).status == 200
    # Offline only once the phone has read the acknowledged assignment back. The app learns of an answer only
    # by reading the assignments again; until then the card shows the status read before the tap, and a read
    # cut off by the lost signal would leave it there (the officer would be offered "Confirmar" again).
    await expect(field.locator('[data-testid="assignment-card"][data-status="acknowledged"]'
                               ':not(:has([data-testid="card-pending"]))')).to_be_visible()

    sent: list[str] = []

    def record(response: Response) -> None:
        action = response.url.rsplit("/", 1)[-1]
        if "/api/v1/field/assignments/" in response.url and action in STEP_ACTIONS and response.ok:
            sent.append(action)

    field.on("response", record)
    await context.set_offline(True)
    went_offline = _ms(datetime.now(UTC))
    await tap_step(field, "en_route", "en_route")
    await tap_step(field, "on_scene", "on_scene")
    await close_case(field, notes="Cerrado sin señal.")
    pending = field.get_by_test_id("pending-action")
    await expect(pending).to_have_count(3)
    queued = [await p.get_attribute("data-action") for p in await pending.all()]
    assert queued == ["en_route", "on_scene", "clear"]
    await expect(field.get_by_test_id("assignment-card")).to_have_attribute("data-status", "cleared")
    await expect(field.get_by_test_id("card-pending")).to_be_visible()

    waiting = await _assignment(pg, code)
    assert (waiting["status"], waiting["en_route_at"], waiting["on_scene_at"]) == ("acknowledged", None, None)
    assert await _unit_steps(pg, code) == ["unit_acknowledged"]
    assert await _staff_photos(pg, code) == []

    back_online = datetime.now(UTC)
    await context.set_offline(False)
    await expect(field.get_by_test_id("pending-actions")).to_have_count(0, timeout=30_000)
    await expect(field.get_by_test_id("assignment-card")).to_have_count(0, timeout=LIVE)

    assert sent == ["en_route", "on_scene", "clear"]
    done = await _assignment(pg, code)
    assert await pg.fetchval("SELECT count(*) FROM assignment WHERE incident = $1", incident["id"]) == 1
    assert (done["status"], done["outcome"]) == ("cleared", "resolved_on_scene")
    steps = ["unit_acknowledged", "unit_en_route", "unit_on_scene", "unit_cleared"]
    assert await _unit_steps(pg, code) == steps  # each once, in the order of the taps
    # The times of the taps on the phone, not of the sync.
    assert went_offline <= done["en_route_at"] <= done["on_scene_at"] <= done["cleared_at"] < back_online
    assert await _staff_photos(pg, code) == ["attached"]


async def test_p1_report_is_auto_dispatched_to_the_field(team, new_context, phone, pg):
    _, field = await open_field_app(new_context, team.officer)
    citizen = await open_citizen_app(phone)

    code = await file_citizen_report(citizen, category="robbery_assault",
                                     description=f"Asaltan a una señora en la esquina {uuid.uuid4().hex[:6]}")

    await receive_assignment(field, code)
    await expect(field.get_by_test_id("assignment-card")).to_have_class(re.compile(r"\bprio-1\b"))
    assert (await _assignment(pg, code))["assigned_by"] is None  # the system, not a dispatcher
    # Acknowledged, so that the P1 timer does not hand it to another unit after the test.
    async with field.expect_response(lambda r: r.url.endswith("/acknowledge")) as answered:
        await tap_step(field, "acknowledge", "acknowledged")
    assert (await answered.value).status == 200
