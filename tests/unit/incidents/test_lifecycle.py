"""The incident, assignment and unit state machines (DESIGN.md "State machines"), without a database.

The expected tables are written out here from the design, not read from the module, so that a change to
``lifecycle.py`` that drifts from the design fails a named case.
"""

from __future__ import annotations

import itertools

import pytest

from sereno.incidents.lifecycle import (
    Refused,
    assignment_command,
    derive_incident_status,
    derive_unit_status,
    incident_command,
    incident_event_for,
)

# --- incidents ----------------------------------------------------------------------------------------------

WORKED = ("new", "triaged", "dispatched", "en_route", "on_scene")
DONE = ("resolved", "closed")
DISCARDED = ("duplicate", "unfounded", "cancelled")
INCIDENT_STATES = WORKED + DONE + DISCARDED

# command -> {state it may be given in: resulting state}; every other state refuses it.
INCIDENT_TRANSITIONS: dict[str, dict[str, str]] = {
    # Triage moves a new incident into the queue; re-triaging (category, priority) keeps the status.
    "triage": {"new": "triaged", **{s: s for s in WORKED[1:]}},
    # Only before a unit is involved may an incident be merged, found unfounded or cancelled.
    "merge": {"new": "duplicate", "triaged": "duplicate"},
    "unfounded": {"new": "unfounded", "triaged": "unfounded"},
    "cancel": {"new": "cancelled", "triaged": "cancelled"},
    "close": {"resolved": "closed"},
    "reopen": {"resolved": "triaged", "closed": "triaged"},
    # Sending units never sets the status itself: it is derived from the assignments afterwards.
    "dispatch": {s: s for s in WORKED},
    # Notes and callbacks change no status; notes go on worked and finished incidents, not on discarded ones.
    "note": {s: s for s in WORKED + DONE},
    "callback": {s: s for s in INCIDENT_STATES},
}
# Who may give each command (anyone else is refused whatever the state).
INCIDENT_ROLES: dict[str, frozenset[str]] = {
    **{command: frozenset({"dispatcher", "supervisor"}) for command in INCIDENT_TRANSITIONS},
    "reopen": frozenset({"supervisor"}),
    "dispatch": frozenset({"dispatcher", "supervisor", "system"}),
}
ROLES = ("officer", "dispatcher", "supervisor", "analyst", "admin", "system")
SUPERVISOR = "supervisor"  # may give every command, so the state alone decides


@pytest.mark.parametrize(("state", "command"), list(itertools.product(INCIDENT_STATES, INCIDENT_TRANSITIONS)))
def test_incident_command_in_every_state(state: str, command: str):
    expected = INCIDENT_TRANSITIONS[command].get(state)
    if expected is None:
        with pytest.raises(Refused) as refused:
            incident_command(state, command, SUPERVISOR)
        assert (refused.value.reason, refused.value.current) == ("illegal_transition", state)
    else:
        assert incident_command(state, command, SUPERVISOR) == expected


@pytest.mark.parametrize(("command", "role"), list(itertools.product(INCIDENT_TRANSITIONS, ROLES)))
def test_incident_command_by_every_role(command: str, role: str):
    state = next(iter(INCIDENT_TRANSITIONS[command]))  # a state the command is legal in
    if role in INCIDENT_ROLES[command]:
        assert incident_command(state, command, role) == INCIDENT_TRANSITIONS[command][state]
    else:
        with pytest.raises(Refused) as refused:
            incident_command(state, command, role)
        assert (refused.value.reason, refused.value.current) == ("forbidden_for_role", state)


@pytest.mark.parametrize("role", ["dispatcher", "analyst", "officer", "admin"])
def test_only_a_supervisor_reopens(role: str):
    for state in DONE:
        with pytest.raises(Refused, match="forbidden_for_role"):
            incident_command(state, "reopen", role)
        assert incident_command(state, "reopen", "supervisor") == "triaged"


@pytest.mark.parametrize("role", ["analyst", "officer"])
def test_analysts_and_officers_give_no_incident_command_in_any_state(role: str):
    for state, command in itertools.product(INCIDENT_STATES, INCIDENT_TRANSITIONS):
        with pytest.raises(Refused):
            incident_command(state, command, role)


# --- assignments --------------------------------------------------------------------------------------------

ACTIVE = ("assigned", "acknowledged", "en_route", "on_scene")
ENDED = ("cleared", "declined", "timed_out", "cancelled")
ASSIGNMENT_STATES = ACTIVE + ENDED

ASSIGNMENT_TRANSITIONS: dict[str, dict[str, str]] = {
    "acknowledge": {"assigned": "acknowledged"},
    # Once acknowledged the unit is committed: only the dispatcher can take it off (cancel).
    "decline": {"assigned": "declined"},
    # Going en route or arriving implies the acknowledgement (one tap in the field, not two).
    "en_route": {"assigned": "en_route", "acknowledged": "en_route"},
    "on_scene": {"assigned": "on_scene", "acknowledged": "on_scene", "en_route": "on_scene"},
    # Clearing needs at least an acknowledgement: an assignment nobody took cannot be closed with an outcome.
    "clear": {"acknowledged": "cleared", "en_route": "cleared", "on_scene": "cleared"},
    "cancel": {s: "cancelled" for s in ACTIVE},
    "time_out": {"assigned": "timed_out"},
}


@pytest.mark.parametrize(("state", "command"),
                         list(itertools.product(ASSIGNMENT_STATES, ASSIGNMENT_TRANSITIONS)))
