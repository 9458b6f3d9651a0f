"""The municipality answers: department queues, deadlines and overdue flags, answer / transfer / dismiss /
reopen, the audit trail, and the answer reaching the citizen's own view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sereno.core.clock import FixedClock
from sereno.participation.handlers import flag_overdue
from tests.integration.participation.test_citizen import file, request_body, view
from tests.support.fixtures import decode

_INBOX = "/api/v1/participation/inbox"


async def _filed(client, **overrides) -> dict:
    response = await file(client, request_body(**overrides))
    assert response.status_code == 201, response.text
    return decode(response)


async def _id(db, code: str) -> int:
    return await db.fetchval("SELECT id FROM participation_request WHERE code = $1", code)


async def test_a_clerk_sees_only_their_departments_queue_a_supervisor_sees_every_queue(client, db, desks):
    light = await _filed(client)
    waste = await _filed(client, topic="rubbish_not_collected", description="Basura acumulada en el parque")
    lighting = decode(await client.get(_INBOX, params={"limit": 200}, headers=desks["lighting"].headers))
    codes = {item["code"] for item in lighting["items"]}
    assert light["code"] in codes and waste["code"] not in codes
    assert set(lighting["open_by_department"]) == {"public_lighting"}

    everything = decode(await client.get(_INBOX, params={"limit": 200}, headers=desks["supervisor"].headers))
    assert {light["code"], waste["code"]} <= {item["code"] for item in everything["items"]}

    other = await client.get(f"{_INBOX}/{await _id(db, waste['code'])}", headers=desks["lighting"].headers)
    assert other.status_code == 404  # another department's request is as invisible as a missing one
    refused = await client.get(_INBOX, params={"department": "solid_waste"}, headers=desks["lighting"].headers)
    assert refused.status_code == 403


async def test_queue_is_ordered_by_deadline_and_flags_what_is_overdue(client, db, desks):
    late, fresh = await _filed(client), await _filed(client)
    await db.execute(
        "UPDATE participation_request SET received_at = now() - interval '4 days', due_at = now() - interval '1 day' "
        "WHERE code = $1",
        late["code"],
    )
    page = decode(await client.get(_INBOX, params={"department": "public_lighting", "limit": 200},
                                    headers=desks["lighting"].headers))  # fmt: skip
    order = [item["code"] for item in page["items"]]
    assert order.index(late["code"]) < order.index(fresh["code"])
    by_code = {item["code"]: item for item in page["items"]}
    assert by_code[late["code"]]["overdue"] is True and by_code[late["code"]]["hours_left"] < -23
    assert by_code[fresh["code"]]["overdue"] is False and by_code[fresh["code"]]["hours_left"] > 71
    assert page["overdue_by_department"]["public_lighting"] >= 1

    only_late = decode(await client.get(_INBOX, params={"overdue": "true", "limit": 200},
                                         headers=desks["lighting"].headers))  # fmt: skip
    assert late["code"] in {i["code"] for i in only_late["items"]}
    assert fresh["code"] not in {i["code"] for i in only_late["items"]}


async def test_the_worker_flags_a_late_request_once_with_a_timeline_entry(client, db):
    late = await _filed(client)
    request_id = await _id(db, late["code"])
    await db.execute("UPDATE participation_request SET due_at = $2 WHERE id = $1", request_id,
                     datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    clock = FixedClock(datetime(2026, 1, 2, tzinfo=UTC))
    assert await flag_overdue(clock=clock) >= 1
    await flag_overdue(clock=clock)  # a second sweep flags nothing again
    kinds = [r["kind"] for r in await db.fetch(
        "SELECT kind FROM participation_event WHERE request = $1 ORDER BY id", request_id)]  # fmt: skip
    assert kinds == ["received", "overdue"]
    assert await db.fetchval("SELECT overdue_at FROM participation_request WHERE id = $1", request_id) == clock.now()


async def test_answer_reaches_the_citizen_and_the_trail_records_who_did_what(client, db, desks):
    filed = await _filed(client, contact={"name": "Luis Paredes", "phone": "949 000 111"})
    request_id = await _id(db, filed["code"])
    clerk = desks["lighting"]

    detail = decode(await client.get(f"{_INBOX}/{request_id}", headers=clerk.headers))
    assert detail["contact"] == {"name": "Luis Paredes", "phone": "949 000 111", "email": ""}
    assert detail["status"] == "received" and detail["overdue"] is False

    started = decode(await client.post(f"{_INBOX}/{request_id}/start", headers=clerk.headers))
    noted = await client.post(f"{_INBOX}/{request_id}/notes", json={"text": "Llamar a Hidrandina"},
                              headers=clerk.headers)  # fmt: skip
    assert started["status"] == "in_progress" and noted.status_code == 200
    answer = "Cambiamos la luminaria el martes. Gracias por avisar."
    answered = await client.post(f"{_INBOX}/{request_id}/answer",
                                 json={"text": answer, "version": decode(noted)["version"]}, headers=clerk.headers)  # fmt: skip
    assert answered.status_code == 200, answered.text
    assert decode(answered)["status"] == "answered"
    trail = [(e["kind"], e["actor"], e["public"]) for e in decode(answered)["events"]]
    assert trail == [
        ("received", "citizen", True),
        ("start", "Clerk public_lighting", True),
        ("note", "Clerk public_lighting", False),
        ("answer", "Clerk public_lighting", True),
    ]

    mine = decode(await view(client, filed["code"], filed["tracking_token"], lang="en"))
    assert mine["status"] == "answered" and mine["status_label"] == "Answered"
    assert mine["answer"] == answer and mine["answered_at"] is not None
    assert [s["kind"] for s in mine["timeline"]] == ["received", "start", "answer"]  # the note stays inside
    assert "Hidrandina" not in str(mine)

    again = await client.post(f"{_INBOX}/{request_id}/answer", json={"text": "Otra vez"}, headers=clerk.headers)
    assert again.status_code == 409 and decode(again)["current"] == "answered"


async def test_a_stale_version_is_refused_so_two_clerks_never_both_answer(client, db, desks):
    request_id = await _id(db, (await _filed(client))["code"])
    version = decode(await client.get(f"{_INBOX}/{request_id}", headers=desks["lighting"].headers))["version"]
    await client.post(f"{_INBOX}/{request_id}/start", headers=desks["supervisor"].headers)
    stale = await client.post(f"{_INBOX}/{request_id}/answer", json={"text": "Listo", "version": version},
                              headers=desks["lighting"].headers)  # fmt: skip
    assert stale.status_code == 409 and decode(stale)["error"] == "stale_request"


async def test_transfer_moves_the_request_to_the_right_queue_and_keeps_the_citizens_deadline(client, db, desks):
    filed = await _filed(client, description="En realidad es un montón de basura bajo el poste")
    request_id = await _id(db, filed["code"])
    moved = await client.post(f"{_INBOX}/{request_id}/transfer",
                              json={"department": "solid_waste", "note": "No es alumbrado"},
                              headers=desks["lighting"].headers)  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert decode(moved)["department"]["code"] == "solid_waste" and decode(moved)["due_at"] == filed["due_at"]
    assert (await client.get(f"{_INBOX}/{request_id}", headers=desks["lighting"].headers)).status_code == 404
    assert (await client.get(f"{_INBOX}/{request_id}", headers=desks["waste"].headers)).status_code == 200

    nowhere = await client.post(f"{_INBOX}/{request_id}/transfer", json={"department": "mars"},
                                headers=desks["waste"].headers)  # fmt: skip
    assert nowhere.status_code == 422 and decode(nowhere)["error"] == "department_not_found"
    mine = decode(await view(client, filed["code"], filed["tracking_token"]))
    assert mine["department"]["code"] == "solid_waste" and mine["timeline"][-1]["kind"] == "transfer"


async def test_dismissal_tells_the_citizen_why_and_only_a_supervisor_reopens(client, db, desks):
    filed = await _filed(client)
    request_id = await _id(db, filed["code"])
    reason = "El poste es de una empresa privada; la municipalidad no puede intervenir."
    dismissed = await client.post(f"{_INBOX}/{request_id}/dismiss", json={"reason": reason},
                                  headers=desks["lighting"].headers)  # fmt: skip
    assert decode(dismissed)["status"] == "dismissed"
    mine = decode(await view(client, filed["code"], filed["tracking_token"]))
    assert mine["status_label"] == "Cerrada sin atender" and mine["answer"] == reason

    clerk_reopen = await client.post(f"{_INBOX}/{request_id}/reopen", headers=desks["lighting"].headers)
    assert clerk_reopen.status_code == 403
    reopened = await client.post(f"{_INBOX}/{request_id}/reopen", headers=desks["supervisor"].headers)
    assert decode(reopened)["status"] == "in_progress" and decode(reopened)["answer"] is None


async def test_inbox_pages_with_a_cursor_without_gaps_or_repeats(client, db, city, desks):
    for n in range(5):
        await _filed(client, description=f"Paginación {n}")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "status": "all", **({"cursor": cursor} if cursor else {})}
        page = decode(await client.get(_INBOX, params=params, headers=desks["supervisor"].headers))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    total = await db.fetchval("SELECT count(*) FROM participation_request WHERE tenant = $1", city)
    assert len(seen) == len(set(seen)) == total
    bad = await client.get(_INBOX, params={"cursor": "not-a-cursor"}, headers=desks["supervisor"].headers)
    assert bad.status_code == 400


async def test_a_departments_deadline_is_set_by_an_admin_and_applies_to_new_requests(client, db, desks):
    departments = "/api/v1/participation/departments"
    changed = await client.patch(f"{departments}/parks", json={"answer_within_h": 24},
                                 headers=desks["admin"].headers)  # fmt: skip
    assert changed.status_code == 200 and decode(changed)["answer_within_h"] == 24
    filed = await _filed(client, topic="park_upkeep", description="Juegos rotos en el parque")
    due = datetime.fromisoformat(filed["due_at"]) - datetime.fromisoformat(filed["received_at"])
    assert due == timedelta(hours=24)
    audit = await db.fetchrow("SELECT * FROM audit_entry WHERE action = 'department.change' ORDER BY id DESC LIMIT 1")
    assert audit["actor_id"] == desks["admin"].member.id and audit["subject"] == "parks"

    not_clerks = await client.put(f"{departments}/parks/members",
                                  json={"account_ids": [desks["supervisor"].member.id]},
                                  headers=desks["admin"].headers)  # fmt: skip
    assert not_clerks.status_code == 422 and decode(not_clerks)["error"] == "not_a_clerk"
    members = await client.put(f"{departments}/parks/members",
                               json={"account_ids": [desks["waste"].member.id]}, headers=desks["admin"].headers)  # fmt: skip
    assert decode(members)["members"] == [desks["waste"].member.id]
    park = decode(await client.get(_INBOX, params={"department": "parks"}, headers=desks["waste"].headers))
    assert filed["code"] in {i["code"] for i in park["items"]}
