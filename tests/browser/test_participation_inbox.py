"""The municipality's participation inbox in the console, on a laptop-sized headless Chromium against the real
server: a clerk lands on their department's queue (another department's requests are not there, the overdue one
is flagged in words), works a request from "Atender" to the answer the citizen then reads through the API,
sees the citizen's photo and opens it full size, transfers one out of the queue, and is told plainly when someone else changed a request first; a supervisor
sees every department and new requests arrive live; an admin changes a department's deadline and staff. No
accessibility findings (axe-core) on the inbox with a request open, nor on the departments panel."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.console import TILES, laptop_context, sign_in
from tests.browser.media import wait_for_renditions
from tests.support.builders import INSIDE, TEST_CITY, jpeg_bytes
from tests.support.staff import PASSWORD, StaffMember, create_staff
from tests.support.uploads import upload_photo

DESKTOP = {"width": 1280, "height": 800}
LIVE = 15_000  # ms: one event through the outbox worker and the console's WebSocket
REQUESTS = "/api/v1/participation/requests"


@dataclass(frozen=True)
class Desks:
    tenant_id: int
    lighting_clerk: StaffMember  # works public lighting only
    spare_clerk: StaffMember  # in no department yet (the admin adds them)
    supervisor: StaffMember
    admin: StaffMember


@pytest.fixture(scope="module")
async def desks(browser_db: str, live_server: str) -> Desks:
    conn = await asyncpg.connect(browser_db)
    try:
        tenant_id = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
        lighting = await create_staff(conn, tenant_id=tenant_id, role="clerk", full_name="Lucía Alumbrado")
        await conn.execute(
            "INSERT INTO department_member (department, account) "
            "SELECT id, $2 FROM department WHERE tenant = $1 AND code = 'public_lighting'",
            tenant_id,
            lighting.id,
        )
        return Desks(
            tenant_id=tenant_id,
            lighting_clerk=lighting,
            spare_clerk=await create_staff(
                conn, tenant_id=tenant_id, role="clerk", full_name="Pedro Parques"
            ),
            supervisor=await create_staff(conn, tenant_id=tenant_id, role="supervisor"),
            admin=await create_staff(conn, tenant_id=tenant_id, role="admin"),
        )
    finally:
        await conn.close()


def _file(base: str, **overrides: Any) -> dict:
    """A citizen's request through the public API, as the citizen app sends it: {code, tracking_token, ...}."""
    body = {
        "kind": "complaint",
        "topic": "street_light_out",
        "description": f"El poste frente al colegio está apagado ({uuid.uuid4().hex[:6]}).",
        "location": {**INSIDE, "accuracy_m": 8},
        "address": "Jr. Pizarro 512",
        "contact": {"name": "Rosa Quispe", "phone": "949000111", "email": ""},
    }
    body.update(overrides)
    response = httpx.post(f"{base}{REQUESTS}", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()


def _citizen_view(base: str, filed: dict) -> dict:
    response = httpx.get(
        f"{base}{REQUESTS}/{filed['code']}", headers={"X-Tracking-Token": filed["tracking_token"]}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _as_staff(base: str, member: StaffMember, method: str, path: str) -> Any:
    """One staff API call behind the browser's back (another desk), with a login of its own."""
    login = httpx.post(f"{base}/api/v1/auth/login", json={"username": member.username, "password": PASSWORD})
    login.raise_for_status()
    token = login.json()["access_token"]
    response = httpx.request(method, f"{base}{path}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


async def _make_overdue(pg: asyncpg.Connection, code: str) -> None:
    await pg.execute(
        "UPDATE participation_request SET received_at = now() - interval '4 days', "
        "due_at = now() - interval '1 day' WHERE code = $1",
        code,
    )


@pytest.fixture
async def laptop(browser: Browser, live_server: str) -> AsyncIterator[BrowserContext]:
    async with laptop_context(browser, live_server) as context:
        yield context


async def _inbox(context: BrowserContext, member: StaffMember, path: str = "/console/") -> Page:
    page = await sign_in(context, member, path)
    await expect(page.get_by_test_id("participation")).to_have_attribute("data-state", "ready")
    return page


def _row(page: Page, code: str):
    return page.locator(f'[data-testid="pa-item"][data-code="{code}"]')


async def _open(page: Page, code: str) -> None:
    await _row(page, code).click()
    await expect(page.get_by_test_id("pa-detail-code")).to_have_text(code)


async def test_a_clerk_answers_a_request_of_their_department_and_the_citizen_reads_the_answer(
    desks, laptop, live_server, pg
):
    late = _file(live_server)
    fresh = _file(live_server, kind="suggestion", contact=None)
    waste = _file(live_server, topic="rubbish_not_collected", description="Basura acumulada en la esquina.")
    await _make_overdue(pg, late["code"])
    sockets: list[str] = []
    failures: list[str] = []
    laptop.on("websocket", lambda ws: sockets.append(ws.url))
    laptop.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page = await _inbox(laptop, desks.lighting_clerk)
    # A clerk's console is the inbox: no incident queue, map or live indicator, and no socket the server refuses.
    await expect(page.locator("#console")).to_be_hidden()
    await expect(page.get_by_test_id("live-indicator")).to_be_hidden()
    await expect(page.get_by_test_id("view-participation")).to_have_attribute("aria-pressed", "true")
    await expect(page.get_by_test_id("view-operations")).to_be_hidden()
    await expect(page.locator("#pa-department option")).to_have_text(["Todas mis áreas", "Alumbrado público"])

    overdue = _row(page, late["code"])
    await expect(overdue).to_have_attribute("data-overdue", "true")
    await expect(overdue.get_by_test_id("pa-overdue-flag")).to_have_text("⚠ Vencida")
    await expect(overdue.get_by_test_id("pa-hours-left")).to_have_text("vencida hace 24 h")
    await expect(_row(page, fresh["code"])).to_have_attribute("data-overdue", "false")
    await expect(_row(page, fresh["code"]).get_by_test_id("pa-hours-left")).to_contain_text("quedan")
    await expect(_row(page, waste["code"])).to_have_count(0)  # solid waste is another department's queue
    codes = await page.get_by_test_id("pa-item").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes.index(late["code"]) < codes.index(fresh["code"])  # soonest deadline first
    count = page.locator('[data-testid="pa-count"][data-department="public_lighting"]')
    assert int(await count.get_attribute("data-overdue")) >= 1

    await page.get_by_test_id("pa-overdue").check()
    await expect(page.get_by_test_id("participation")).to_have_attribute(
        "data-query", "status=open&overdue=true"
    )
    await expect(_row(page, fresh["code"])).to_have_count(0)
    await page.get_by_test_id("pa-overdue").uncheck()

    await _open(page, late["code"])
    await expect(page.get_by_test_id("pa-detail-overdue")).to_be_visible()
    await expect(page.get_by_test_id("pa-contact")).to_contain_text("Rosa Quispe")
    await expect(page.get_by_test_id("pa-map").locator(".pick-pin")).to_have_count(1)
    await page.get_by_test_id("pa-start").click()
    await expect(page.get_by_test_id("pa-detail-status")).to_have_attribute("data-status", "in_progress")
    await page.get_by_test_id("pa-note-text").fill("Coordinar con Hidrandina el cambio de luminaria.")
    await page.get_by_test_id("pa-note-submit").click()
    note = page.get_by_test_id("pa-trail").locator('li[data-kind="note"]')
    await expect(note).to_have_attribute("data-public", "false")
    await expect(note).to_contain_text("Interno")

    answer = "Cambiamos la luminaria el martes. Gracias por avisar."
    await page.get_by_test_id("pa-answer").click()
    await page.get_by_test_id("pa-answer-text").fill(answer)
    await page.get_by_test_id("pa-answer-submit").click()
    await expect(page.get_by_test_id("pa-detail-status")).to_have_attribute("data-status", "answered")
    await expect(page.get_by_test_id("pa-detail-answer")).to_have_text(answer)
    await expect(_row(page, late["code"])).to_have_count(0)  # no longer open

    mine = _citizen_view(live_server, late)
    assert mine["status"] == "answered" and mine["answer"] == answer
    assert "Hidrandina" not in json.dumps(mine)  # the internal note stays inside
    assert not sockets, sockets
    assert not failures, failures


async def test_a_clerk_sees_the_citizens_photo_and_opens_it_full_size(desks, laptop, live_server):
    async with httpx.AsyncClient(base_url=live_server) as citizen:
        photo_id = await upload_photo(citizen, jpeg_bytes((1200, 900)))
    filed = _file(live_server, photo_ids=[photo_id])
    page = await _inbox(laptop, desks.lighting_clerk)
    await wait_for_renditions(page, tenant_id=desks.tenant_id, photo_id=photo_id)
    await _open(page, filed["code"])

    thumb = page.get_by_test_id("pa-photos").locator("img")
    await expect(thumb).to_have_count(1)
    await expect(thumb).to_have_attribute("src", f"/media/renditions/{desks.tenant_id}/{photo_id}/thumb.jpg")
    await expect(thumb).to_have_attribute("alt", "Foto 1 de 1 (abrir en tamaño completo)")
    await page.get_by_test_id("pa-photos").get_by_role("button").click()
    viewer = page.locator("#photo-viewer")
    await expect(viewer).to_be_visible()
    await expect(viewer.locator("img")).to_have_attribute(
        "src", f"/media/renditions/{desks.tenant_id}/{photo_id}/display.jpg"
    )
    assert await viewer.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    await assert_accessible(page, "request with a photo, full size", best_practice=True)


async def test_a_transfer_moves_the_request_out_of_the_clerks_queue(desks, laptop, live_server, pg):
    filed = _file(
        live_server, description="El parque de la urbanización está a oscuras (¿alumbrado o parques?)."
    )
    page = await _inbox(laptop, desks.lighting_clerk)
    await _open(page, filed["code"])
    await page.get_by_test_id("pa-transfer").click()
    await page.get_by_test_id("pa-transfer-department").select_option("parks")
    await page.get_by_test_id("pa-transfer-text").fill("Las luminarias del parque las ve Parques y Jardines.")
    await page.get_by_test_id("pa-transfer-submit").click()

    await expect(_row(page, filed["code"])).to_have_count(0)
    await expect(page.get_by_test_id("pa-detail-notice")).to_contain_text("Ya no está en su bandeja.")
    await expect(page.get_by_test_id("pa-answer")).to_have_count(0)  # nothing left to do here
    department = await pg.fetchval(
        "SELECT d.code FROM participation_request r JOIN department d ON d.id = r.department WHERE r.code = $1",
        filed["code"],
    )
    assert department == "parks"


async def test_someone_elses_change_first_is_refused_and_said_plainly(desks, laptop, live_server):
    filed = _file(live_server)
    page = await _inbox(laptop, desks.lighting_clerk)
    await _open(page, filed["code"])
    await page.get_by_test_id("pa-answer").click()
    await page.get_by_test_id("pa-answer-text").fill("Lo revisamos esta semana.")

    # Meanwhile a supervisor starts it: the version the clerk's form carries is no longer current.
    request_id = await _row(page, filed["code"]).get_attribute("data-id")
    _as_staff(live_server, desks.supervisor, "POST", f"/api/v1/participation/inbox/{request_id}/start")

    await page.get_by_test_id("pa-answer-submit").click()
    notice = page.get_by_test_id("pa-detail-notice")
    await expect(notice).to_contain_text("Otra persona modificó esta solicitud")  # the server's words
    await expect(notice).to_contain_text("Se recargó: así está ahora.")
    await expect(page.get_by_test_id("pa-detail-status")).to_have_attribute("data-status", "in_progress")
    assert _citizen_view(live_server, filed)["answer"] is None


async def test_a_supervisor_sees_every_department_and_new_requests_arrive_live(desks, browser, live_server):
    context = await browser.new_context(base_url=live_server, viewport=DESKTOP, locale="es-PE")
    for pattern in TILES:
        await context.route(pattern, lambda route: route.abort())
    try:
        waste = _file(live_server, topic="rubbish_not_collected", description="No pasó el camión recolector.")
        page = await sign_in(context, desks.supervisor)
        await expect(page.get_by_test_id("live-indicator")).to_have_attribute(
            "data-state", "live", timeout=LIVE
        )
        await page.get_by_test_id("view-participation").click()
        await expect(page.get_by_test_id("participation")).to_have_attribute("data-state", "ready")
        await expect(page).to_have_url(f"{live_server}/console/#participacion")
        await expect(_row(page, waste["code"])).to_have_attribute("data-department", "solid_waste")

        question = _file(
            live_server,
            kind="question",
            topic="municipal_question",
            location=None,
            address="",
            description="¿Qué necesito para una licencia de funcionamiento?",
        )
        await expect(_row(page, question["code"])).to_have_attribute(
            "data-department", "citizen_services", timeout=LIVE
        )  # by the live message
        # Supervisors may reopen an answered request.
        await _open(page, question["code"])
        await page.get_by_test_id("pa-answer").click()
        await page.get_by_test_id("pa-answer-text").fill("Requisitos en la web municipal, sección Licencias.")
        await page.get_by_test_id("pa-answer-submit").click()
        await expect(page.get_by_test_id("pa-detail-status")).to_have_attribute("data-status", "answered")
        await page.get_by_test_id("pa-reopen").click()
        await expect(page.get_by_test_id("pa-detail-status")).to_have_attribute("data-status", "in_progress")

        # In English, topic and department names come from the server in English too.
        await page.get_by_test_id("lang-en").click()
        await expect(page.get_by_test_id("pa-detail-status")).to_have_text("In progress")
        await expect(_row(page, question["code"]).locator(".kind-badge")).to_have_text("Question")
        await expect(_row(page, question["code"]).locator(".pa-dept")).to_have_text("Citizen services")
        await expect(page.locator("#pa-title")).to_have_text("Citizen participation")
    finally:
        await context.close()


async def test_an_admin_changes_a_departments_deadline_and_staff(desks, laptop, live_server):
    page = await _inbox(laptop, desks.admin, "/console/#participacion")
    await page.get_by_test_id("pa-show-departments").click()
    panel = page.get_by_test_id("pa-departments")
    await expect(panel).to_have_attribute("data-state", "ready")
    works = panel.locator('[data-testid="pa-dep"][data-code="public_works"]')
    await works.get_by_test_id("pa-dep-hours").fill("200")
    await works.get_by_test_id("pa-dep-save-hours").click()
    await expect(page.get_by_test_id("pa-dep-status")).to_have_text(
        "Obras públicas (pistas y veredas): plazo de 200 h guardado."
    )

    parks = panel.locator('[data-testid="pa-dep"][data-code="parks"]')
    await parks.get_by_test_id("pa-dep-members-summary").click()
    await parks.get_by_label("Pedro Parques").check()
    await parks.get_by_test_id("pa-dep-save-members").click()
    await expect(parks.get_by_test_id("pa-dep-members-summary")).to_contain_text("Pedro Parques")

    listed = {
        d["code"]: d for d in _as_staff(live_server, desks.admin, "GET", "/api/v1/participation/departments")
    }
    assert listed["public_works"]["answer_within_h"] == 200
    assert desks.spare_clerk.id in listed["parks"]["members"]


async def test_the_inbox_and_the_departments_panel_have_no_accessibility_violations(
    desks, browser, live_server, pg
):
    context = await browser.new_context(base_url=live_server, viewport=DESKTOP, locale="es-PE")
    for pattern in TILES:
        await context.route(pattern, lambda route: route.abort())
    try:
        late = _file(live_server)
        await _make_overdue(pg, late["code"])
        page = await _inbox(context, desks.lighting_clerk)
        await _open(page, late["code"])
        await page.get_by_test_id("pa-note-text").fill("Revisar el tablero eléctrico.")
        await page.get_by_test_id("pa-note-submit").click()
        await expect(page.get_by_test_id("pa-trail").locator('li[data-kind="note"]')).to_have_count(1)
        await page.get_by_test_id("pa-transfer").click()  # and an open form
        await assert_accessible(page, "inbox with a request and a form open", best_practice=True)

        admin = await _inbox(context, desks.admin, "/console/#participacion")
        await admin.get_by_test_id("pa-show-departments").click()
        await expect(admin.get_by_test_id("pa-departments")).to_have_attribute("data-state", "ready")
        await (
            admin.locator('[data-testid="pa-dep"][data-code="parks"]')
            .get_by_test_id("pa-dep-members-summary")
            .click()
        )
        await assert_accessible(admin, "departments panel", best_practice=True)
    finally:
        await context.close()


async def test_a_long_queue_comes_in_pages_and_is_worked_from_the_keyboard(desks, laptop, live_server, pg):
    clerk = await create_staff(pg, tenant_id=desks.tenant_id, role="clerk", full_name="Fernando Fiscaliza")
    await pg.execute(
        "INSERT INTO department_member (department, account) "
        "SELECT id, $2 FROM department WHERE tenant = $1 AND code = 'enforcement'",
        desks.tenant_id,
        clerk.id,
    )
    codes = [
        _file(live_server, topic="noise_premises", description=f"Discoteca con música alta, aviso {n}.")[
            "code"
        ]
        for n in range(55)
    ]
    # Due last of all, so that the other tests' (shorter) queues never reach these.
    await pg.execute(
        "UPDATE participation_request SET due_at = now() + interval '60 days' WHERE code = ANY($1)", codes
    )

    others = await pg.fetchval(
        "SELECT count(*) FROM participation_request r JOIN department d ON d.id = r.department "
        "WHERE d.code = 'enforcement' AND r.status IN ('received', 'in_progress') AND r.code <> ALL($1)",
        codes,
    )  # enforcement requests filed by other tests, if any: due sooner, so listed first

    page = await _inbox(laptop, clerk)
    rows = page.get_by_test_id("pa-item")
    await expect(rows).to_have_count(50)
    await expect(page.get_by_test_id("pa-list-summary")).to_contain_text("hay más")
    await page.get_by_test_id("pa-more").click()
    await expect(rows).to_have_count(others + 55)
    await expect(page.get_by_test_id("pa-more")).to_be_hidden()
    listed = await rows.evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert listed[others:] == codes
    await expect(rows.nth(50)).to_be_focused()  # the first of the new rows

    await page.keyboard.press("ArrowDown")
    await expect(rows.nth(51)).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("pa-detail-code")).to_have_text(listed[51])
    await expect(page.get_by_test_id("pa-detail-code")).to_be_focused()
