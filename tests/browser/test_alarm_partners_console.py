"""The alarm partners screen of the console, on a laptop-sized (1024 px) headless Chromium against the real
server: an admin registers a partner, sees its first key once (a warning, a copy button; the key signs what the
server expects, and is gone after a reload), rotates to a second key, is told plainly that a third is refused,
revokes the first, registers devices, lists them, deactivates and edits one from the list (by keyboard), and
deactivates the partner; supervisors and dispatchers get no such view. The header stays one row at 1024 px for
the roles with the most buttons, and no raw i18n key (such as the incident panel's "detail.none") is ever on
screen. No accessibility findings (axe-core)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sereno.alarms.signing import fingerprint

from tests.browser.accessibility import assert_accessible
from tests.browser.console import LAPTOP, laptop_context, sign_in
from tests.support.builders import INSIDE, OUTSIDE, TEST_CITY
from tests.support.staff import PASSWORD, StaffMember, create_staff

PARTNERS = "/api/v1/alarms/partners"
# Every string of the console's dictionaries that is on screen, or names a control, as its raw key.
RAW_KEYS = """async () => {
  const keys = Object.keys((await import('/console/i18n/es.js')).default);
  const named = [...document.querySelectorAll('[aria-label], [title], [placeholder]')]
    .map((el) => [el.getAttribute('aria-label'), el.getAttribute('title'), el.getAttribute('placeholder')].join(' '));
  const texts = [document.body.innerText, ...named];
  return keys.filter((key) => texts.some((text) => text.includes(key)));
}"""


@dataclass(frozen=True)
class Staff:
    admin: StaffMember
    supervisor: StaffMember
    dispatcher: StaffMember


@pytest.fixture(scope="module")
async def staff(browser_db: str, live_server: str) -> Staff:
    conn = await asyncpg.connect(browser_db)
    try:
        tenant_id = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
        return Staff(
            admin=await create_staff(conn, tenant_id=tenant_id, role="admin", full_name="Ana Administradora"),
            supervisor=await create_staff(conn, tenant_id=tenant_id, role="supervisor"),
            dispatcher=await create_staff(conn, tenant_id=tenant_id, role="dispatcher"),
        )
    finally:
        await conn.close()


@pytest.fixture
async def laptop(browser: Browser, live_server: str) -> AsyncIterator[BrowserContext]:
    async with laptop_context(browser, live_server, permissions=["clipboard-read", "clipboard-write"]) as context:
        yield context


async def _assert_header_is_one_row(page: Page, screen: str) -> None:
    """A wrapped header is at least two rows of buttons high; every control sits on the same row."""
    header = await page.locator(".topbar").bounding_box()
    logout = await page.get_by_test_id("logout").bounding_box()
    assert header and logout and header["height"] < 1.75 * logout["height"], f"{screen}: {header} vs {logout}"
    tops = await page.locator(".topbar-tools > :not([hidden])").evaluate_all(
        "els => els.map((el) => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; })"
    )
    assert max(tops) - min(tops) < 4, f"{screen}: controls on different rows {tops}"
    assert await page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"], screen


async def _assert_no_raw_keys(page: Page, screen: str) -> None:
    assert await page.evaluate(RAW_KEYS) == [], screen


def _partner(page: Page, name: str):
    return page.locator(f'[data-testid="ap-partner"][data-name="{name}"]')


def _key(card, key_id: int):
    return card.locator(f'[data-testid="ap-key"][data-id="{key_id}"]')


def _device(card, device_id: str):
    return card.locator(f'[data-testid="ap-device"][data-device-id="{device_id}"]')


async def _device_changes(pg, partner_id: int) -> list[dict]:
    rows = await pg.fetch(
        "SELECT data::text AS data FROM audit_entry WHERE subject = $1 AND action = 'alarm_device.change' "
        "ORDER BY id",
        f"partner:{partner_id}",
    )
    return [json.loads(r["data"]) for r in rows]


async def test_an_admin_registers_a_partner_sees_its_key_once_and_rotates_it(staff, laptop, live_server, pg):
    page = await sign_in(laptop, staff.admin)
    # The incident panel's placeholder is drawn in words once the strings are there, never as its key.
    await expect(page.get_by_test_id("detail")).to_have_text("Seleccione un incidente de la cola o del mapa.")
    await _assert_no_raw_keys(page, "operations, just signed in")
    await _assert_header_is_one_row(page, "admin, operations")
    await laptop.set_offline(True)  # "Sin conexión en vivo" is the widest the live indicator gets
    await expect(page.get_by_test_id("live-indicator")).to_have_attribute("data-state", "offline")
    await _assert_header_is_one_row(page, "admin, live link down")
    await laptop.set_offline(False)

    # Icon-only at 1024 px, but named for screen readers and shown on keyboard focus.
    button = page.get_by_role("button", name="Socios de alarma")
    await expect(button).to_have_attribute("data-testid", "view-partners")
    await button.focus()
    await expect(button.locator(".view-label")).to_be_visible()
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("partners")).to_have_attribute("data-state", "ready")
    await expect(page.locator("#ap-title")).to_be_focused()
    await expect(button).to_have_attribute("aria-pressed", "true")
    await _assert_header_is_one_row(page, "admin, partners")

    await page.get_by_test_id("ap-new-submit").click()
    await expect(page.get_by_test_id("ap-new-error")).to_have_text("Escriba el nombre del socio.")
    await expect(page.get_by_test_id("ap-new-name")).to_be_focused()
    await page.get_by_test_id("ap-new-name").fill("Procesadora Niubiz")
    await page.get_by_test_id("ap-new-callback").fill("https://niubiz.example/sereno")
    await page.get_by_test_id("ap-new-callback").press("Enter")

    card = _partner(page, "Procesadora Niubiz")
    secret = card.get_by_test_id("ap-secret")
    await expect(secret).to_be_visible()
    await expect(card.get_by_test_id("ap-secret-title")).to_be_focused()
    await expect(secret).to_contain_text("Esta clave se muestra solo esta vez")
    partner_id = int(await card.get_attribute("data-id"))
    first_key = await card.get_by_test_id("ap-secret-value").input_value()
    first_key_id = int(await secret.get_attribute("data-key-id"))
    # The key on screen is the one the server will verify: its fingerprint is the one listed for the key.
    listed = _key(card, first_key_id)
    await expect(listed.get_by_test_id("ap-key-fingerprint")).to_have_text(fingerprint(first_key)[:16])
    await expect(listed).to_have_attribute("data-valid", "true")
    stored = await pg.fetchrow(
        "SELECT name, callback_url, active FROM alarm_partner WHERE id = $1", partner_id
    )
    assert dict(stored) == {
        "name": "Procesadora Niubiz",
        "callback_url": "https://niubiz.example/sereno",
        "active": True,
    }
    assert (
        await pg.fetchval(
            "SELECT count(*) FROM audit_entry WHERE subject = $1 AND action = 'alarm_partner.create'",
            f"partner:{partner_id}",
        )
        == 1
    )

    await card.get_by_test_id("ap-secret-copy").click()
    await expect(card.get_by_test_id("ap-secret-status")).to_have_text("Clave copiada al portapapeles.")
    assert await page.evaluate("navigator.clipboard.readText()") == first_key
    await assert_accessible(page, "alarm partners, a new key on screen")
    await _assert_no_raw_keys(page, "alarm partners, a new key on screen")

    # Shown once: after a reload (the session and the screen stay) only the fingerprint is left.
    await page.reload()
    await expect(page.get_by_test_id("partners")).to_have_attribute("data-state", "ready")
    await expect(card).to_be_visible()
    await expect(page.get_by_test_id("ap-secret")).to_have_count(0)
    assert first_key not in await page.content()
    await expect(_key(card, first_key_id).get_by_test_id("ap-key-fingerprint")).to_have_text(
        fingerprint(first_key)[:16]
    )

    # Rotation: a second key beside the first, then a third is refused in words, then the first is revoked.
    await card.get_by_test_id("ap-issue-key").click()
    await expect(card.get_by_test_id("ap-secret-title")).to_be_focused()
    second_key = await card.get_by_test_id("ap-secret-value").input_value()
    assert second_key != first_key
    await expect(card.get_by_test_id("ap-key")).to_have_count(2)
    await card.get_by_test_id("ap-secret-dismiss").click()
    await expect(card.get_by_test_id("ap-secret")).to_have_count(0)
    await expect(card.get_by_test_id("ap-partner-title")).to_be_focused()
    assert second_key not in await page.content()

    await card.get_by_test_id("ap-issue-key").click()
    await expect(card.get_by_test_id("ap-partner-notice")).to_have_text(
        "Tiene dos claves válidas, el máximo: revoque una antes de emitir otra."
    )
    await expect(card.get_by_test_id("ap-key")).to_have_count(2)

    first = _key(card, first_key_id)
    await first.get_by_test_id("ap-key-revoke").click()
    await expect(first.get_by_role("group")).to_contain_text("¿Revocar la clave")
    await expect(first.get_by_test_id("ap-key-revoke-cancel")).to_be_focused()
    await page.keyboard.press("Enter")  # "Cancelar": nothing revoked
    await expect(first.get_by_test_id("ap-key-revoke")).to_be_focused()
    assert await pg.fetchval("SELECT revoked_at FROM alarm_partner_key WHERE id = $1", first_key_id) is None
    await first.get_by_test_id("ap-key-revoke").click()
    await first.get_by_test_id("ap-key-revoke-confirm").click()
    await expect(first).to_have_attribute("data-valid", "false")
    await expect(first.get_by_test_id("ap-key-status")).to_have_text("Revocada")
    await expect(first.get_by_test_id("ap-key-revoke")).to_have_count(0)
    await expect(card.get_by_test_id("ap-partner-notice")).to_contain_text("revocada")
    assert (
        await pg.fetchval("SELECT revoked_at FROM alarm_partner_key WHERE id = $1", first_key_id) is not None
    )

    await page.get_by_test_id("lang-en").click()
    await expect(page.locator("#ap-title")).to_have_text("Alarm partners")
    await expect(first.get_by_test_id("ap-key-status")).to_have_text("Revoked")
    await expect(card.get_by_test_id("ap-partner-notice")).to_have_text(
        f"Key {fingerprint(first_key)[:16]} revoked."
    )
    await _assert_no_raw_keys(page, "alarm partners in English")
    await _assert_header_is_one_row(page, "admin, partners, English")
    await assert_accessible(page, "alarm partners after a revocation")


async def test_an_admin_registers_lists_deactivates_and_edits_devices_then_the_partner(staff, laptop, pg):
    page = await sign_in(laptop, staff.admin, "/console/#socios")
    await expect(page.get_by_test_id("partners")).to_have_attribute("data-state", "ready")
    await page.get_by_test_id("ap-new-name").fill("Sensores del Norte")
    await page.get_by_test_id("ap-new-kind").select_option("sensor")
    await page.get_by_test_id("ap-new-submit").click()
    card = _partner(page, "Sensores del Norte")
    await expect(card.get_by_test_id("ap-secret")).to_be_visible()
    partner_id = int(await card.get_attribute("data-id"))

    await card.get_by_test_id("ap-devices-open").click()
    await card.get_by_test_id("ap-device-id").fill("CAM-7")
    await card.get_by_test_id("ap-device-name").fill("Cámara del mercado")
    await card.get_by_test_id("ap-device-coords").fill(f"{OUTSIDE['lat']}, {OUTSIDE['lon']}")
    await card.get_by_test_id("ap-device-submit").click()
    await expect(card.get_by_test_id("ap-device-error")).to_have_text(  # the server's words, naming the point
        f"El punto (latitud {OUTSIDE['lat']}, longitud {OUTSIDE['lon']}) está fuera del área de servicio de "
        f"{TEST_CITY['name']}: el dispositivo debe estar dentro de la ciudad. Revise las coordenadas."
    )
    await expect(card.get_by_test_id("ap-device-name")).to_have_value("Cámara del mercado")  # kept to correct

    await card.get_by_test_id("ap-device-coords").fill(f"{INSIDE['lat']}; {INSIDE['lon']}")
    await card.get_by_test_id("ap-device-heartbeat").fill("15")
    await card.get_by_test_id("ap-device-submit").click()
    await expect(card.get_by_test_id("ap-devices-count")).to_have_attribute("data-count", "1")
    await expect(card.get_by_test_id("ap-partner-notice")).to_have_text("Dispositivo CAM-7 guardado.")
    await expect(card.get_by_test_id("ap-device-id")).to_be_focused()  # the form stays open for the next one
    device = await pg.fetchrow(
        "SELECT name, active, heartbeat_interval_s FROM alarm_device WHERE partner = $1 AND device_id = 'CAM-7'",
        partner_id,
    )
    assert dict(device) == {"name": "Cámara del mercado", "active": True, "heartbeat_interval_s": 900}

    await card.get_by_test_id("ap-device-id").fill("CAM-8")
    await card.get_by_test_id("ap-device-name").fill("Cámara del parque")
    await card.get_by_test_id("ap-device-coords").fill(f"{INSIDE['lat']}, {INSIDE['lon']}")
    await card.get_by_test_id("ap-device-submit").click()
    await expect(card.get_by_test_id("ap-devices-count")).to_have_attribute("data-count", "2")

    # The list, read when first opened (by keyboard): a row per device, in the order of their ids.
    await card.get_by_test_id("ap-devices-list-open").focus()
    await page.keyboard.press("Enter")
    rows = card.get_by_test_id("ap-device")
    await expect(rows).to_have_count(2)
    assert await rows.evaluate_all("rows => rows.map((r) => r.dataset.deviceId)") == ["CAM-7", "CAM-8"]
    cam7, cam8 = _device(card, "CAM-7"), _device(card, "CAM-8")
    await expect(cam7.get_by_test_id("ap-device-row-name")).to_have_text("Cámara del mercado")
    await expect(cam7.get_by_test_id("ap-device-state")).to_have_text("Activo")

    # Deactivate from the list: `active` alone is sent, the keyboard stays on the (now "Reactivar") button.
    toggle = cam7.get_by_test_id("ap-device-toggle")
    await expect(toggle).to_have_accessible_name("Desactivar el dispositivo CAM-7")
    await toggle.focus()
    await page.keyboard.press("Enter")
    await expect(cam7).to_have_attribute("data-active", "false")
    await expect(cam7.get_by_test_id("ap-device-state")).to_have_text("Desactivado")
    await expect(cam7.get_by_test_id("ap-device-toggle")).to_be_focused()
    await expect(cam7.get_by_test_id("ap-device-toggle")).to_have_text("Reactivar")
    await expect(card.get_by_test_id("ap-device-list-status")).to_have_text(
        "Dispositivo CAM-7 desactivado: sus alarmas se rechazan."
    )
    device = await pg.fetchrow(
        "SELECT name, active, heartbeat_interval_s FROM alarm_device WHERE partner = $1 AND device_id = 'CAM-7'",
        partner_id,
    )
    assert dict(device) == {"name": "Cámara del mercado", "active": False, "heartbeat_interval_s": 900}
    assert await _device_changes(pg, partner_id) == [{"device_id": "CAM-7", "active": False}]

    # Edit from the list: the form opens under the row with the keyboard in it; only the name changed is sent.
    await cam8.get_by_test_id("ap-device-edit").focus()
    await page.keyboard.press("Enter")
    name = card.get_by_test_id("ap-device-edit-name")
    await expect(name).to_be_focused()
    await expect(name).to_have_value("Cámara del parque")
    await expect(cam8.get_by_test_id("ap-device-edit")).to_have_attribute("aria-expanded", "true")
    await assert_accessible(page, "alarm partners, a device being edited in the list")
    await name.fill("Cámara del parque Grau")
    await page.keyboard.press("Enter")
    await expect(cam8.get_by_test_id("ap-device-row-name")).to_have_text("Cámara del parque Grau")
    await expect(cam8.get_by_test_id("ap-device-edit")).to_be_focused()
    await expect(card.get_by_test_id("ap-device-form")).to_have_count(0)
    assert (await _device_changes(pg, partner_id))[-1] == {
        "device_id": "CAM-8",
        "name": "Cámara del parque Grau",
    }
    await page.keyboard.press("Enter")  # opened again, then Escape: closed, nothing sent
    await expect(name).to_be_focused()
    await name.fill("Otro nombre")
    await page.keyboard.press("Escape")
    await expect(card.get_by_test_id("ap-device-form")).to_have_count(0)
    await expect(cam8.get_by_test_id("ap-device-edit")).to_be_focused()
    assert len(await _device_changes(pg, partner_id)) == 2

    await card.get_by_test_id("ap-partner-toggle").click()
    await expect(card).to_have_attribute("data-active", "false")
    await expect(card.get_by_test_id("ap-partner-status")).to_have_text("Desactivado")
    await expect(card.get_by_test_id("ap-partner-toggle")).to_be_focused()
    await expect(card.get_by_test_id("ap-partner-toggle")).to_have_text("Reactivar socio")
    assert await pg.fetchval("SELECT active FROM alarm_partner WHERE id = $1", partner_id) is False
    # The card is redrawn, and the device list with it, open as it was.
    await expect(_device(card, "CAM-7")).to_have_attribute("data-active", "false")
    await expect(_device(card, "CAM-8").get_by_test_id("ap-device-row-name")).to_have_text(
        "Cámara del parque Grau"
    )
    await assert_accessible(page, "alarm partners, a device form and the device list open")


@pytest.mark.parametrize("role", ["supervisor", "dispatcher"])
async def test_only_admins_get_the_alarm_partners_view(staff, laptop, live_server, role):
    member = getattr(staff, role)
    page = await sign_in(laptop, member, "/console/#socios")
    await expect(page.locator("#console")).to_be_visible()
    await expect(page.get_by_test_id("view-partners")).to_be_hidden()
    await expect(page.get_by_test_id("partners")).to_be_hidden()
    if role == "supervisor":  # three view buttons and "Nuevo incidente": the widest header there is
        await expect(page.get_by_test_id("view-participation")).to_be_visible()
        await expect(page.get_by_test_id("new-incident")).to_be_visible()
    else:  # operations only: no view switch at all
        await expect(page.locator("#view-switch")).to_be_hidden()
    await _assert_header_is_one_row(page, f"{role}, operations")
    await expect(page.get_by_test_id("detail")).to_have_text("Seleccione un incidente de la cola o del mapa.")
    # The server refuses them too: the button's absence is not the only guard.
    login = httpx.post(
        f"{live_server}/api/v1/auth/login", json={"username": member.username, "password": PASSWORD}
    )
    token = login.json()["access_token"]
    refused = httpx.get(f"{live_server}{PARTNERS}/", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403, refused.text


async def test_the_console_dictionaries_have_the_same_keys_in_spanish_and_english(laptop):
    page = await laptop.new_page()
    await page.goto("/console/")
    missing = await page.evaluate(
        """async () => {
          const es = Object.keys((await import('/console/i18n/es.js')).default);
          const en = Object.keys((await import('/console/i18n/en.js')).default);
          return { onlyEs: es.filter((k) => !en.includes(k)), onlyEn: en.filter((k) => !es.includes(k)),
                   partners: es.filter((k) => k.startsWith('ap.')).length };
        }"""
    )
    assert missing["onlyEs"] == [] and missing["onlyEn"] == [], missing
    assert missing["partners"] > 50  # the partners view's strings are merged in
