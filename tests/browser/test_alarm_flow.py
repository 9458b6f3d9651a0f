"""A shop's POS terminal raises a silent alarm: the partner and the terminal are registered with the real CLI,
the alarm is a signed POST, and the dispatcher's console shows a silent P1 at the shop, already assigned to
the nearest available unit, without anyone touching it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
import msgspec
from playwright.async_api import expect
from sereno.alarms import signing

from tests.browser.conftest import GPS
from tests.browser.test_dispatch_flow import LIVE, new_context, open_console  # noqa: F401 - fixture
from tests.support.builders import TEST_CITY
from tests.support.staff import create_staff, create_unit

SHOP = {"lat": round(GPS["latitude"] + 0.0004, 6), "lon": round(GPS["longitude"] - 0.0004, 6)}


def sereno(browser_db: str, *args: str) -> str:
    """``sereno ...`` as an administrator runs it, against the live server's database."""
    done = subprocess.run([sys.executable, "-m", "sereno", *args], env={**os.environ, "DATABASE_URL": browser_db},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_a_pos_panic_appears_on_the_console_as_a_silent_p1_and_is_auto_assigned(
    new_context, live_server, browser_db, pg: asyncpg.Connection  # noqa: F811 - fixture
):
    tenant_id = await pg.fetchval("SELECT id FROM tenant WHERE slug = $1", TEST_CITY["slug"])
    dispatcher = await create_staff(pg, tenant_id=tenant_id, role="dispatcher")
    unit_id = await create_unit(pg, tenant_id=tenant_id, position=SHOP)
    call_sign = await pg.fetchval("SELECT call_sign FROM unit WHERE id = $1", unit_id)
    created = sereno(browser_db, "alarms", "partner", "create", "--tenant", TEST_CITY["slug"],
                     "--name", "Procesadora de Pagos", "--kind", "alarm")
    partner_id = int(re.search(r"^partner (\d+)", created, re.MULTILINE).group(1))
    key = created.strip().splitlines()[-1]
    device_id = f"POS-{uuid.uuid4().hex[:6]}"
    sereno(browser_db, "alarms", "device", "add", "--partner", str(partner_id), "--device-id", device_id,
           "--name", "Bodega Doña Rosa", "--lat", str(SHOP["lat"]), "--lon", str(SHOP["lon"]),
           "--phone", "+51 944 123 456", "--heartbeat-s", "3600")
    console = await open_console(new_context, dispatcher)

    body = msgspec.json.encode({"partner_id": partner_id, "device_id": device_id, "event_id": uuid.uuid4().hex,
                                "event_type": "panic", "device_time": datetime.now(UTC).isoformat()})
    headers = signing.signed_headers(partner_id=partner_id, key=key, timestamp=int(time.time()), body=body)
    async with httpx.AsyncClient(base_url=live_server) as client:
        answer = await client.post("/api/v1/alarms", content=body,
                                   headers={**headers, "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"event_id", "received_at"}

    row = console.locator('[data-testid="queue-item"][data-silent="true"]')
    await expect(row).to_have_count(1, timeout=LIVE)
    await expect(row).to_have_attribute("data-priority", "1")
    await expect(row.get_by_test_id("silent-badge")).to_be_visible()
    await expect(row).to_contain_text(call_sign, timeout=LIVE)  # the nearest unit, assigned by the system
    code = await row.get_attribute("data-code")
    assignment = await pg.fetchrow("SELECT a.unit, a.assigned_by FROM assignment a JOIN incident i ON "
                                   "i.id = a.incident WHERE i.code = $1", code)
    assert (assignment["unit"], assignment["assigned_by"]) == (unit_id, None)

    await row.click()
    await expect(console.get_by_test_id("detail-code")).to_have_text(code)
    await expect(console.get_by_test_id("detail-silent")).to_be_visible()
    # Off duty afterwards, so no later test's P1 goes to this unit.
    await pg.execute("UPDATE assignment SET status = 'cancelled', ended_at = now() WHERE unit = $1", unit_id)
    await pg.execute("UPDATE unit SET status = 'off_duty' WHERE id = $1", unit_id)
