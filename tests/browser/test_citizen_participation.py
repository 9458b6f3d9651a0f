"""A citizen writes to the municipality (a complaint, a suggestion, a question) from a phone-sized headless
Chromium: online with a map point or a photo, offline with a photo, refused by the server; a clerk answers and
the citizen reads the answer (and sees their photo) in "Mis reportes"."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import asyncpg
import httpx
from playwright.async_api import Page, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.citizen import open_citizen_app
from tests.browser.conftest import GPS
from tests.browser.media import phone_photo, wait_for_renditions
from tests.support.builders import TEST_CITY
from tests.support.staff import create_staff, login

CODE = re.compile(r"^TST-PC-\d{4}-\d+$")
PLACE_NEEDED_ES = "Indique dónde: marque el lugar en el mapa o escriba una dirección o referencia."


async def _tenant_id(pg: asyncpg.Connection) -> int:
    return await pg.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])


async def _write(page: Page, *, kind: str, topic: str, description: str) -> None:
    """From the home screen to a filled form (the place and the contact left to the test)."""
    await page.get_by_test_id("start-participation").click()
    await expect(page.locator("h1")).to_have_text("Sugerencias y reclamos")
    await page.get_by_test_id(f"participation-kind-{kind}").check()
    await page.get_by_test_id("participation-topic").select_option(topic)
    await page.get_by_test_id("participation-description").fill(description)


async def _add_photo(page: Page, path: str) -> None:
    await page.get_by_test_id("photo-input").set_input_files(path)
    await expect(page.get_by_test_id("photo-thumb")).to_have_count(1)
    await expect(page.get_by_test_id("remove-photo")).to_be_enabled()  # compressed on the phone


async def _photos(pg: asyncpg.Connection, description: str) -> list[asyncpg.Record]:
    return await pg.fetch(
        """SELECT a.id::text AS id, a.status, a.content_type, a.width, a.height, a.incident FROM attachment a
           JOIN participation_request r ON r.id = a.participation_request WHERE r.description = $1""",
        description,
    )


async def _count(pg: asyncpg.Connection, description: str) -> int:
    return await pg.fetchval("SELECT count(*) FROM participation_request WHERE description = $1", description)


async def _answer_as_clerk(pg: asyncpg.Connection, live_server: str, code: str, text: str) -> None:
    """A clerk of the request's department answers it through the staff API."""
    tenant_id = await _tenant_id(pg)
    request_id, department = await pg.fetchrow(
        "SELECT id, department FROM participation_request WHERE code = $1", code
    )
    clerk = await create_staff(pg, tenant_id=tenant_id, role="clerk")
    await pg.execute(
        "INSERT INTO department_member (department, account) VALUES ($1, $2)", department, clerk.id
    )
    async with httpx.AsyncClient(base_url=live_server) as client:
        session = await login(client, clerk)
        response = await client.post(
            f"/api/v1/participation/inbox/{request_id}/answer", json={"text": text}, headers=session.headers
        )
    assert response.status_code == 200, response.text


async def _open_my_reports(page: Page) -> None:
    """Home, then "Mis reportes", as the citizen would; waits until the server was asked for news."""
    await page.get_by_role("link", name="(inicio)").click()
    await page.get_by_role("link", name="Mis reportes", exact=True).click()
    await expect(page.locator("h1")).to_have_text("Mis reportes")  # not the home screen's list any more
    await expect(page.locator("#my-reports-list")).to_have_attribute("data-state", "ready")


async def test_complaint_with_a_map_point_reaches_its_department_and_the_answer_reaches_my_reports(
    phone, pg, live_server
):
    page = await open_citizen_app(phone)
    description = f"El poste frente al colegio está apagado {uuid.uuid4().hex[:6]}"
    await _write(page, kind="complaint", topic="street_light_out", description=description)
    # A street light has a place: the map opens and the pin goes to the phone's position.
    await expect(page.get_by_test_id("place-hint")).to_contain_text("Este tema necesita el lugar")
    await expect(page.get_by_test_id("coords")).to_contain_text("-8.1")
    await page.get_by_test_id("send-request").click()

    code_el = page.get_by_test_id("request-code")
    await expect(code_el).to_have_text(CODE)
    code = await code_el.text_content()
    await expect(page.get_by_test_id("request-due")).to_contain_text("Respuesta hasta el")
    row = await pg.fetchrow(
        """SELECT r.kind, t.code AS topic, d.code AS department, r.due_at - r.received_at AS window,
                  ST_Distance(r.location, ST_GeogFromText($2)) AS off_by_m
           FROM participation_request r JOIN participation_topic t ON t.id = r.topic
                JOIN department d ON d.id = r.department
           WHERE r.code = $1""",
        code, f"SRID=4326;POINT({GPS['longitude']} {GPS['latitude']})",
    )  # fmt: skip
    assert (row["kind"], row["topic"]) == ("complaint", "street_light_out")
    assert row["department"] == "public_lighting"
    assert row["window"] == timedelta(hours=72) and row["off_by_m"] < 5
    assert await pg.fetchval("SELECT count(*) FROM incident WHERE description = $1", description) == 0

    await page.get_by_test_id("go-my-reports").click()
    mine = page.locator(f'[data-testid="my-request"][data-code="{code}"]')
    await expect(mine.get_by_test_id("request-status")).to_have_text("Recibida")
    await expect(mine.get_by_test_id("request-department")).to_have_text("Lo atiende: Alumbrado público")
    await expect(mine.get_by_test_id("request-due")).to_contain_text("Respuesta hasta el")
    await expect(mine.get_by_test_id("request-answer")).to_have_count(0)

    answer = "Cambiamos la lámpara del poste el martes. Gracias por avisar."
    await _answer_as_clerk(pg, live_server, code, answer)

    await _open_my_reports(page)
    await expect(mine.get_by_test_id("request-status")).to_have_text("Respondida")
    await expect(mine.get_by_test_id("request-answer")).to_contain_text("Respuesta de la municipalidad")
    await expect(mine.get_by_test_id("request-answer")).to_contain_text(answer)

    await mine.get_by_role("link").click()
    await expect(page.get_by_test_id("detail-code")).to_have_text(code)
    await expect(page.get_by_test_id("request-answer")).to_contain_text(answer)
    await expect(page.get_by_test_id("timeline")).to_contain_text("La municipalidad respondió")


