"""Photos on a citizen's request: attached once with the request, refused clearly when they cannot be, and
only ever shown as renditions, to the citizen and to the clerks of the request's department."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import asyncpg
import pytest
from sereno.core import db as core_db

from tests.integration.participation.test_citizen import file, request_body, view
from tests.support.builders import create_city, new_key, report_body
from tests.support.fixtures import decode
from tests.support.photos import encode, exif_with_gps, photo
from tests.support.uploads import unconfirmed_upload, upload_photo

_INBOX = "/api/v1/participation/inbox"
NEIGHBOUR = {"slug": "vecina", "name": "Ciudad Vecina", "prefix": "VEC"}


@pytest.fixture(scope="module")
async def neighbour(client) -> str:
    async with core_db.connection() as conn:
        if await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", NEIGHBOUR["slug"]) is None:
            await create_city(conn, **NEIGHBOUR)
    return NEIGHBOUR["slug"]


async def _attachments(db, code: str) -> list[asyncpg.Record]:
    return await db.fetch(
        """SELECT a.id::text AS id, a.status, a.position, a.incident FROM attachment a
           JOIN participation_request r ON r.id = a.participation_request WHERE r.code = $1 ORDER BY a.position""",
        code,
    )


async def _status(db, photo_id: str) -> tuple[str, int | None, int | None]:
    row = await db.fetchrow(
        "SELECT status, incident, participation_request FROM attachment WHERE id = $1::uuid", photo_id
    )
    return row["status"], row["incident"], row["participation_request"]


async def _filed(client, photo_ids: list[str], **overrides) -> dict:
    response = await file(client, request_body(photo_ids=photo_ids, **overrides))
    assert response.status_code == 201, response.text
    return decode(response)


async def test_photos_are_attached_in_order_and_the_citizen_sees_renditions_without_metadata(
    client, app, db, city
):
    with_gps = encode(photo(640, 480), exif=exif_with_gps())
    first, second = await upload_photo(client, with_gps), await upload_photo(client)
    created = await _filed(client, [first, second])

    assert [
        (a["id"], a["status"], a["position"], a["incident"]) for a in await _attachments(db, created["code"])
    ] == [
        (first, "attached", 1, None),
        (second, "attached", 2, None),
    ]
    before = decode(await view(client, created["code"], created["tracking_token"]))
    assert before["photos"] == []  # renditions are the worker's job; an original is never offered instead

    assert await app.state.worker.drain() >= 2
    mine = decode(await view(client, created["code"], created["tracking_token"]))
    assert len(mine["photos"]) == 2
    for shown in mine["photos"]:
        for url in (shown["url"], shown["thumb_url"]):
            assert urlsplit(url).path.startswith("/media/renditions/")
            served = await client.get(urlsplit(url).path)
            assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
            assert b"Exif" not in served.content and b"SerenoTestCam" not in served.content
    assert first in mine["photos"][0]["url"] and second in mine["photos"][1]["url"]
    original = await client.get(f"/media/originals/{city}/{first}")
    assert original.status_code == 404


async def test_a_retry_with_the_same_key_attaches_once_and_other_photos_under_it_are_refused(client, db):
    photos = [await upload_photo(client), await upload_photo(client)]
    key, body = new_key(), request_body(photo_ids=photos, description="Reintento con fotos del poste caído")
    first = await file(client, body, key)
    again = await file(client, body, key)
    assert first.status_code == again.status_code == 201, again.text
    assert decode(again) == decode(first)
    assert (
        await db.fetchval(
            "SELECT count(*) FROM participation_request WHERE description = $1", body["description"]
        )
        == 1
    )
    assert [a["id"] for a in await _attachments(db, decode(first)["code"])] == photos

    other = await upload_photo(client)
    reused = await file(client, {**body, "photo_ids": [other]}, key)
    assert reused.status_code == 422 and decode(reused)["error"] == "idempotency_key_reused"
    assert await _status(db, other) == ("ready", None, None)


async def _photo_of_another_request(client, neighbour: str) -> str:
    taken = await upload_photo(client)
    await _filed(client, [taken])
    return taken


async def _photo_of_a_report(client, neighbour: str) -> str:
    taken = await upload_photo(client)
    filed = await client.post("/api/v1/reports", json=report_body(photo_ids=[taken]),
                              headers={"Idempotency-Key": new_key()})  # fmt: skip
    assert filed.status_code == 201, filed.text
    return taken


async def _photo_of_another_city(client, neighbour: str) -> str:
    return await upload_photo(client, headers={"X-Sereno-Tenant": neighbour})


async def _unknown_photo(client, neighbour: str) -> str:
    return str(uuid.uuid4())


async def _unconfirmed_photo(client, neighbour: str) -> str:
    return (await unconfirmed_upload(client, encode(photo())))["id"]


REFUSED = {
    "unknown": (_unknown_photo, "photo_not_found"),
    "another_city": (_photo_of_another_city, "photo_not_found"),
    "attached_to_another_request": (_photo_of_another_request, "photo_not_found"),
    "attached_to_a_report": (_photo_of_a_report, "photo_not_found"),
    "not_confirmed": (_unconfirmed_photo, "photo_not_ready"),
}
MESSAGES = {
    "photo_not_found": ("no existe o ya fue enviada", "does not exist or was already sent"),
    "photo_not_ready": ("aún no terminó de subirse", "has not finished uploading"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
async def test_a_photo_that_cannot_be_attached_is_refused_and_nothing_is_filed(client, db, neighbour, case):
    make, error = REFUSED[case]
    bad, good = await make(client, neighbour), await upload_photo(client)
    before = await _status(db, bad) if case != "unknown" else None
    key, description = new_key(), f"Poste apagado, foto rechazada ({case})"
    body = request_body(photo_ids=[good, bad], description=description)

    for lang, expected in zip(("es", "en"), MESSAGES[error], strict=True):
        refused = await file(client, body, key, lang=lang)
        assert refused.status_code == 422, refused.text
        assert decode(refused)["error"] == error and expected in decode(refused)["detail"]
        assert bad in decode(refused)["detail"]
    assert (
        await db.fetchval("SELECT count(*) FROM participation_request WHERE description = $1", description)
        == 0
    )
    assert await _status(db, good) == ("ready", None, None)
    if before is not None:
        assert await _status(db, bad) == before
    # Nothing was claimed either: the same key files the request once the bad photo is left out.
    fixed = await file(client, {**body, "photo_ids": [good]}, key)
    assert fixed.status_code == 201, fixed.text


async def test_a_photo_named_twice_or_more_than_three_photos_are_refused(client, db):
    one = await upload_photo(client)
    twice = await file(client, request_body(photo_ids=[one, one]))
    assert twice.status_code == 422 and decode(twice)["error"] == "invalid_field"
    four = await file(client, request_body(photo_ids=[str(uuid.uuid4()) for _ in range(4)]))
    assert four.status_code == 400 and "photo_ids" in decode(four)["detail"]
    assert await _status(db, one) == ("ready", None, None)


async def test_the_clerk_of_the_department_sees_the_renditions_another_department_does_not(
    client, app, db, desks
):
    photo_id = await upload_photo(client)
    created = await _filed(client, [photo_id])
    await app.state.worker.drain()
    request_id = await db.fetchval("SELECT id FROM participation_request WHERE code = $1", created["code"])

    seen = decode(await client.get(f"{_INBOX}/{request_id}", headers=desks["lighting"].headers))
    assert len(seen["photos"]) == 1 and photo_id in seen["photos"][0]["thumb_url"]
    assert all(urlsplit(u).path.startswith("/media/renditions/") for u in seen["photos"][0].values())
    started = decode(await client.post(f"{_INBOX}/{request_id}/start", headers=desks["lighting"].headers))
    assert started["photos"] == seen["photos"]  # each step's answer keeps them for the console

    other = await client.get(f"{_INBOX}/{request_id}", headers=desks["waste"].headers)
    assert other.status_code == 404 and photo_id not in other.text
    listed = await client.get(_INBOX, params={"limit": 200}, headers=desks["lighting"].headers)
    assert photo_id not in listed.text  # the queue lists summaries; photos only in the detail


async def test_a_photo_belongs_to_one_thing_only(client, db):
    photo_id = await upload_photo(client)
    created = await _filed(client, [photo_id])
    report = await client.post("/api/v1/reports", json=report_body(), headers={"Idempotency-Key": new_key()})
    incident_id = await db.fetchval("SELECT id FROM incident WHERE code = $1", decode(report)["code"])
    with pytest.raises(asyncpg.CheckViolationError, match="attachment_one_owner"):
        await db.execute("UPDATE attachment SET incident = $1 WHERE id = $2::uuid", incident_id, photo_id)
    assert await _status(db, photo_id) == (
        "attached",
        None,
        await db.fetchval("SELECT id FROM participation_request WHERE code = $1", created["code"]),
    )
