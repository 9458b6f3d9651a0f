"""Fixtures shared by the authorization tests."""

from __future__ import annotations


import pytest


from sereno.core import db as core_db
from tests.support.staff import (
    ROLES,
    Session,
    StaffMember,
    create_staff,
    login,
)


@pytest.fixture(scope="module")
async def staff(client, city) -> dict[str, tuple[StaffMember, Session]]:
    """One logged-in account per role. The officer rides in no unit, so field calls change nothing."""
    async with core_db.connection() as conn:
        members = {role: await create_staff(conn, tenant_id=city, role=role) for role in ROLES}
    return {role: (member, await login(client, member)) for role, member in members.items()}