async def test_request_written_offline_is_sent_exactly_once_with_its_photo_when_the_signal_returns(
    phone, pg, tmp_path
):
    page = await open_citizen_app(phone)
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()  # now the service worker controls the page
    await expect(page.get_by_test_id("start-participation")).to_be_visible()

    await phone.set_offline(True)
    description = f"Propongo patrullaje a pie en el parque por las noches {uuid.uuid4().hex[:6]}"
    await _write(page, kind="suggestion", topic="safety_proposal", description=description)
    await _add_photo(page, phone_photo(tmp_path))  # compressed on the phone without a signal
    await page.get_by_test_id("send-request").click()
    await expect(page.get_by_test_id("request-queued")).to_be_visible()
    await page.get_by_test_id("go-my-reports").click()
    pending = page.locator('[data-testid="my-request"][data-status="pending"]')
    await expect(pending).to_contain_text("Sugerencia · Propuesta de seguridad")
    await expect(pending.get_by_test_id("pending-badge")).to_be_visible()
    assert await _count(pg, description) == 0

    await phone.set_offline(False)
    await expect(pending).to_have_count(0, timeout=30_000)
    sent = page.locator('[data-testid="my-request"][data-code^="TST-PC-"]')
    await expect(sent).to_have_count(1)
    await expect(sent.get_by_test_id("request-department")).to_contain_text("Seguridad ciudadana")
    assert await _count(pg, description) == 1
    photos = await _photos(pg, description)
    assert [(p["status"], p["content_type"], p["incident"]) for p in photos] == [
        ("attached", "image/jpeg", None)
    ]


async def test_complaint_with_a_photo_shows_its_thumbnail_in_my_reports(phone, pg, tmp_path):
    page = await open_citizen_app(phone)
    description = f"Basura acumulada en la esquina del mercado {uuid.uuid4().hex[:6]}"
    await _write(page, kind="complaint", topic="rubbish_not_collected", description=description)
    await expect(page.get_by_test_id("participation-photos")).to_contain_text("Hasta 3 fotos")
    await _add_photo(page, phone_photo(tmp_path))
    await expect(page.get_by_test_id("photo-count")).to_have_text("1 de 3 fotos")
    await expect(page.get_by_test_id("coords")).to_contain_text("-8.1")
    await page.get_by_test_id("send-request").click()
    code = await page.get_by_test_id("request-code").text_content()
    assert CODE.match(code or ""), code

    [photo] = await _photos(pg, description)
    assert (photo["status"], photo["content_type"], photo["incident"]) == ("attached", "image/jpeg", None)
    assert max(photo["width"], photo["height"]) <= 1600  # 2400 x 1600 shrunk on the phone before upload

    await wait_for_renditions(page, tenant_id=await _tenant_id(pg), photo_id=photo["id"])
    await page.get_by_test_id("go-my-reports").click()
    await page.locator(f'[data-testid="my-request"][data-code="{code}"]').get_by_role("link").click()
    thumb = page.get_by_test_id("request-photos").locator("img")
    await expect(thumb).to_have_count(1)
    await expect(thumb).to_have_attribute(
        "src", re.compile(rf"^/media/renditions/\d+/{photo['id']}/thumb\.jpg$")
    )
    await expect(thumb).to_have_attribute("alt", "Foto 1")
    assert await thumb.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    link = page.get_by_test_id("request-photos").get_by_role("link")
    await expect(link).to_have_attribute(
        "href", re.compile(rf"^/media/renditions/\d+/{photo['id']}/display\.jpg$")
    )
    await assert_accessible(page, "request detail with a photo")


