"""From a citizen's report to a resolved incident: automatic and manual dispatch, the officer's steps exactly
once, the state machines' refusals and concurrent dispatchers (duplicates, reopening, callbacks and panic:
test_case_management.py)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from tests.integration.dispatch.desk import CENTRE, Desk, near
from tests.support.fixtures import decode

pytestmark = pytest.mark.usefixtures("quiet_city")


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _timeline(detail: dict, kind: str) -> list[dict]:
    return [item for item in detail["timeline"] if item["kind"] == kind]


# --- automatic dispatch (P1) ------------------------------------------------------------------------------

async def test_p1_report_is_dispatched_to_the_nearest_fresh_unit_of_an_agency_that_answers_it(desk: Desk):
    spot = near(CENTRE, north_m=600, east_m=-900)
    nearest = await desk.crew(near(spot, east_m=300))
    farther = await desk.crew(near(spot, north_m=-900), agency="police")
    # The closest, but fire crews do not answer robberies.
    fire = await desk.unit(near(spot, east_m=-50), agency="fire")
    silent = await desk.unit(near(spot, north_m=20), heard_s_ago=desk.settings.silent_unit_s + 60)
    stale = await desk.unit(near(spot, north_m=100), heard_s_ago=desk.settings.stale_position_s + 60)

    report = await desk.report("robbery_assault", spot)
    recommended = await desk.recommendations(report.id)
    assert [(r["unit"]["id"], r["stale"]) for r in recommended] == [
        (nearest.unit_id, False), (farther.unit_id, False), (stale.unit_id, True)]
    assert silent.unit_id not in [r["unit"]["id"] for r in recommended]
    assert fire.unit_id not in [r["unit"]["id"] for r in recommended]
    assert [round(r["distance_m"] / 10) * 10 for r in recommended] == [300, 900, 100]
    assert recommended[0]["eta_s"] < recommended[1]["eta_s"]

    await desk.drain()  # the outbox delivers incident.reported: P1 goes to auto-dispatch
    detail = await desk.incident(report.id)
    assert detail["status"] == "dispatched"
    assert [(a["unit_id"], a["status"]) for a in detail["assignments"]] == [(nearest.unit_id, "assigned")]
    assignment = detail["assignments"][0]
    assert _at(assignment["ack_deadline"]) - _at(assignment["assigned_at"]) == timedelta(
        seconds=desk.settings.ack_timeout_p1_s)
    assert [(a["actor"], a["data"]["unit"]) for a in _timeline(detail, "assigned")] == [
        ("system", (await desk.unit_status(nearest))["call_sign"])]
    assert (await desk.unit_status(nearest))["status"] == "assigned"
    assert (await desk.unit_status(farther))["status"] == "available"


async def test_p1_reports_delivered_together_take_the_free_unit_once_and_the_rest_are_flagged(desk: Desk):
    spot = near(CENTRE, north_m=-300, east_m=700)
    crew = await desk.crew(near(spot, east_m=150))
    first, second, third = [await desk.report("robbery_assault", near(spot, north_m=n)) for n in (0, 40, 80)]
    await desk.drain()  # one batch: the unit goes to one of them, the others wait flagged in the queue
    details = [await desk.incident(r.id) for r in (first, second, third)]
    assigned = [d for d in details if d["assignments"]]
    assert len(assigned) == 1 and assigned[0]["assignments"][0]["unit_id"] == crew.unit_id
    waiting = [d for d in details if not d["assignments"]]
    assert [d["status"] for d in waiting] == ["new", "new"]
    assert all(len(_timeline(d, "no_unit_available")) == 1 for d in waiting)
    assert not _timeline(assigned[0], "no_unit_available")


async def test_p1_reports_delivered_together_with_no_unit_on_duty_are_all_flagged_once(desk: Desk):
    spot = near(CENTRE, north_m=-500, east_m=-300)
    await desk.unit(near(spot, east_m=50), agency="fire")  # on duty, but fire crews do not answer robberies
    reports = [await desk.report("robbery_assault", near(spot, north_m=n)) for n in (0, 40, 80)]
    await desk.drain()
    for report in reports:
        detail = await desk.incident(report.id)
        assert detail["status"] == "new" and not detail["assignments"]
        assert len(_timeline(detail, "no_unit_available")) == 1


async def test_officer_steps_resolve_the_incident_free_the_unit_and_leave_a_timeline(desk: Desk):
    spot = near(CENTRE, north_m=-600, east_m=-900)
    crew = await desk.crew(near(spot, east_m=200))
    report = await desk.report("robbery_assault", spot)
    await desk.drain()
    assignment = await desk.only_assignment(report.id)
    assert assignment["unit_id"] == crew.unit_id

    steps = [("acknowledge", "acknowledged", "dispatched", "assigned"),
             ("en_route", "en_route", "en_route", "en_route"),
             ("on_scene", "on_scene", "on_scene", "on_scene")]
    for action, assignment_status, incident_status, unit_status in steps:
        response = await desk.act(crew, assignment["id"], action)
        assert response.status_code == 200, response.text
        assert decode(response)["status"] == assignment_status
        assert (await desk.incident(report.id))["status"] == incident_status
        assert (await desk.unit_status(crew))["status"] == unit_status
    response = await desk.act(crew, assignment["id"], "clear", outcome="resolved_on_scene",
                              notes="Se recuperó el celular; la víctima no quiso denunciar.")
    assert response.status_code == 200, response.text

    detail = await desk.incident(report.id)
    assert detail["status"] == "resolved" and detail["outcome"] == "resolved_on_scene"
    [done] = detail["assignments"]
    assert done["status"] == "cleared" and done["outcome"] == "resolved_on_scene"
    assert all(done[f] is not None for f in ("acknowledged_at", "en_route_at", "on_scene_at", "cleared_at"))
    assert (await desk.unit_status(crew))["status"] == "available"
    officer = crew.officer.full_name
    expected_actors = {
        "reported": "citizen", "assigned": "system", "dispatched": "system",
        "unit_acknowledged": officer, "unit_en_route": officer, "en_route": officer,
        "unit_on_scene": officer, "on_scene": officer, "unit_cleared": officer, "resolved": officer,
    }
    for kind, actor in expected_actors.items():
        items = _timeline(detail, kind)
        assert [i["actor"] for i in items] == [actor], (kind, detail["timeline"])
        assert _at(items[0]["at"]) <= desk.now()
    assert _timeline(detail, "unit_cleared")[0]["data"]["outcome"] == "resolved_on_scene"

    citizen = await desk.citizen_view(report)
    assert citizen["status"] == "resolved" and citizen["outcome"] == "resolved_on_scene"
    assert {"dispatched", "en_route", "on_scene", "resolved"} <= {e["kind"] for e in citizen["timeline"]}


async def test_citizen_sees_a_readable_label_for_the_outcome_the_officer_chose(desk: Desk):
    spot = near(CENTRE, north_m=-1200, east_m=-600)
    crew = await desk.crew(near(spot, east_m=100))
    report = await desk.report("robbery_assault", spot)
    await desk.drain()
    await desk.resolve(crew, (await desk.only_assignment(report.id))["id"], outcome="referred_police")

    for lang in ("es", "en"):
        citizen = await desk.citizen_view(report, lang=lang)
        assert citizen["status"] == "resolved" and citizen["outcome"] == "referred_police"
        # Every outcome the field app offers needs a label in both languages, not the raw message key.
        assert citizen["outcome_label"] and not citizen["outcome_label"].startswith("outcome_"), citizen


# --- manual dispatch --------------------------------------------------------------------------------------

async def test_triage_assign_two_units_and_back_to_the_queue_when_both_release(desk: Desk):
    spot = near(CENTRE, north_m=1200, east_m=600)
    first = await desk.crew(near(spot, north_m=150))
    second = await desk.crew(near(spot, north_m=-400), agency="police")
    report = await desk.report("noise_disturbance", spot)  # P3: waits for a person
    await desk.drain()
    detail = await desk.incident(report.id)
    assert detail["status"] == "new" and detail["assignments"] == []

    response = await desk.post(f"/api/v1/incidents/{report.id}/triage", {
        "version": detail["version"], "category": "vandalism", "priority": 2,
        "note": "Rompen lunas de autos."})
    assert response.status_code == 200, response.text
    triaged = decode(response)
    assert (triaged["status"], triaged["priority"], triaged["category"]["code"]) == (
        "triaged", 2, "vandalism")
    assert triaged["version"] > detail["version"]

    recommended = await desk.recommendations(report.id)
    assert [r["unit"]["id"] for r in recommended] == [first.unit_id, second.unit_id]
    assignments = await desk.assign(report.id, first, second)
    assert [(a["unit_id"], a["status"]) for a in assignments] == [
        (first.unit_id, "assigned"), (second.unit_id, "assigned")]
    ack_timeout = timedelta(seconds=desk.settings.ack_timeout_s)
    assert all(_at(a["ack_deadline"]) - _at(a["assigned_at"]) == ack_timeout for a in assignments)
    assert (await desk.incident(report.id))["status"] == "dispatched"

    declined = await desk.act(first, assignments[0]["id"], "decline", notes="Estamos en otro servicio.")
    assert declined.status_code == 200 and decode(declined)["status"] == "declined"
    assert (await desk.incident(report.id))["status"] == "dispatched"
    assert (await desk.unit_status(first))["status"] == "available"

    cancelled = await desk.post(f"/api/v1/assignments/{assignments[1]['id']}/cancel",
                                {"reason": "Se resolvió por teléfono"})
    assert cancelled.status_code == 200 and decode(cancelled)["status"] == "cancelled"
    detail = await desk.incident(report.id)
    assert detail["status"] == "triaged" and detail["units"] == []
    assert (await desk.unit_status(second))["status"] == "available"
    assert [e["data"].get("reason") for e in _timeline(detail, "unit_cancelled")] == [
        "Se resolvió por teléfono"]
    assert [e["actor"] for e in _timeline(detail, "unit_declined")] == [first.officer.full_name]


async def test_illegal_transitions_are_refused_with_the_current_state(desk: Desk):
    spot = near(CENTRE, north_m=1200, east_m=-1200)
    crew = await desk.crew(near(spot, east_m=150))
    incident = await desk.call_in("accident", spot)
    other = await desk.call_in("accident", near(spot, north_m=50))
    [assignment] = await desk.assign(incident["id"], crew)
    version = (await desk.incident(incident["id"]))["version"]

    clear = await desk.act(crew, assignment["id"], "clear", outcome="resolved_on_scene")
    close = await desk.post(f"/api/v1/incidents/{incident['id']}/close", {"version": version})
    merge = await desk.post(f"/api/v1/incidents/{incident['id']}/merge",
                            {"version": version, "primary_id": other["id"]})
    refusals = [(r.status_code, decode(r)["error"], decode(r)["current"]) for r in (clear, close, merge)]
    assert refusals == [(409, "illegal_transition", "assigned"), (409, "illegal_transition", "dispatched"),
                        (409, "illegal_transition", "dispatched")]
    after = await desk.incident(incident["id"])
    assert after["status"] == "dispatched" and after["version"] == version
    assert after["assignments"][0]["status"] == "assigned"
    # The clear that was refused was not remembered: the same tap after acknowledging goes through.
    assert (await desk.act(crew, assignment["id"], "acknowledge")).status_code == 200


async def test_two_dispatchers_triaging_the_same_version_one_wins_and_the_other_is_told(desk: Desk):
    spot = near(CENTRE, north_m=-1200, east_m=1200)
    report = await desk.report("suspicious_activity", spot)
    version = (await desk.incident(report.id))["version"]
    path = f"/api/v1/incidents/{report.id}/triage"
    first, second = await asyncio.gather(
        desk.post(path, {"version": version, "priority": 2, "note": "Primera central"}),
        desk.post(path, {"version": version, "priority": 4, "note": "Segunda central",
                         "category": "other"}, as_=desk.console.supervisor),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    winner, loser = (first, second) if first.status_code == 200 else (second, first)
    assert decode(loser)["error"] == "stale_version" and decode(loser)["current"] == "triaged"

    detail = await desk.incident(report.id)
    won = decode(winner)
    assert (detail["priority"], detail["category"]["code"], detail["version"]) == (
        won["priority"], won["category"]["code"], won["version"])
    notes = [e["data"].get("note") for e in detail["timeline"] if e["kind"] == "triaged"]
    assert len(notes) == 1 and notes[0] in ("Primera central", "Segunda central")
    assert (notes[0] == "Primera central") == (won["priority"] == 2)


# --- the field app: exactly once, offline replays ---------------------------------------------------------

async def test_the_same_field_action_sent_twice_counts_once_and_answers_the_same(desk: Desk):
    spot = near(CENTRE, north_m=-1500, east_m=600)
    crew = await desk.crew(near(spot, east_m=100))
    incident = await desk.call_in("accident", spot)
    [assignment] = await desk.assign(incident["id"], crew)

    tap = {"action_id": str(uuid.uuid4()), "device_at": desk.now().isoformat()}
    path = f"/api/v1/field/assignments/{assignment['id']}/acknowledge"
    first = await desk.post(path, tap, as_=crew)
    second = await desk.post(path, tap, as_=crew)
    assert first.status_code == second.status_code == 200
    assert decode(second) == decode(first)
    # A phone on a flaky link may send the queued tap again before the first answer arrives.
    tap = {"action_id": str(uuid.uuid4()), "device_at": desk.now().isoformat()}
    path = f"/api/v1/field/assignments/{assignment['id']}/en_route"
    together = await asyncio.gather(desk.post(path, tap, as_=crew), desk.post(path, tap, as_=crew))
    assert [r.status_code for r in together] == [200, 200]
    assert decode(together[0]) == decode(together[1])
    detail = await desk.incident(incident["id"])
    assert [len(_timeline(detail, kind)) for kind in ("unit_acknowledged", "unit_en_route")] == [1, 1]


async def test_steps_replayed_from_the_offline_queue_keep_the_time_of_the_tap(clocked: Desk):
    spot = near(CENTRE, north_m=-1500, east_m=-600)
    crew = await clocked.crew(near(spot, east_m=100))
    incident = await clocked.call_in("accident", spot)
    [assignment] = await clocked.assign(incident["id"], crew)
    assigned_at = _at(assignment["assigned_at"])

    clocked.clock.advance(hours=2)  # the phone was without signal; it syncs now
    tapped_at = clocked.now() - timedelta(hours=1)
    response = await clocked.act(crew, assignment["id"], "on_scene", device_at=tapped_at.isoformat())
    assert response.status_code == 200, response.text
    assert assigned_at < tapped_at
    assert _at(decode(response)["on_scene_at"]) == tapped_at
    detail = await clocked.incident(incident["id"])
    assert [_at(e["at"]) for e in _timeline(detail, "unit_on_scene")] == [tapped_at]
