"""Department staff for the participation tests: a clerk of public lighting, a clerk of solid waste, a
supervisor and an admin, each logged in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sereno.core import db as core_db
from tests.support.staff import Session, StaffMember, create_staff, login


@dataclass(frozen=True)
class Desk:
    member: StaffMember
    session: Session

    @property
    def headers(self) -> dict[str, str]:
        return self.session.headers


async def _clerk_of(conn, tenant_id: int, department: str) -> StaffMember:
    member = await create_staff(conn, tenant_id=tenant_id, role="clerk", full_name=f"Clerk {department}")
    await conn.execute(
        "INSERT INTO department_member (department, account) "
        "SELECT id, $3 FROM department WHERE tenant = $1 AND code = $2",
        tenant_id, department, member.id,
    )  # fmt: skip
    return member


@pytest.fixture
async def desks(client, city) -> dict[str, Desk]:
    async with core_db.connection() as conn:
        members = {
            "lighting": await _clerk_of(conn, city, "public_lighting"),
            "waste": await _clerk_of(conn, city, "solid_waste"),
            "supervisor": await create_staff(conn, tenant_id=city, role="supervisor"),
            "admin": await create_staff(conn, tenant_id=city, role="admin"),
        }
    return {name: Desk(member, await login(client, member)) for name, member in members.items()}