async def test_a_refusal_is_shown_in_spanish_and_nothing_the_citizen_typed_is_lost(phone, pg):
    # A topic the phone loads as needing no place, which the municipality then changes: the server refuses.
    tenant_id = await _tenant_id(pg)
    topic = f"t_{uuid.uuid4().hex[:10]}"
    await pg.execute(
        """INSERT INTO participation_topic
               (tenant, code, department, name_es, name_en, needs_location, icon, sort_order, active)
           SELECT $1, $2, id, 'Tema de prueba', 'Test topic', false, 'other', 999, true
           FROM department WHERE tenant = $1 AND code = 'public_works'""",
        tenant_id, topic,
    )  # fmt: skip
    try:
        page = await open_citizen_app(phone)
        description = f"La vereda de mi cuadra está rota {uuid.uuid4().hex[:6]}"
        await _write(page, kind="question", topic=topic, description=description)
        await expect(page.get_by_test_id("place-hint")).to_contain_text("Opcional")
        await page.get_by_test_id("participation-contact-name").fill("Rosa Quispe")
        await page.get_by_test_id("participation-contact-phone").fill("949 000 111")
        await pg.execute("UPDATE participation_topic SET needs_location = true WHERE code = $1", topic)
        await page.get_by_test_id("send-request").click()

        await expect(page.get_by_test_id("participation-error")).to_have_text(PLACE_NEEDED_ES)
        await expect(page.get_by_test_id("participation-address")).to_be_focused()
        await expect(page.get_by_test_id("place-hint")).to_contain_text("Este tema necesita el lugar")
        await _expect_form(page, topic=topic, description=description)
        assert await _count(pg, description) == 0

        # The refused request also waits in "Mis reportes", with the reason, and reopens as it was written.
        await page.get_by_role("link", name="(inicio)").click()
        refused = page.locator('[data-testid="my-request"][data-status="failed"]')
        await expect(refused).to_contain_text(PLACE_NEEDED_ES)
        await refused.get_by_test_id("fix-report").click()
        await _expect_form(page, topic=topic, description=description)
        await expect(page.get_by_test_id("participation-error")).to_have_text(PLACE_NEEDED_ES)

        await page.get_by_test_id("participation-address").fill("Jr. Pizarro 512, frente al colegio")
        await page.get_by_test_id("send-request").click()
        await expect(page.get_by_test_id("request-code")).to_have_text(CODE)
        stored = await pg.fetchrow(
            """SELECT r.address, c.name, c.phone FROM participation_request r
               JOIN participation_contact c ON c.request = r.id WHERE r.description = $1""",
            description,
        )
        assert tuple(stored) == ("Jr. Pizarro 512, frente al colegio", "Rosa Quispe", "949 000 111")
        assert await _count(pg, description) == 1
        await page.get_by_test_id("go-my-reports").click()
        await expect(page.locator('[data-testid="my-request"][data-code^="TST-PC-"]')).to_have_count(1)
        await expect(page.locator('[data-testid="my-request"][data-status="failed"]')).to_have_count(0)
    finally:
        await pg.execute("UPDATE participation_topic SET active = false WHERE code = $1", topic)


async def _expect_form(page: Page, *, topic: str, description: str) -> None:
    await expect(page.get_by_test_id("participation-kind-question")).to_be_checked()
    await expect(page.get_by_test_id("participation-topic")).to_have_value(topic)
    await expect(page.get_by_test_id("participation-description")).to_have_value(description)
    await expect(page.get_by_test_id("participation-contact-name")).to_have_value("Rosa Quispe")
    await expect(page.get_by_test_id("participation-contact-phone")).to_have_value("949 000 111")


async def test_participation_screens_have_no_accessibility_violations(phone, pg, live_server):
    page = await open_citizen_app(phone)
    await assert_accessible(page, "home")
    await _write(page, kind="complaint", topic="rubbish_not_collected", description="")
    await expect(page.get_by_test_id("coords")).to_contain_text("-8.1")
    await page.get_by_test_id("send-request").click()  # no description: the form says so
    await expect(page.get_by_test_id("participation-error")).to_have_text(
        "Escribe tu reclamo, sugerencia o consulta."
    )
    await expect(page.get_by_test_id("participation-description")).to_be_focused()
    await assert_accessible(page, "form with the map and an error")

    await page.get_by_test_id("participation-description").fill("Tres días sin recojo de basura en mi calle.")
    await page.get_by_test_id("send-request").click()
    code = await page.get_by_test_id("request-code").text_content()
    await assert_accessible(page, "confirmation")

    await _answer_as_clerk(pg, live_server, code, "El camión pasará mañana a primera hora.")
    await _open_my_reports(page)
    await expect(page.get_by_test_id("request-answer")).to_be_visible()
    await assert_accessible(page, "my reports with an answer")
    await page.locator(f'[data-testid="my-request"][data-code="{code}"]').get_by_role("link").click()
    await expect(page.get_by_test_id("timeline")).to_be_visible()
    await assert_accessible(page, "request detail")
