"""Around the dispatch itself: merging duplicates, reopening closed cases, callbacks within their SLA and an
officer's panic button."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
import pytest

from sereno.core import db as core_db
from sereno.core.events import console_channel
from tests.integration.dispatch.desk import CENTRE, Desk, near
from tests.support.fixtures import decode

pytestmark = pytest.mark.usefixtures("quiet_city")


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _timeline(detail: dict, kind: str) -> list[dict]:
    return [item for item in detail["timeline"] if item["kind"] == kind]


# --- duplicates -------------------------------------------------------------------------------------------

async def test_a_nearby_report_of_a_related_category_is_a_duplicate_and_can_be_merged(clocked: Desk):
    spot = near(CENTRE, north_m=300, east_m=1500)
    primary = await clocked.report("suspicious_activity", spot)
    clocked.clock.advance(minutes=4)
    related = await clocked.report("vandalism", near(spot, north_m=100))
    unrelated = await clocked.report("fire", near(spot, north_m=-60))
    far = await clocked.report("vandalism", near(spot, north_m=-2000))

    candidates = await clocked.get(f"/api/v1/incidents/{primary.id}/duplicates")
    by_id = {c["incident"]["id"]: c["distance_m"] for c in candidates}
    assert related.id in by_id and abs(by_id[related.id] - 100) < 5
    assert far.id not in by_id and unrelated.id not in by_id

    version = (await clocked.incident(related.id))["version"]
    response = await clocked.post(f"/api/v1/incidents/{related.id}/merge",
                                  {"version": version, "primary_id": primary.id})
    assert response.status_code == 200, response.text
    merged = decode(response)
    assert merged["status"] == "duplicate" and merged["duplicate_of"] == primary.id
    primary_detail = await clocked.incident(primary.id)
    assert [e["data"]["duplicate"] for e in _timeline(primary_detail, "merged")] == [related.code]
    still_open = await clocked.get(f"/api/v1/incidents/{primary.id}/duplicates")
    assert related.id not in {c["incident"]["id"] for c in still_open}
    assert (await clocked.citizen_view(related))["status"] == "duplicate"


# --- reopening --------------------------------------------------------------------------------------------

async def _closed_incident(desk: Desk, spot: dict) -> tuple[dict, object]:
    crew = await desk.crew(near(spot, east_m=120))
    incident = await desk.call_in("accident", spot)
    [assignment] = await desk.assign(incident["id"], crew)
    await desk.resolve(crew, assignment["id"])
    version = (await desk.incident(incident["id"]))["version"]
    closed = await desk.post(f"/api/v1/incidents/{incident['id']}/close", {"version": version})
    assert closed.status_code == 200 and decode(closed)["status"] == "closed", closed.text
    return decode(closed), crew


async def test_only_a_supervisor_reopens_a_closed_incident_and_the_reason_is_on_the_timeline(desk: Desk):
    closed, _ = await _closed_incident(desk, near(CENTRE, north_m=900, east_m=1500))
    body = {"version": closed["version"], "reason": "La vecina llama: volvieron."}
    by_dispatcher = await desk.post(f"/api/v1/incidents/{closed['id']}/reopen", body)
    assert by_dispatcher.status_code == 403
    response = await desk.post(f"/api/v1/incidents/{closed['id']}/reopen", body, as_=desk.console.supervisor)
    assert response.status_code == 200, response.text
    reopened = decode(response)
    assert reopened["status"] == "triaged"
    [event] = _timeline(reopened, "reopened")
    assert event["data"]["reason"] == "La vecina llama: volvieron." and event["actor"] == "Supervisor Dsp"
    assert event["data"]["from"] == "closed" and event["data"]["to"] == "triaged"


async def test_a_reopened_incident_goes_back_to_the_queue_when_its_new_unit_declines(desk: Desk):
    spot = near(CENTRE, north_m=900, east_m=-1500)
    closed, _ = await _closed_incident(desk, spot)
    response = await desk.post(f"/api/v1/incidents/{closed['id']}/reopen",
                               {"version": closed["version"], "reason": "Volvieron."},
                               as_=desk.console.supervisor)
    assert response.status_code == 200, response.text
    second = await desk.crew(near(spot, north_m=200))
    [assignment] = await desk.assign(closed["id"], second)
    assert (await desk.incident(closed["id"]))["status"] == "dispatched"
    assert (await desk.act(second, assignment["id"], "decline")).status_code == 200
    # The unit that cleared before the reopening must not make the reopened case "resolved" again.
    detail = await desk.incident(closed["id"])
    assert detail["status"] == "triaged", [(e["kind"], e["data"]) for e in detail["timeline"]]


# --- callbacks --------------------------------------------------------------------------------------------

async def test_operator_entry_with_callback_request_is_overdue_after_the_sla_until_called(clocked: Desk):
    contact = {"name": "Carmen Quispe", "phone": "+51 944 123 456", "callback_wanted": True}
    spot = near(CENTRE, north_m=-300, east_m=300)
    incident = await clocked.call_in("noise_disturbance", spot, contact=contact)
    sla = timedelta(seconds=clocked.settings.callback_sla_s)
    assert _at(incident["callback_due_at"]) == clocked.now() + sla
    assert incident["contact"]["phone"] == "+51 944 123 456"
    assert (await clocked.queue_entry(incident["id"]))["callback_overdue"] is False

    clocked.clock.advance(seconds=sla.total_seconds() + 1)
    assert (await clocked.queue_entry(incident["id"]))["callback_overdue"] is True
    response = await clocked.post(f"/api/v1/incidents/{incident['id']}/callback", {"note": "Se le informó."})
    assert response.status_code == 200, response.text
    assert decode(response)["callback_overdue"] is False
    assert (await clocked.queue_entry(incident["id"]))["callback_overdue"] is False
    assert [e["data"] for e in _timeline(decode(response), "callback_done")] == [{"note": "Se le informó."}]


async def test_citizen_who_asks_for_a_callback_gets_a_due_time_in_the_queue(clocked: Desk):
    contact = {"name": "Pedro Salas", "phone": "+51 955 000 111", "callback_wanted": True}
    spot = near(CENTRE, north_m=-300, east_m=-300)
    report = await clocked.report("noise_disturbance", spot, contact=contact)
    entry = await clocked.queue_entry(report.id)
    assert entry["callback_due_at"] is not None, entry
    assert _at(entry["callback_due_at"]) == clocked.now() + timedelta(seconds=clocked.settings.callback_sla_s)


# --- officer emergency ------------------------------------------------------------------------------------

async def test_panic_puts_the_unit_in_emergency_for_the_console_and_only_dispatch_can_clear_it(desk: Desk):
    spot = near(CENTRE, north_m=-900, east_m=1500)
    crew = await desk.crew(spot)
    response = await desk.post("/api/v1/field/panic", {**near(spot, north_m=30), "accuracy_m": 8,
                                                       "device_at": desk.now().isoformat()}, as_=crew)
    assert response.status_code == 200, response.text
    assert decode(response)["emergency"] is True and decode(response)["id"] == crew.unit_id

    async with core_db.connection() as conn:
        published = await conn.fetch(
            "SELECT payload::text AS payload FROM outbox_event WHERE topic = 'realtime.publish' "
            "AND payload->'message'->>'type' = 'unit.emergency' "
            "AND (payload->'message'->'data'->>'id')::int = $1",
            crew.unit_id)
    assert len(published) == 1
    assert console_channel(desk.tenant_id) in msgspec.json.decode(published[0]["payload"])["channels"]
    # A unit in emergency is not sent anywhere else.
    report = await desk.report("suspicious_activity", near(spot, east_m=50))
    assert crew.unit_id not in [r["unit"]["id"] for r in await desk.recommendations(report.id)]

    path = f"/api/v1/units/{crew.unit_id}/clear-emergency"
    for who in (crew, desk.console.analyst):
        assert (await desk.post(path, {}, as_=who)).status_code == 403
    assert (await desk.unit_status(crew))["emergency"] is True
    cleared = await desk.post(path, {}, as_=desk.console.supervisor)
    assert cleared.status_code == 200 and decode(cleared)["emergency"] is False
