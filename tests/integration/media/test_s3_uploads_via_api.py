"""The whole photo flow in S3 mode: the phone posts the bytes straight to the bucket (presigned POST), the API
only checks them by content, and a rejected file leaves no object and no row behind."""

from __future__ import annotations

import io
import secrets

import httpx
from PIL import Image

from sereno.app import create_app
from sereno.media.storage.s3 import S3Storage
from tests.support.builders import jpeg_bytes, new_key, report_body
from tests.support.fixtures import build_settings, decode, running
from tests.support.s3_fixtures import s3_media_settings


async def _app_on_fresh_bucket(s3_server, media_dir):
    bucket = f"sereno-api-{secrets.token_hex(6)}"
    storage = S3Storage(s3_media_settings(s3_server, bucket=bucket), create_bucket=True)
    await storage.start()
    settings = build_settings(
        media_dir,
        SERENO_MEDIA_BACKEND="s3",
        SERENO_S3_ENDPOINT_URL=s3_server.endpoint_url,
        SERENO_S3_BUCKET=bucket,
        SERENO_S3_REGION=s3_server.region,
        SERENO_S3_ACCESS_KEY=s3_server.access_key,
        SERENO_S3_SECRET_KEY=s3_server.secret_key,
    )
    return create_app(settings), storage


async def _post_to_bucket(target: dict, data: bytes, content_type: str) -> httpx.Response:
    async with httpx.AsyncClient() as phone:
        files = {"file": ("photo", data, content_type)}
        return await phone.post(target["url"], data=target["fields"], files=files)


async def test_photo_goes_straight_to_the_bucket_and_renditions_are_served_by_presigned_url(
    s3_server, media_dir, city
):
    app, storage = await _app_on_fresh_bucket(s3_server, media_dir)
    async with running(app) as client:
        data = jpeg_bytes((1000, 700))
        created = decode(
            await client.post("/api/v1/uploads", json={"content_type": "image/jpeg", "size_bytes": len(data)})
        )
        target = created["upload"]
        assert target["method"] == "POST" and target["url"].startswith(s3_server.endpoint_url)
        assert (await _post_to_bucket(target, data, "image/jpeg")).status_code in (200, 201, 204)

        completed = await client.post(f"/api/v1/uploads/{created['id']}/complete")
        assert completed.status_code == 200 and decode(completed)["width"] == 1000
        report = decode(
            await client.post(
                "/api/v1/reports", json=report_body(photo_ids=[created["id"]]), headers={"Idempotency-Key": new_key()}
            )
        )
        await app.state.worker.drain()
        view = decode(
            await client.get(f"/api/v1/reports/{report['code']}", headers={"X-Tracking-Token": report["tracking_token"]})
        )
        async with httpx.AsyncClient() as browser:
            served = await browser.get(view["photos"][0]["url"])
        assert served.status_code == 200
        assert Image.open(io.BytesIO(served.content)).size == (1000, 700)
        assert b"Exif" not in served.content


async def test_bad_file_in_the_bucket_is_deleted_with_its_row(s3_server, media_dir, city):
    app, storage = await _app_on_fresh_bucket(s3_server, media_dir)
    async with running(app) as client:
        data = jpeg_bytes((1200, 900))[:5000]  # truncated
        created = decode(
            await client.post("/api/v1/uploads", json={"content_type": "image/jpeg", "size_bytes": len(data)})
        )
        assert (await _post_to_bucket(created["upload"], data, "image/jpeg")).status_code in (200, 201, 204)
        key = f"originals/{city}/{created['id']}"
        assert await storage.exists(key)

        completed = await client.post(f"/api/v1/uploads/{created['id']}/complete")
        assert completed.status_code == 422 and decode(completed)["error"] == "photo_truncated"
        assert not await storage.exists(key)
        from sereno.core import db as core_db

        async with core_db.connection() as conn:
            assert await conn.fetchval("SELECT count(*) FROM attachment WHERE id = $1::uuid", created["id"]) == 0


async def test_bucket_refuses_a_body_larger_than_announced(s3_server, media_dir, city):
    app, storage = await _app_on_fresh_bucket(s3_server, media_dir)
    async with running(app) as client:
        data = jpeg_bytes()
        created = decode(
            await client.post("/api/v1/uploads", json={"content_type": "image/jpeg", "size_bytes": len(data)})
        )
        response = await _post_to_bucket(created["upload"], data + b"\x00" * 5000, "image/jpeg")
        assert response.status_code == 400
        assert not await storage.exists(f"originals/{city}/{created['id']}")
