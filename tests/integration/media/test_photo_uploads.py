"""Photo uploads through the local backend: accepted photos get metadata-free renditions made by the worker;
every bad file is refused with a clear 4xx and leaves nothing behind (no row, no file)."""

from __future__ import annotations

import io
import struct
import zlib
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.support.builders import jpeg_bytes, new_key, png_bytes, report_body
from tests.support.fixtures import decode


async def _create(client, content_type: str, size: int):
    return await client.post("/api/v1/uploads", json={"content_type": content_type, "size_bytes": size})


async def _upload(client, data: bytes, content_type: str = "image/jpeg", declared: str | None = None):
    """The three client steps; returns (upload id, complete response)."""
    created = await _create(client, declared or content_type, len(data))
    assert created.status_code == 201, created.text
    body = decode(created)
    target = body["upload"]
    assert target["method"] == "PUT"
    url = urlsplit(target["url"])
    put = await client.put(f"{url.path}?{url.query}", content=data, headers=target["headers"])
    assert put.status_code == 204, put.text
    return body["id"], await client.post(f"/api/v1/uploads/{body['id']}/complete")


async def _nothing_stored(db, media_dir, upload_id: str) -> bool:
    rows = await db.fetchval("SELECT count(*) FROM attachment WHERE id = $1::uuid", upload_id)
    files = [p for p in media_dir.rglob(f"*{upload_id}*")]
    return rows == 0 and files == []


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (800, 600), (90, 140, 30))
    exif = Image.Exif()
    exif[0x0112] = 1
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (8.0, 6.0, 30.0), "W", (79.0, 2.0, 10.0)
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


async def test_photo_is_attached_to_the_report_and_served_without_gps(client, app, db):
    original = _jpeg_with_gps()
    assert b"Exif" in original
    upload_id, completed = await _upload(client, original)
    assert completed.status_code == 200, completed.text
    info = decode(completed)
    assert (info["status"], info["content_type"], info["width"], info["height"]) == ("ready", "image/jpeg", 800, 600)

    response = await client.post(
        "/api/v1/reports", json=report_body(photo_ids=[upload_id]), headers={"Idempotency-Key": new_key()}
    )
    assert response.status_code == 201, response.text
    created = decode(response)
    assert await app.state.worker.drain() >= 1  # renditions are made by the worker, not the request

    view = decode(
        await client.get(f"/api/v1/reports/{created['code']}", headers={"X-Tracking-Token": created["tracking_token"]})
    )
    assert len(view["photos"]) == 1
    for url in (view["photos"][0]["url"], view["photos"][0]["thumb_url"]):
        served = await client.get(urlsplit(url).path)
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert b"Exif" not in served.content and b"GPS" not in served.content
        assert len(Image.open(io.BytesIO(served.content)).getexif()) == 0


async def test_a_photo_cannot_be_attached_to_two_reports(client):
    upload_id, completed = await _upload(client, jpeg_bytes())
    assert completed.status_code == 200
    first = await client.post(
        "/api/v1/reports", json=report_body(photo_ids=[upload_id]), headers={"Idempotency-Key": new_key()}
    )
    assert first.status_code == 201
    second = await client.post(
        "/api/v1/reports", json=report_body(photo_ids=[upload_id]), headers={"Idempotency-Key": new_key()}
    )
    assert second.status_code == 422 and decode(second)["error"] == "photo_not_found"


async def test_a_retried_report_with_photos_gets_its_original_answer(client, db):
    """The phone never heard the first answer (the signal dropped) and sends the same report again: the photos
    are attached by then, and the retry must still be the same report, not a refusal."""
    upload_id, completed = await _upload(client, jpeg_bytes())
    assert completed.status_code == 200
    body, key = report_body(photo_ids=[upload_id]), new_key()
    first = await client.post("/api/v1/reports", json=body, headers={"Idempotency-Key": key})
    again = await client.post("/api/v1/reports", json=body, headers={"Idempotency-Key": key})

    assert first.status_code == 201 and again.status_code == 201, again.text
    assert decode(again) == decode(first)
    code = decode(first)["code"]
    assert await db.fetchval("SELECT count(*) FROM incident WHERE code = $1", code) == 1
    attached = await db.fetchval(
        "SELECT i.code FROM attachment a JOIN incident i ON i.id = a.incident WHERE a.id = $1::uuid", upload_id
    )
    assert attached == code
    other = await client.post(
        "/api/v1/reports", json=report_body(description="Otro texto"), headers={"Idempotency-Key": key}
    )
    assert other.status_code == 422 and decode(other)["error"] == "idempotency_key_reused"


async def test_report_with_unconfirmed_upload_is_refused(client):
    created = decode(await _create(client, "image/jpeg", 1000))
    response = await client.post(
        "/api/v1/reports", json=report_body(photo_ids=[created["id"]]), headers={"Idempotency-Key": new_key()}
    )
    assert response.status_code == 422 and decode(response)["error"] == "photo_not_ready"


def _bomb_png(width: int = 60_000, height: int = 60_000) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 20_000, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _zip_appended() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return jpeg_bytes() + buf.getvalue()


BAD_PHOTOS = {
    "gif_declared_as_jpeg": (b"GIF89a" + b"\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 40, "image/jpeg", 422),
    "html_declared_as_png": (b"<!doctype html><script>alert(1)</script>" * 10, "image/png", 422),
    "png_declared_as_jpeg": (png_bytes(), "image/jpeg", 422),
    "truncated_jpeg": (jpeg_bytes((1200, 900))[:6000], "image/jpeg", 422),
    "decompression_bomb": (_bomb_png(), "image/png", 422),
    "jpeg_with_zip_appended": (_zip_appended(), "image/jpeg", 422),
}


@pytest.mark.parametrize("case", sorted(BAD_PHOTOS))
async def test_bad_photo_is_refused_and_nothing_is_stored(client, db, media_dir, case):
    data, content_type, status = BAD_PHOTOS[case]
    upload_id, completed = await _upload(client, data, content_type)
    assert completed.status_code == status, completed.text
    assert decode(completed)["error"].startswith("photo_")
    assert await _nothing_stored(db, media_dir, upload_id)


async def test_upload_over_the_size_limit_is_refused_before_any_byte_is_sent(client, app):
    limit = app.state.settings.media.max_bytes
    response = await _create(client, "image/jpeg", limit + 1)
    assert response.status_code == 422 and decode(response)["error"] == "photo_too_large"


async def test_unsupported_declared_type_is_refused(client):
    response = await _create(client, "application/pdf", 1000)
    assert response.status_code == 422 and decode(response)["error"] == "unsupported_photo_type"


async def test_local_upload_url_enforces_signature_size_and_type(client, db, media_dir):
    data = jpeg_bytes()
    body = decode(await _create(client, "image/jpeg", len(data)))
    url = urlsplit(body["upload"]["url"])
    headers = body["upload"]["headers"]
    tampered = url.query.replace("sig=", "sig=0")
    assert (await client.put(f"{url.path}?{tampered}", content=data, headers=headers)).status_code == 403
    bigger = data + b"\x00" * 10
    assert (await client.put(f"{url.path}?{url.query}", content=bigger, headers=headers)).status_code == 403
    wrong_type = {"Content-Type": "image/png"}
    assert (await client.put(f"{url.path}?{url.query}", content=data, headers=wrong_type)).status_code == 403
    assert not list(media_dir.rglob(f"*{body['id']}*"))
    missing = await client.post(f"/api/v1/uploads/{body['id']}/complete")
    assert missing.status_code == 409 and decode(missing)["error"] == "photo_missing"