def test_assignment_command_in_every_state(state: str, command: str):
    expected = ASSIGNMENT_TRANSITIONS[command].get(state)
    if expected is None:
        with pytest.raises(Refused) as refused:
            assignment_command(state, command)
        assert (refused.value.reason, refused.value.current) == ("illegal_transition", state)
    else:
        assert assignment_command(state, command) == expected


def test_clear_needs_at_least_an_acknowledgement():
    with pytest.raises(Refused, match="illegal_transition"):
        assignment_command("assigned", "clear")
    assert assignment_command(assignment_command("assigned", "acknowledge"), "clear") == "cleared"


def test_a_full_assignment_walks_the_design_path():
    status = "assigned"
    steps = [("acknowledge", "acknowledged"), ("en_route", "en_route"), ("on_scene", "on_scene"),
             ("clear", "cleared")]
    for command, expected in steps:
        status = assignment_command(status, command)
        assert status == expected


def test_an_unknown_assignment_command_is_refused():
    with pytest.raises(Refused) as refused:
        assignment_command("assigned", "teleport")
    assert (refused.value.reason, refused.value.current) == ("unknown_command", "assigned")


def test_refused_carries_reason_and_current_state():
    error = Refused("illegal_transition", current="closed")
    assert (error.reason, error.current) == ("illegal_transition", "closed")
    assert "closed" in str(error)


# --- derived statuses ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("current", "assignments", "expected"),
    [
        # units sent, none moving yet
        ("triaged", ["assigned"], "dispatched"),
        ("new", ["assigned"], "dispatched"),
        ("dispatched", ["acknowledged"], "dispatched"),
        ("dispatched", ["assigned", "acknowledged"], "dispatched"),
        # the first unit en route makes the incident en route
        ("dispatched", ["assigned", "en_route"], "en_route"),
        ("dispatched", ["en_route"], "en_route"),
        # the most advanced unit counts
        ("en_route", ["en_route", "on_scene"], "on_scene"),
        ("dispatched", ["declined", "on_scene"], "on_scene"),
        # a unit that cleared while another is still working leaves the incident worked
        ("on_scene", ["cleared", "on_scene"], "on_scene"),
        ("on_scene", ["cleared", "en_route"], "en_route"),
        # every unit cleared: resolved
        ("on_scene", ["cleared"], "resolved"),
        ("on_scene", ["cleared", "cleared"], "resolved"),
        ("on_scene", ["declined", "cleared"], "resolved"),  # a unit released earlier does not hold it open
        ("en_route", ["cancelled", "cleared", "timed_out"], "resolved"),
        # every unit released: back to the queue
        ("dispatched", ["declined"], "triaged"),
        ("dispatched", ["timed_out"], "triaged"),
        ("en_route", ["cancelled"], "triaged"),
        ("on_scene", ["cancelled"], "triaged"),
        ("dispatched", ["declined", "timed_out", "cancelled"], "triaged"),
        ("dispatched", [], "triaged"),
        # nothing was ever sent: nothing to derive
        ("new", [], "new"),
        ("triaged", [], "triaged"),
        ("triaged", ["declined"], "triaged"),
    ],
)
def test_incident_status_derived_from_assignments(current: str, assignments: list[str], expected: str):
    assert derive_incident_status(current, assignments) == expected


@pytest.mark.parametrize(
    ("current", "assignments"),
    list(itertools.product(DONE + DISCARDED,
                           [[], ["assigned"], ["en_route"], ["on_scene"], ["cleared"], ["declined"]])),
)
def test_finished_incidents_are_never_derived_again(current: str, assignments: list[str]):
    assert derive_incident_status(current, assignments) == current


@pytest.mark.parametrize(
    ("current", "active", "expected"),
    [
        ("available", [], "available"),
        ("available", ["assigned"], "assigned"),
        ("available", ["acknowledged"], "assigned"),
        ("assigned", ["en_route"], "en_route"),
        ("assigned", ["assigned", "en_route"], "en_route"),
        ("en_route", ["on_scene"], "on_scene"),
        ("en_route", ["en_route", "on_scene", "assigned"], "on_scene"),
        # its last assignment ended: free again
        ("on_scene", [], "available"),
        ("assigned", [], "available"),
        # off duty or out of service: assignments do not put it back on duty
        ("off_duty", ["assigned"], "off_duty"),
        ("off_duty", [], "off_duty"),
        ("out_of_service", ["on_scene"], "out_of_service"),
        ("out_of_service", [], "out_of_service"),
    ],
)
def test_unit_status_derived_from_its_active_assignments(current: str, active: list[str], expected: str):
    assert derive_unit_status(current, active) == expected


@pytest.mark.parametrize(
    ("old", "new", "event"),
    [
        ("new", "triaged", "triaged"),
        ("triaged", "dispatched", "dispatched"),
        ("dispatched", "en_route", "en_route"),
        ("en_route", "on_scene", "on_scene"),
        ("on_scene", "resolved", "resolved"),
        ("resolved", "closed", "closed"),
        ("new", "duplicate", "duplicate"),
        ("triaged", "unfounded", "unfounded"),
        ("new", "cancelled", "cancelled"),
        # released units send it back to the queue: the citizen sees it triaged again
        ("dispatched", "triaged", "triaged"),
        ("en_route", "triaged", "triaged"),
        # a supervisor's reopening is its own event
        ("resolved", "triaged", "reopened"),
        ("closed", "triaged", "reopened"),
    ],
)
def test_public_event_for_each_status_change(old: str, new: str, event: str):
    assert incident_event_for(old, new) == event


@pytest.mark.parametrize("status", INCIDENT_STATES)
def test_no_event_when_the_status_did_not_change(status: str):
    assert incident_event_for(status, status) is None


def test_no_event_for_becoming_new():
    assert incident_event_for("triaged", "new") is None
