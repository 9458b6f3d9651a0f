"""The participation request's life, without a database."""

from __future__ import annotations

import pytest

from sereno.participation import lifecycle


@pytest.mark.parametrize(
    ("status", "command", "expected"),
    [
        ("received", "start", ("in_progress", True)),
        ("received", "answer", ("answered", True)),
        ("in_progress", "answer", ("answered", True)),
        ("in_progress", "dismiss", ("dismissed", True)),
        ("in_progress", "transfer", ("received", True)),
        ("answered", "note", ("answered", False)),
    ],
)
def test_allowed_steps_give_the_new_status_and_whether_the_citizen_sees_it(status, command, expected):
    assert lifecycle.command(status, command, "clerk") == expected


@pytest.mark.parametrize(
    ("status", "command"),
    [("in_progress", "start"), ("answered", "answer"), ("dismissed", "transfer"), ("answered", "dismiss")],
)
def test_steps_the_status_does_not_allow_are_refused_with_the_current_status(status, command):
    with pytest.raises(lifecycle.Refused) as refused:
        lifecycle.command(status, command, "supervisor")
    assert refused.value.reason == "illegal_transition" and refused.value.current == status


def test_only_supervisors_and_admins_reopen_an_answered_request():
    assert lifecycle.command("answered", "reopen", "supervisor") == ("in_progress", True)
    assert lifecycle.command("dismissed", "reopen", "admin") == ("in_progress", True)
    with pytest.raises(lifecycle.Refused) as refused:
        lifecycle.command("answered", "reopen", "clerk")
    assert refused.value.reason == "forbidden_for_role"
