"""ASAP-style status callbacks: the partner whose alarm raised an incident is told, by a signed POST to its
URL, when a unit was dispatched, arrived and the incident was resolved; a failed delivery is retried."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import msgspec
import pytest
from sereno.alarms import signing
from sereno.core import db as core_db

from tests.integration.alarms.conftest import NEAR_SHOP, new_partner, new_site
from tests.integration.alarms.test_alarms import incident_of
from tests.support.staff import create_staff, create_unit, field_action, login


class Receiver(http.server.ThreadingHTTPServer):
    """The partner's callback endpoint: records what arrived; fails the first ``fail_first`` requests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail_first = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sereno/status"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.server.fail_first > 0:
            self.server.fail_first -= 1
            self.send_response(503)
        else:
            self.server.received.append((dict(self.headers), body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def verified(key: str, headers: dict[str, str], body: bytes) -> dict:
    """What the partner's endpoint does: check the signature with its key, then read the body."""
    assert signing.signature_matches([key], headers[signing.TIMESTAMP_HEADER], body, headers[signing.SIGNATURE_HEADER])
    return msgspec.json.decode(body)


async def test_the_partner_is_told_dispatched_arrived_and_resolved_by_signed_callbacks(
    app, client, desk, quiet, receiver
):
    processor = await new_partner(app, client, desk.tenant_id, callback_url=receiver.url)
    shop = await new_site(processor)
    async with core_db.connection() as conn:
        officer = await create_staff(conn, tenant_id=desk.tenant_id, role="officer", full_name="Agente Alm")
        await create_unit(conn, tenant_id=desk.tenant_id, position=NEAR_SHOP, members=(officer,))
    session = await login(client, officer)

    await processor.send("panic", shop.device_id, event_id="cb-panic-1")
    await app.state.worker.drain()
    async with core_db.connection() as conn:
        assignment_id = await conn.fetchval("SELECT id FROM assignment WHERE incident = $1",
                                            await incident_of(shop.device_id))
    for action in ("acknowledge", "on_scene"):
        assert (await field_action(client, session, assignment_id, action)).status_code == 200
    cleared = await field_action(client, session, assignment_id, "clear", outcome="resolved_on_scene", notes="ok")
    assert cleared.status_code == 200, cleared.text
    await app.state.worker.drain()

    bodies = [verified(processor.key, headers, body) for headers, body in receiver.received]
    # One each; like any outbox delivery, not necessarily in order (several workers deliver).
    assert sorted(b["status"] for b in bodies) == ["dispatched", "on_scene", "resolved"]
    assert {b["partner_id"] for b in bodies} == {processor.partner_id}
    assert all(b["event_ids"] == ["cb-panic-1"] and b["device_id"] == shop.device_id for b in bodies)
    assert all(h[signing.PARTNER_HEADER] == str(processor.partner_id) for h, _ in receiver.received)


async def test_a_failed_callback_is_retried_and_sent_once(app, client, desk, quiet, receiver):
    processor = await new_partner(app, client, desk.tenant_id, callback_url=receiver.url)
    shop = await new_site(processor)
    async with core_db.connection() as conn:
        await create_unit(conn, tenant_id=desk.tenant_id, position=NEAR_SHOP)
    receiver.fail_first = 1

    await processor.send("panic", shop.device_id)
    await app.state.worker.drain()
    assert receiver.received == []
    async with core_db.connection() as conn:  # the back-off has passed
        await conn.execute("UPDATE outbox_event SET available_at = now() "
                           "WHERE topic = 'notify.alarm_callback' AND done_at IS NULL")
    await app.state.worker.drain()
    await app.state.worker.drain()

    assert [verified(processor.key, h, b)["status"] for h, b in receiver.received] == ["dispatched"]


async def test_no_callback_without_a_callback_url(app, client, desk, quiet, processor, shop):
    await create_unit_near(desk.tenant_id)
    await processor.send("panic", shop.device_id)
    await app.state.worker.drain()

    async with core_db.connection() as conn:
        owed = await conn.fetchval("SELECT count(*) FROM alarm_callback WHERE incident_id = $1",
                                   await incident_of(shop.device_id))
    assert owed == 0


async def create_unit_near(tenant_id: int) -> None:
    async with core_db.connection() as conn:
        await create_unit(conn, tenant_id=tenant_id, position=NEAR_SHOP)
