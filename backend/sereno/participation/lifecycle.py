"""The life of a participation request, as a pure function (no database, no clock).

received → in_progress → answered; received / in_progress → dismissed (with the reason as the answer, so the
citizen always learns why); a transfer to another department puts it back to received in that queue, keeping
the citizen's deadline; a supervisor may reopen an answered or dismissed request. Notes change nothing.
"""

from __future__ import annotations

__all__ = ["Refused", "OPEN", "KINDS", "STATUSES", "MANAGERS", "STAFF", "command"]

KINDS = ("complaint", "suggestion", "question")
STATUSES = ("received", "in_progress", "answered", "dismissed")
OPEN = frozenset({"received", "in_progress"})
# Clerks work the queues of their departments; supervisors and admins see and act on every department.
MANAGERS = frozenset({"supervisor", "admin"})
STAFF = frozenset({"clerk"}) | MANAGERS


class Refused(Exception):
    """A command that the current state does not allow (HTTP 409 with the current state)."""

    def __init__(self, reason: str, *, current: str) -> None:
        super().__init__(f"{reason} (current: {current})")
        self.reason = reason
        self.current = current


# command -> (states it may start from, resulting state or None to keep, roles allowed, public on timeline)
_COMMANDS: dict[str, tuple[frozenset[str], str | None, frozenset[str], bool]] = {
    "start": (frozenset({"received"}), "in_progress", STAFF, True),
    "answer": (OPEN, "answered", STAFF, True),
    "dismiss": (OPEN, "dismissed", STAFF, True),
    "transfer": (OPEN, "received", STAFF, True),
    "note": (frozenset(STATUSES), None, STAFF, False),
    "reopen": (frozenset({"answered", "dismissed"}), "in_progress", MANAGERS, True),
}


def command(status: str, name: str, role: str) -> tuple[str, bool]:
    """(new status, whether the citizen sees the step) or :class:`Refused`."""
    allowed_from, to, roles, public = _COMMANDS[name]
    if role not in roles:
        raise Refused("forbidden_for_role", current=status)
    if status not in allowed_from:
        raise Refused("illegal_transition", current=status)
    return (to or status), public
