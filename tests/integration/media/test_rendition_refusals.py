"""Renditions are made only of the bytes checked at confirmation, and a photo the renditions refuse is refused
for good: marked, never shown, its outbox message done rather than retried for ever."""

from __future__ import annotations

import json

import pytest
from sereno.app import create_app

from tests.integration.media.test_photo_uploads import _upload
from tests.integration.media.test_s3_uploads_via_api import _app_on_fresh_bucket, _post_to_bucket
from tests.support.builders import jpeg_bytes, new_key, report_body
from tests.support.fixtures import build_settings, decode, running
from tests.support.photos import encode, photo

_RENDITION = """
SELECT e.done_at, e.attempts, e.last_error, a.status, a.display_key, a.thumb_key
FROM outbox_event e JOIN attachment a ON a.id = (e.payload->>'id')::uuid
WHERE e.topic = 'attachment.ready' AND a.id = $1::uuid
"""


async def _report_with_photo(client, upload_id: str) -> dict:
    response = await client.post(
        "/api/v1/reports", json=report_body(photo_ids=[upload_id]), headers={"Idempotency-Key": new_key()}
    )
    assert response.status_code == 201, response.text
    return decode(response)


async def _citizen_view(client, report: dict) -> dict:
    response = await client.get(
        f"/api/v1/reports/{report['code']}", headers={"X-Tracking-Token": report["tracking_token"]}
    )
    assert response.status_code == 200, response.text
    return decode(response)


async def test_a_photo_the_renditions_refuse_is_marked_rejected_and_not_retried(media_dir, city, db) -> None:
    # Confirmed under one pixel limit, rendered by a worker started with a lower one: make_renditions checks
    # the limit again and raises ImageRejected, which no retry can change.
    confirming = create_app(build_settings(media_dir, SERENO_IMAGE_PROCESSES="0"))
    async with running(confirming) as client:
        upload_id, completed = await _upload(client, jpeg_bytes((1600, 1200)))
        assert completed.status_code == 200, completed.text
        report = await _report_with_photo(client, upload_id)

    rendering = create_app(
        build_settings(media_dir, SERENO_IMAGE_PROCESSES="0", SERENO_MEDIA_MAX_PIXELS="10000")
    )
    async with running(rendering) as client:
        await rendering.state.worker.drain()

        row = await db.fetchrow(_RENDITION, upload_id)
        assert row["done_at"] is not None and row["attempts"] == 1 and row["last_error"] is None
        assert row["status"] == "rejected" and row["display_key"] is None
        assert not list(media_dir.rglob(f"*{upload_id}*"))  # the original is gone, no rendition was written
        assert (await _citizen_view(client, report))["photos"] == []
        # Staff are told in the incident's timeline (not the citizen: the entry is not public).
        refused = await db.fetchrow(
            "SELECT e.data, e.public, e.actor_type FROM incident_event e JOIN attachment a ON a.incident = e.incident "
            "WHERE a.id = $1::uuid AND e.kind = 'photo_refused'",
            upload_id,
        )
        assert refused is not None and refused["public"] is False and refused["actor_type"] == "system"
        assert json.loads(refused["data"]) == {"photo": upload_id, "why": "rejected"}
        again = await client.post(f"/api/v1/uploads/{upload_id}/complete")
        assert again.status_code == 422 and decode(again)["error"] == "photo_rejected", again.text
        # A report that names it (its renditions are made after the confirmation, maybe before the report is
        # sent) is told the photo was refused, not that it is still uploading.
        named = await client.post(
            "/api/v1/reports", json=report_body(photo_ids=[upload_id]), headers={"Idempotency-Key": new_key()}
        )
        assert named.status_code == 422 and decode(named)["error"] == "photo_rejected", named.text


def _same_size_other_photo(original: bytes) -> bytes:
    """A different, perfectly decodable JPEG of exactly the original's length (padded after its end marker)."""
    other = jpeg_bytes((400, 300), color=(20, 20, 220))
    assert len(other) < len(original)
    return other + b"\x00" * (len(original) - len(other))


@pytest.mark.parametrize("same_size", [True, False], ids=["same_size", "other_size"])
async def test_an_s3_original_replaced_after_confirmation_is_never_rendered(
    s3_server, media_dir, city, db, same_size: bool
) -> None:
    app, storage = await _app_on_fresh_bucket(s3_server, media_dir)
    async with running(app) as client:
        checked = encode(photo(1200, 900))
        created = decode(
            await client.post(
                "/api/v1/uploads", json={"content_type": "image/jpeg", "size_bytes": len(checked)}
            )
        )
        target, upload_id = created["upload"], created["id"]
        assert (await _post_to_bucket(target, checked, "image/jpeg")).status_code in (200, 201, 204)
        completed = await client.post(f"/api/v1/uploads/{upload_id}/complete")
        assert completed.status_code == 200, completed.text
        report = await _report_with_photo(client, upload_id)

        # The presigned POST is still valid after confirmation: the bucket takes other bytes under the key.
        swapped = _same_size_other_photo(checked) if same_size else jpeg_bytes((300, 200))
        assert (await _post_to_bucket(target, swapped, "image/jpeg")).status_code in (200, 201, 204)
        key = f"originals/{city}/{upload_id}"
        assert await storage.read(key, max_bytes=len(checked)) == swapped
        await app.state.worker.drain()

        row = await db.fetchrow(_RENDITION, upload_id)
        assert row["done_at"] is not None and row["attempts"] == 1 and row["last_error"] is None
        assert row["status"] == "replaced" and row["display_key"] is None and row["thumb_key"] is None
        assert not await storage.exists(key)
        assert not await storage.exists(f"renditions/{city}/{upload_id}/display.jpg")
        assert (await _citizen_view(client, report))["photos"] == []
        again = await client.post(f"/api/v1/uploads/{upload_id}/complete")
        assert again.status_code == 422 and decode(again)["error"] == "photo_replaced", again.text


async def test_an_s3_original_left_alone_is_rendered(s3_server, media_dir, city, db) -> None:
    # The counterpart of the test above: the same steps without the second POST give a rendered photo.
    app, storage = await _app_on_fresh_bucket(s3_server, media_dir)
    async with running(app) as client:
        checked = encode(photo(1200, 900))
        created = decode(
            await client.post(
                "/api/v1/uploads", json={"content_type": "image/jpeg", "size_bytes": len(checked)}
            )
        )
        assert (await _post_to_bucket(created["upload"], checked, "image/jpeg")).status_code in (
            200,
            201,
            204,
        )
        assert (await client.post(f"/api/v1/uploads/{created['id']}/complete")).status_code == 200
        report = await _report_with_photo(client, created["id"])
        await app.state.worker.drain()

        row = await db.fetchrow(_RENDITION, created["id"])
        assert row["status"] == "attached" and row["display_key"].endswith("/display.jpg")
        assert len((await _citizen_view(client, report))["photos"]) == 1
