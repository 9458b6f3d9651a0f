"""Escalation of unacknowledged assignments, driven by the app's clock (never by sleeping): a P1 moves on to
the next nearest unit, other priorities are flagged on the console, an acknowledged assignment stays as it
is."""

from __future__ import annotations

import pytest

from sereno.core import db as core_db
from sereno.dispatch.escalation import escalate_overdue
from tests.integration.dispatch.desk import CENTRE, Desk, near

pytestmark = pytest.mark.usefixtures("quiet_city")


async def _escalate(desk: Desk) -> None:
    """What the worker's periodic check does, at the desk's time. It handles at most 50 assignments per call
    (of every tenant), so call it until nothing is left."""
    while await escalate_overdue(now=desk.now(), settings=desk.settings):
        pass


async def test_unacknowledged_p1_times_out_and_goes_to_the_next_nearest_unit(clocked: Desk):
    spot = near(CENTRE, north_m=-1800, east_m=-1500)
    first = await clocked.crew(near(spot, east_m=150))
    second = await clocked.crew(near(spot, north_m=400))
    third = await clocked.crew(near(spot, north_m=-900))
    report = await clocked.report("robbery_assault", spot)
    await clocked.drain()
    assert (await clocked.only_assignment(report.id))["unit_id"] == first.unit_id

    clocked.clock.advance(seconds=clocked.settings.ack_timeout_p1_s - 1)
    await _escalate(clocked)
    assert (await clocked.only_assignment(report.id))["escalated"] is False

    clocked.clock.advance(seconds=2)  # 61 s after the assignment
    await _escalate(clocked)
    detail = await clocked.incident(report.id)
    assert [(a["unit_id"], a["status"], a["escalated"]) for a in detail["assignments"]] == [
        (first.unit_id, "timed_out", True), (second.unit_id, "assigned", False)]
    assert detail["status"] == "dispatched"
    assert [u["unit_id"] for u in detail["units"]] == [second.unit_id]
    assert [(await clocked.unit_status(c))["status"] for c in (first, second, third)] == [
        "available", "assigned", "available"]
    kinds = [e["kind"] for e in detail["timeline"]]
    assert [kinds.count(k) for k in ("escalated", "unit_timed_out", "assigned")] == [1, 1, 2]
    async with core_db.connection() as conn:
        escalated_events = await conn.fetchval(
            "SELECT count(*) FROM outbox_event WHERE topic = 'realtime.publish' "
            "AND payload->'message'->>'type' = 'assignment.escalated' "
            "AND (payload->'message'->'data'->>'id')::bigint = $1", detail["assignments"][0]["id"])
    assert escalated_events == 1

    # The second unit does not answer either: the third is tried, never the first again.
    clocked.clock.advance(seconds=clocked.settings.ack_timeout_p1_s + 1)
    await _escalate(clocked)
    detail = await clocked.incident(report.id)
    assert [(a["unit_id"], a["status"]) for a in detail["assignments"]] == [
        (first.unit_id, "timed_out"), (second.unit_id, "timed_out"), (third.unit_id, "assigned")]


async def test_unacknowledged_p3_is_only_flagged_after_its_longer_timeout_and_stays_assigned(clocked: Desk):
    spot = near(CENTRE, north_m=-1800, east_m=0)
    crew = await clocked.crew(near(spot, east_m=200))
    await clocked.crew(near(spot, east_m=600))  # free and near: must not be pulled in for a P3
    incident = await clocked.call_in("suspicious_activity", spot)
    assert incident["priority"] == 3
    [assignment] = await clocked.assign(incident["id"], crew)

    clocked.clock.advance(seconds=clocked.settings.ack_timeout_p1_s + 1)
    await _escalate(clocked)
    assert (await clocked.queue_entry(incident["id"]))["escalated"] is False

    clocked.clock.advance(seconds=clocked.settings.ack_timeout_s - clocked.settings.ack_timeout_p1_s)  # 301 s
    await _escalate(clocked)
    entry = await clocked.queue_entry(incident["id"])
    assert entry["escalated"] is True and entry["status"] == "dispatched"
    detail = await clocked.incident(incident["id"])
    assert [(a["id"], a["status"], a["escalated"]) for a in detail["assignments"]] == [
        (assignment["id"], "assigned", True)]
    assert [e["kind"] for e in detail["timeline"]].count("escalated") == 1

    # Flagged once: later checks do not flag it again, and acknowledging clears the flag on the console.
    clocked.clock.advance(seconds=clocked.settings.ack_timeout_s)
    await _escalate(clocked)
    assert [e["kind"] for e in (await clocked.incident(incident["id"]))["timeline"]].count("escalated") == 1
    assert (await clocked.act(crew, assignment["id"], "acknowledge")).status_code == 200
    assert (await clocked.queue_entry(incident["id"]))["escalated"] is False


async def test_an_acknowledged_assignment_never_escalates(clocked: Desk):
    spot = near(CENTRE, north_m=-1800, east_m=1500)
    crew = await clocked.crew(near(spot, east_m=150))
    await clocked.crew(near(spot, north_m=300))
    report = await clocked.report("robbery_assault", spot)
    await clocked.drain()
    assignment = await clocked.only_assignment(report.id)
    clocked.clock.advance(seconds=clocked.settings.ack_timeout_p1_s - 10)
    assert (await clocked.act(crew, assignment["id"], "acknowledge")).status_code == 200

    clocked.clock.advance(hours=1)
    await _escalate(clocked)
    detail = await clocked.incident(report.id)
    assert [(a["unit_id"], a["status"], a["escalated"]) for a in detail["assignments"]] == [
        (crew.unit_id, "acknowledged", False)]
    assert "escalated" not in [e["kind"] for e in detail["timeline"]]
    assert (await clocked.queue_entry(report.id))["escalated"] is False


async def test_the_running_worker_escalates_with_the_apps_clock(clocked: Desk):
    """The same check as wired into the worker's periodic tick (what production runs every few seconds)."""
    spot = near(CENTRE, north_m=1800, east_m=-1500)
    first = await clocked.crew(near(spot, east_m=100))
    second = await clocked.crew(near(spot, east_m=-300))
    report = await clocked.report("robbery_assault", spot)
    await clocked.drain()
    clocked.clock.advance(seconds=clocked.settings.ack_timeout_p1_s + 1)
    await clocked.worker.tick()
    detail = await clocked.incident(report.id)
    assert [(a["unit_id"], a["status"]) for a in detail["assignments"]] == [
        (first.unit_id, "timed_out"), (second.unit_id, "assigned")]
