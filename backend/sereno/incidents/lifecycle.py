"""The state machines of incidents, assignments and units, as pure functions (no database, no clock).

Incident: new → triaged → dispatched → en_route → on_scene → resolved → closed; from new/triaged also
duplicate, unfounded, cancelled. Once units are involved the incident's status is *derived* from its
assignments (the first unit en route makes the incident en route; every unit cleared resolves it; every unit
released sends it back to triaged), so it is never set independently in two places.

Assignment: assigned → acknowledged → en_route → on_scene → cleared, or declined / timed_out / cancelled.
Unit: off_duty ⇄ available → assigned → en_route → on_scene → available; out_of_service from on duty.
"""

from __future__ import annotations

__all__ = [
    "Refused",
    "OPEN",
    "ACTIVE",
    "ENDED",
    "OUTCOMES",
    "CONFIRMED_OUTCOMES",
    "incident_command",
    "assignment_command",
    "derive_incident_status",
    "derive_unit_status",
    "incident_event_for",
]

OPEN = frozenset({"new", "triaged", "dispatched", "en_route", "on_scene"})
ACTIVE = frozenset({"assigned", "acknowledged", "en_route", "on_scene"})
ENDED = frozenset({"cleared", "declined", "timed_out", "cancelled"})
# How a unit closes its part of a case, and what that says of the report (the public statistics count
# "confirmed" against "unfounded"; the transparency feed publishes only confirmed incidents).
OUTCOMES: dict[str, str] = {
    "resolved_on_scene": "confirmed",
    "arrest": "confirmed",
    "referred_police": "confirmed",
    "referred_other": "confirmed",
    "no_one_found": "unverified",
    "unfounded": "unfounded",
    "duplicate": "duplicate",
}
CONFIRMED_OUTCOMES = tuple(code for code, kind in OUTCOMES.items() if kind == "confirmed")

_STAFF_WRITERS = frozenset({"dispatcher", "supervisor"})


class Refused(Exception):
    """A command that the current state does not allow (HTTP 409 with the current state)."""

    def __init__(self, reason: str, *, current: str) -> None:
        super().__init__(f"{reason} (current: {current})")
        self.reason = reason
        self.current = current


# command -> (states it may start from, resulting state or None to keep, roles allowed)
_INCIDENT: dict[str, tuple[frozenset[str], str | None, frozenset[str]]] = {
    "triage": (OPEN, None, _STAFF_WRITERS),
    "note": (OPEN | {"resolved", "closed"}, None, _STAFF_WRITERS),
    "callback": (OPEN | {"resolved", "closed", "duplicate", "unfounded", "cancelled"}, None, _STAFF_WRITERS),
    "merge": (frozenset({"new", "triaged"}), "duplicate", _STAFF_WRITERS),
    "unfounded": (frozenset({"new", "triaged"}), "unfounded", _STAFF_WRITERS),
    "cancel": (frozenset({"new", "triaged"}), "cancelled", _STAFF_WRITERS),
    "close": (frozenset({"resolved"}), "closed", _STAFF_WRITERS),
    "reopen": (frozenset({"resolved", "closed"}), "triaged", frozenset({"supervisor"})),
    "dispatch": (OPEN, None, _STAFF_WRITERS | {"system"}),
}


def incident_command(status: str, command: str, role: str) -> str:
    """The incident's status after ``command`` by someone with ``role``; Refused if not allowed."""
    if command not in _INCIDENT:
        raise Refused("unknown_command", current=status)
    allowed_from, result, roles = _INCIDENT[command]
    if role not in roles:
        raise Refused("forbidden_for_role", current=status)
    if status not in allowed_from:
        raise Refused("illegal_transition", current=status)
    if command == "triage" and status == "new":
        return "triaged"
    return result or status


# command -> (states it may start from, resulting state)
_ASSIGNMENT: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({"assigned"}), "acknowledged"),
    "decline": (frozenset({"assigned"}), "declined"),
    "en_route": (frozenset({"assigned", "acknowledged"}), "en_route"),
    "on_scene": (frozenset({"assigned", "acknowledged", "en_route"}), "on_scene"),
    "clear": (frozenset({"acknowledged", "en_route", "on_scene"}), "cleared"),
    "cancel": (ACTIVE, "cancelled"),
    "time_out": (frozenset({"assigned"}), "timed_out"),
}


def assignment_command(status: str, command: str) -> str:
    if command not in _ASSIGNMENT:
        raise Refused("unknown_command", current=status)
    allowed_from, result = _ASSIGNMENT[command]
    if status not in allowed_from:
        raise Refused("illegal_transition", current=status)
    return result


def derive_incident_status(current: str, assignment_statuses: list[str]) -> str:
    """The incident's status implied by its assignments (only while it is being worked)."""
    if current not in OPEN:
        return current
    if "on_scene" in assignment_statuses:
        return "on_scene"
    if "en_route" in assignment_statuses:
        return "en_route"
    if any(s in ("assigned", "acknowledged") for s in assignment_statuses):
        return "dispatched"
    if "cleared" in assignment_statuses:
        return "resolved"
    if current in ("dispatched", "en_route", "on_scene"):
        return "triaged"  # every unit was released: back to the queue
    return current


def derive_unit_status(current: str, assignment_statuses: list[str]) -> str:
    """A unit on duty is as busy as its most advanced active assignment."""
    if current in ("off_duty", "out_of_service"):
        return current
    if "on_scene" in assignment_statuses:
        return "on_scene"
    if "en_route" in assignment_statuses:
        return "en_route"
    if any(s in ("assigned", "acknowledged") for s in assignment_statuses):
        return "assigned"
    return "available"


# Incident status -> the timeline event the citizen sees when the incident reaches it.
_STATUS_EVENTS = {
    "triaged": "triaged",
    "dispatched": "dispatched",
    "en_route": "en_route",
    "on_scene": "on_scene",
    "resolved": "resolved",
    "closed": "closed",
    "duplicate": "duplicate",
    "unfounded": "unfounded",
    "cancelled": "cancelled",
}


def incident_event_for(old: str, new: str) -> str | None:
    """The public timeline event for a status change, or None when nothing changed."""
    if old == new:
        return None
    if old in ("resolved", "closed") and new == "triaged":
        return "reopened"
    return _STATUS_EVENTS.get(new)
