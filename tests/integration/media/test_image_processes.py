"""Photos checked and rendered in child processes (SERENO_IMAGE_PROCESSES) or in a thread (0): the same answers
through the API, and a child that dies or hangs costs one retried job (or one 503), never the server."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from sereno.app import create_app
from sereno.media import images

from tests.integration.media.test_photo_uploads import _upload
from tests.support.builders import jpeg_bytes, new_key, report_body
from tests.support.fixtures import build_settings, decode, running
from tests.support.hung_decoder import decode_forever
from tests.support.photos import png_bomb

_RENDITION = """
SELECT e.done_at, e.attempts, e.last_error, a.display_key
FROM outbox_event e JOIN attachment a ON a.id = (e.payload->>'id')::uuid
WHERE e.topic = 'attachment.ready' AND a.id = $1::uuid
"""


@pytest.fixture(scope="module", params=[0, 1], ids=["in_a_thread", "in_a_child"])
async def photo_app(request, media_dir, city) -> AsyncIterator:
    app = create_app(build_settings(media_dir, SERENO_IMAGE_PROCESSES=str(request.param)))
    async with running(app) as client:
        yield app, client


async def _report_with_photo(client, upload_id: str) -> None:
    response = await client.post(
        "/api/v1/reports", json=report_body(photo_ids=[upload_id]), headers={"Idempotency-Key": new_key()}
    )
    assert response.status_code == 201, response.text


async def test_photo_is_checked_and_rendered(photo_app, db) -> None:
    app, client = photo_app
    upload_id, completed = await _upload(client, jpeg_bytes((2000, 1500)))
    assert completed.status_code == 200 and decode(completed)["width"] == 2000, completed.text
    await _report_with_photo(client, upload_id)

    await app.state.worker.drain()

    row = await db.fetchrow(_RENDITION, upload_id)
    assert row["done_at"] is not None and row["display_key"].endswith("/display.jpg")
    served = await client.get(urlsplit(await app.state.storage.url_for(row["display_key"])).path)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("data", "content_type", "error"),
    [
        (jpeg_bytes((1200, 900))[:6000], "image/jpeg", "photo_truncated"),
        (png_bomb(60_000, 60_000), "image/png", "photo_too_many_pixels"),
    ],
    ids=["truncated", "bomb"],
)
async def test_bad_photo_gets_the_same_4xx(photo_app, data: bytes, content_type: str, error: str) -> None:
    _, client = photo_app
    _, completed = await _upload(client, data, content_type)

    assert completed.status_code == 422 and decode(completed)["error"] == error


async def test_a_killed_child_fails_one_rendition_which_the_outbox_retries(media_dir, city, db) -> None:
    app = create_app(build_settings(media_dir, SERENO_IMAGE_PROCESSES="1"))
    async with running(app) as client:
        upload_id, completed = await _upload(client, jpeg_bytes((1600, 1200)))
        assert completed.status_code == 200, completed.text
        await _report_with_photo(client, upload_id)
        pool = app.state.image_pool
        child = await pool.run(os.getpid)
        assert child != os.getpid()

        os.kill(child, signal.SIGKILL)
        await app.state.worker.drain()

        failed = await db.fetchrow(_RENDITION, upload_id)
        assert failed["done_at"] is None and failed["display_key"] is None
        assert "BrokenProcessPool" in failed["last_error"]
        # The next job gets a new child: a confirmation succeeds at once.
        _, next_completed = await _upload(client, jpeg_bytes((800, 600)))
        assert next_completed.status_code == 200, next_completed.text
        assert await pool.run(os.getpid) not in (child, os.getpid())

        await db.execute(
            "UPDATE outbox_event SET available_at = now() "
            "WHERE topic = 'attachment.ready' AND payload->>'id' = $1",
            upload_id,
        )
        await app.state.worker.drain()

        retried = await db.fetchrow(_RENDITION, upload_id)
        assert retried["done_at"] is not None and retried["attempts"] == 2
        assert retried["display_key"].endswith("/display.jpg")


async def test_a_confirmation_that_meets_a_killed_child_answers_503_and_succeeds_when_repeated(
    media_dir, city, db
) -> None:
    app = create_app(build_settings(media_dir, SERENO_IMAGE_PROCESSES="1"))
    async with running(app) as client:
        child = await app.state.image_pool.run(os.getpid)
        os.kill(child, signal.SIGKILL)

        upload_id, completed = await _upload(client, jpeg_bytes())
        assert completed.status_code == 503 and completed.headers["retry-after"], completed.text
        assert await db.fetchval("SELECT status FROM attachment WHERE id = $1::uuid", upload_id) == "pending"

        again = await client.post(f"/api/v1/uploads/{upload_id}/complete")
        assert again.status_code == 200 and decode(again)["status"] == "ready", again.text


async def test_a_hung_decoder_costs_a_503_and_a_retried_rendition_and_the_next_jobs_succeed(
    media_dir, city, db, monkeypatch
) -> None:
    app = create_app(build_settings(media_dir, SERENO_IMAGE_PROCESSES="1", SERENO_IMAGE_TIMEOUT_S="2"))
    async with running(app) as client:
        upload_id, completed = await _upload(client, jpeg_bytes((1600, 1200)))
        assert completed.status_code == 200, completed.text
        await _report_with_photo(client, upload_id)
        pool = app.state.image_pool
        child = await pool.run(os.getpid)

        # Both jobs meet a decoder that never returns (a test hook the child imports by name).
        with monkeypatch.context() as hung:
            hung.setattr(images, "inspect_image", decode_forever)
            hung.setattr(images, "make_renditions", decode_forever)
            pending_id, stuck = await _upload(client, jpeg_bytes((800, 600)))
            assert stuck.status_code == 503 and stuck.headers["retry-after"], stuck.text
            await app.state.worker.drain()

        failed = await db.fetchrow(_RENDITION, upload_id)
        assert failed["done_at"] is None and failed["display_key"] is None
        assert "ImageTimeout" in failed["last_error"]
        assert await db.fetchval("SELECT status FROM attachment WHERE id = $1::uuid", pending_id) == "pending"
        assert await pool.run(os.getpid) not in (child, os.getpid())  # a new child took over

        again = await client.post(f"/api/v1/uploads/{pending_id}/complete")
        assert again.status_code == 200 and decode(again)["status"] == "ready", again.text
        await db.execute(
            "UPDATE outbox_event SET available_at = now() "
            "WHERE topic = 'attachment.ready' AND payload->>'id' = $1",
            upload_id,
        )
        await app.state.worker.drain()
        retried = await db.fetchrow(_RENDITION, upload_id)
        assert retried["done_at"] is not None and retried["display_key"].endswith("/display.jpg")
