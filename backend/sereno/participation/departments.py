"""Departments as an admin configures them: names, the answer deadline, who works the queue. Every change is
in the audit trail."""

from __future__ import annotations

from datetime import datetime

from sereno.accounts.schemas import StaffPrincipal
from sereno.accounts.service import audit
from sereno.core import db
from sereno.core.errors import Conflict, NotFound, Unprocessable
from sereno.participation.schemas import DepartmentIn, DepartmentPatch, DepartmentRead, MembersIn

__all__ = ["list_departments", "create_department", "change_department", "set_members"]

_LIST = """
SELECT d.id, d.code, d.name_es, d.name_en, d.answer_within_h, d.active,
       count(r.id) AS open, count(r.id) FILTER (WHERE r.due_at < $2) AS overdue,
       coalesce((SELECT array_agg(m.account ORDER BY m.account) FROM department_member m
                 WHERE m.department = d.id), '{}') AS members
FROM department d
LEFT JOIN participation_request r ON r.department = d.id AND r.status IN ('received', 'in_progress')
WHERE d.tenant = $1 AND ($3::text IS NULL OR d.code = $3)
GROUP BY d.id ORDER BY d.name_es
"""
_INSERT = """
INSERT INTO department (tenant, code, name_es, name_en, answer_within_h, active)
VALUES ($1, $2, $3, $4, $5, true)
ON CONFLICT (tenant, code) DO NOTHING RETURNING id
"""
_PATCH = """
UPDATE department SET name_es = coalesce($3, name_es), name_en = coalesce($4, name_en),
                      answer_within_h = coalesce($5, answer_within_h), active = coalesce($6, active)
WHERE tenant = $1 AND code = $2 RETURNING id
"""
_CLERKS = "SELECT id FROM staff_account WHERE tenant = $1 AND id = ANY($2::int[]) AND role = 'clerk'"


def _read(row) -> DepartmentRead:
    return DepartmentRead(
        code=row["code"],
        name_es=row["name_es"],
        name_en=row["name_en"],
        answer_within_h=row["answer_within_h"],
        active=row["active"],
        open=row["open"],
        overdue=row["overdue"],
        members=list(row["members"]),
    )


async def list_departments(*, staff: StaffPrincipal, now: datetime) -> list[DepartmentRead]:
    async with db.connection() as conn:
        return [_read(r) for r in await conn.fetch(_LIST, staff.tenant_id, now, None)]


async def _one(conn, *, tenant_id: int, code: str, now: datetime) -> DepartmentRead:
    row = await conn.fetchrow(_LIST, tenant_id, now, code)
    if row is None:
        raise NotFound("department_not_found", department=code)
    return _read(row)


async def create_department(*, staff: StaffPrincipal, body: DepartmentIn, now: datetime) -> DepartmentRead:
    async with db.transaction() as conn:
        created = await conn.fetchval(
            _INSERT,
            staff.tenant_id,
            body.code,
            body.name_es.strip(),
            body.name_en.strip(),
            body.answer_within_h,
        )
        if created is None:
            raise Conflict("department_exists", department=body.code)
        await audit(conn, tenant_id=staff.tenant_id, actor_id=staff.id, action="department.create",
                    subject=body.code, data={"answer_within_h": body.answer_within_h})  # fmt: skip
        return await _one(conn, tenant_id=staff.tenant_id, code=body.code, now=now)


async def change_department(
    *, staff: StaffPrincipal, code: str, body: DepartmentPatch, now: datetime
) -> DepartmentRead:
    async with db.transaction() as conn:
        changed = await conn.fetchval(
            _PATCH, staff.tenant_id, code, body.name_es, body.name_en, body.answer_within_h, body.active
        )
        if changed is None:
            raise NotFound("department_not_found", department=code)
        changes = {k: v for k, v in (("name_es", body.name_es), ("name_en", body.name_en),
                                     ("answer_within_h", body.answer_within_h), ("active", body.active))
                   if v is not None}  # fmt: skip
        await audit(conn, tenant_id=staff.tenant_id, actor_id=staff.id, action="department.change",
                    subject=code, data=changes)  # fmt: skip
        return await _one(conn, tenant_id=staff.tenant_id, code=code, now=now)


async def set_members(*, staff: StaffPrincipal, code: str, body: MembersIn, now: datetime) -> DepartmentRead:
    """Replace the department's clerks; every id must be a clerk account of this municipality."""
    wanted = sorted(set(body.account_ids))
    async with db.transaction() as conn:
        department_id = await conn.fetchval(
            "SELECT id FROM department WHERE tenant = $1 AND code = $2 FOR UPDATE", staff.tenant_id, code
        )
        if department_id is None:
            raise NotFound("department_not_found", department=code)
        clerks = {r["id"] for r in await conn.fetch(_CLERKS, staff.tenant_id, wanted)}
        if missing := [i for i in wanted if i not in clerks]:
            raise Unprocessable("not_a_clerk", ids=", ".join(map(str, missing)))
        await conn.execute("DELETE FROM department_member WHERE department = $1", department_id)
        await conn.execute(
            "INSERT INTO department_member (department, account) SELECT $1, unnest($2::int[])",
            department_id,
            wanted,
        )
        await audit(conn, tenant_id=staff.tenant_id, actor_id=staff.id, action="department.members",
                    subject=code, data={"account_ids": wanted})  # fmt: skip
        return await _one(conn, tenant_id=staff.tenant_id, code=code, now=now)
