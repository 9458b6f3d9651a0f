"""The municipality's side: department queues ordered by deadline, a request's detail with its contact and
audit trail, and the steps that move it (start, answer, dismiss, transfer, note, reopen).

Clerks see and act on the queues of the departments they belong to; supervisors and admins on every
department. Every step is one row on the request's append-only timeline (who, when, what): its audit trail.
The citizen reads each public step in "my reports", and is pushed it if they opted in (through the outbox).
"""

from __future__ import annotations

import base64
from datetime import datetime

import asyncpg
import msgspec

from sereno.accounts.auth import Forbidden
from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db, events
from sereno.core.errors import BadRequest, Conflict, NotFound, Unprocessable
from sereno.core.i18n import translate
from sereno.media.storage import Storage
from sereno.notifications.schemas import Audience, PushMessage, PushText
from sereno.notifications.service import enqueue_push
from sereno.participation import lifecycle
from sereno.participation import queries as q
from sereno.participation.schemas import (
    AnswerIn,
    ContactRead,
    DepartmentRef,
    DismissIn,
    InboxDetail,
    InboxItem,
    InboxPage,
    NoteIn,
    StaffEvent,
    TransferIn,
)
from sereno.participation.service import LIVE_EVENT, location_of, photos_of

__all__ = [
    "inbox",
    "detail",
    "start",
    "answer",
    "dismiss",
    "transfer",
    "note",
    "reopen",
    "visible_departments",
]

_STATUS_FILTERS = {
    "open": ["received", "in_progress"],
    "closed": ["answered", "dismissed"],
    "all": list(lifecycle.STATUSES),
    **{status: [status] for status in lifecycle.STATUSES},
}
_SUMMARY_CHARS = 140


async def visible_departments(conn: asyncpg.Connection, staff: StaffPrincipal) -> list[int] | None:
    """The department ids whose requests ``staff`` may see; None means every department."""
    if staff.role in lifecycle.MANAGERS:
        return None
    return [r["department"] for r in await conn.fetch(q.MEMBER_DEPARTMENTS, staff.id)]


def _cursor(due_at: datetime, request_id: int) -> str:
    return base64.urlsafe_b64encode(f"{due_at.isoformat()}|{request_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        due, _, request_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(due), int(request_id)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("invalid_field", field="cursor", detail="not a cursor from this list") from None


def _ref(row, prefix: str, lang: str) -> DepartmentRef:
    return DepartmentRef(
        code=row[f"{prefix}_code"], name=row[f"{prefix}_en" if lang == "en" else f"{prefix}_es"]
    )


async def inbox(
    *,
    staff: StaffPrincipal,
    now: datetime,
    lang: str,
    department: str | None,
    status: str,
    overdue_only: bool,
    cursor: str | None,
    limit: int,
) -> InboxPage:
    statuses = _STATUS_FILTERS.get(status)
    if statuses is None:
        raise BadRequest("invalid_field", field="status", detail=", ".join(_STATUS_FILTERS))
    after = _decode_cursor(cursor) if cursor else (None, 0)
    async with db.connection() as conn:
        visible = await visible_departments(conn, staff)
        wanted = visible
        if department:
            found = await conn.fetchrow(q.DEPARTMENT_BY_CODE, staff.tenant_id, department)
            if found is None:
                raise NotFound("department_not_found", department=department)
            if visible is not None and found["id"] not in visible:
                raise Forbidden("not_your_department")
            wanted = [found["id"]]
        rows = await conn.fetch(
            q.INBOX, staff.tenant_id, wanted, statuses, overdue_only, now, after[0], limit + 1, after[1]
        )
        counts = await conn.fetch(q.INBOX_COUNTS, staff.tenant_id, visible, now)
    more = len(rows) > limit
    rows = rows[:limit]
    return InboxPage(
        items=[
            InboxItem(
                id=r["id"],
                code=r["code"],
                kind=r["kind"],
                topic=_ref(r, "topic", lang),
                department=_ref(r, "department", lang),
                status=r["status"],
                summary=r["description"][:_SUMMARY_CHARS],
                received_at=r["received_at"],
                due_at=r["due_at"],
                overdue=_overdue(r, now),
                hours_left=round((r["due_at"] - now).total_seconds() / 3600, 1),
            )
            for r in rows
        ],
        open_by_department={c["code"]: c["open"] for c in counts},
        overdue_by_department={c["code"]: c["overdue"] for c in counts if c["overdue"]},
        next_cursor=_cursor(rows[-1]["due_at"], rows[-1]["id"]) if more else None,
    )


def _overdue(row, now: datetime) -> bool:
    return row["status"] in lifecycle.OPEN and row["due_at"] < now


async def detail(
    *, staff: StaffPrincipal, request_id: int, now: datetime, lang: str, storage: Storage
) -> InboxDetail:
    async with db.connection() as conn:
        return await _detail(conn, staff=staff, request_id=request_id, now=now, lang=lang, storage=storage)


async def _detail(
    conn: asyncpg.Connection,
    *,
    staff: StaffPrincipal,
    request_id: int,
    now: datetime,
    lang: str,
    storage: Storage,
    check_visible: bool = True,
) -> InboxDetail:
    row = await conn.fetchrow(q.DETAIL, staff.tenant_id, request_id)
    visible = await visible_departments(conn, staff) if check_visible else None
    if row is None or (visible is not None and row["department_id"] not in visible):
        raise NotFound("not_found")  # another department's request is as invisible as a missing one
    steps = await conn.fetch(q.STAFF_EVENTS, request_id)
    answered = row["status"] in ("answered", "dismissed")
    return InboxDetail(
        id=row["id"],
        code=row["code"],
        kind=row["kind"],
        topic=_ref(row, "topic", lang),
        department=_ref(row, "department", lang),
        status=row["status"],
        description=row["description"],
        address=row["address"],
        location=location_of(row),
        sector=row["sector_name"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        overdue=_overdue(row, now),
        answer=row["answer"] if answered else None,
        answered_at=row["answered_at"] if answered else None,
        contact=ContactRead(name=row["contact_name"], phone=row["contact_phone"], email=row["contact_email"])
        if row["contact_id"] is not None
        else None,
        photos=await photos_of(conn, request_id=request_id, storage=storage),
        events=[
            StaffEvent(
                at=s["at"],
                kind=s["kind"],
                actor=s["full_name"] or s["actor_type"],
                public=s["public"],
                data=msgspec.json.decode(s["data"]),
            )
            for s in steps
        ],
        version=row["version"],
    )


async def _step(
    *,
    staff: StaffPrincipal,
    request_id: int,
    now: datetime,
    lang: str,
    storage: Storage,
    name: str,
    version: int | None = None,
    answer: str | None = None,
    department_id: int | None = None,
    data: dict | None = None,
) -> InboxDetail:
    """Lock, check the lifecycle and the caller's department, update, record, tell: one transaction."""
    async with db.transaction() as conn:
        row = await conn.fetchrow(q.LOCK, staff.tenant_id, request_id)
        visible = await visible_departments(conn, staff)
        if row is None or (visible is not None and row["department"] not in visible):
            raise NotFound("not_found")
        if version is not None and version != row["version"]:
            raise Conflict("stale_request", extra={"current": row["status"]}, current=row["status"])
        try:
            status, public = lifecycle.command(row["status"], name, staff.role)
        except lifecycle.Refused as exc:
            if exc.reason == "forbidden_for_role":
                raise Forbidden("forbidden_for_role", role=staff.role) from None
            raise Conflict(exc.reason, extra={"current": exc.current}, current=exc.current) from None
        department = department_id if department_id is not None else row["department"]
        if name != "note":
            answered = name in ("answer", "dismiss")
            await conn.execute(
                q.UPDATE_STATUS, request_id, status, department, now, answer, staff.id, answered
            )
        await conn.execute(
            q.INSERT_EVENT, request_id, staff.tenant_id, now, name, "staff", staff.id, public,
            msgspec.json.encode(data or {}).decode(),
        )  # fmt: skip
        if name != "note":
            await events.emit(
                conn,
                tenant_id=staff.tenant_id,
                type=LIVE_EVENT,
                data={"id": request_id, "status": status, "department_id": department},
            )
        if public:
            await _push_citizen(conn, tenant_id=staff.tenant_id, request_id=request_id, step=name)
        # A clerk who transferred the request away still gets its new state back, once.
        return await _detail(
            conn, staff=staff, request_id=request_id, now=now, lang=lang, storage=storage, check_visible=False
        )


async def start(
    *, staff: StaffPrincipal, request_id: int, now: datetime, lang: str, storage: Storage
) -> InboxDetail:
    return await _step(staff=staff, request_id=request_id, now=now, lang=lang, storage=storage, name="start")


async def answer(
    *, staff: StaffPrincipal, request_id: int, body: AnswerIn, now: datetime, lang: str, storage: Storage
) -> InboxDetail:
    text = _text(body.text, "text")
    return await _step(
        staff=staff,
        request_id=request_id,
        now=now,
        lang=lang,
        storage=storage,
        name="answer",
        version=body.version,
        answer=text,
    )


async def dismiss(
    *, staff: StaffPrincipal, request_id: int, body: DismissIn, now: datetime, lang: str, storage: Storage
) -> InboxDetail:
    reason = _text(body.reason, "reason")
    return await _step(
        staff=staff,
        request_id=request_id,
        now=now,
        lang=lang,
        storage=storage,
        name="dismiss",
        version=body.version,
        answer=reason,
    )


async def transfer(
    *, staff: StaffPrincipal, request_id: int, body: TransferIn, now: datetime, lang: str, storage: Storage
) -> InboxDetail:
    async with db.connection() as conn:
        target = await conn.fetchrow(q.DEPARTMENT_BY_CODE, staff.tenant_id, body.department)
    if target is None or not target["active"]:
        raise Unprocessable("department_not_found", department=body.department)
    return await _step(
        staff=staff,
        request_id=request_id,
        now=now,
        lang=lang,
        storage=storage,
        name="transfer",
        version=body.version,
        department_id=target["id"],
        data={"to": target["code"], "note": body.note.strip()},
    )


async def note(
    *, staff: StaffPrincipal, request_id: int, body: NoteIn, now: datetime, lang: str, storage: Storage
) -> InboxDetail:
    text = _text(body.text, "text")
    return await _step(
        staff=staff,
        request_id=request_id,
        now=now,
        lang=lang,
        storage=storage,
        name="note",
        data={"text": text},
    )


async def reopen(
    *, staff: StaffPrincipal, request_id: int, now: datetime, lang: str, storage: Storage
) -> InboxDetail:
    return await _step(staff=staff, request_id=request_id, now=now, lang=lang, storage=storage, name="reopen")


async def _push_citizen(conn: asyncpg.Connection, *, tenant_id: int, request_id: int, step: str) -> None:
    """Tell the citizen's devices (if they opted in) once the step commits: the code and what happened,
    nothing more (the answer itself is read in the app, not on a lock screen)."""
    code = await conn.fetchval("SELECT code FROM participation_request WHERE id = $1", request_id)
    label = f"participation_event_{step}"
    await enqueue_push(
        conn,
        tenant_id=tenant_id,
        audience=Audience(request_id=request_id),
        message=PushMessage(
            title=f"{code}: {translate(label, 'es')}",
            url="/#/reports",
            tag=f"participation-{code}",
            translations={"en": PushText(title=f"{code}: {translate(label, 'en')}")},
        ),
    )


def _text(value: str, field: str) -> str:
    if not value.strip():
        raise Unprocessable("invalid_field", field=field, detail="empty")
    return value.strip()
