"""S3Storage against a real SeaweedFS with auth on: the upload rules are enforced by the S3 server itself.

Uploads are sent as a phone's browser sends them: a multipart form, the policy fields first, the file last.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from xml.etree import ElementTree

import httpx
import pytest

from sereno.media.storage import ObjectMissing, ObjectTooLarge, UploadTarget
from sereno.media.storage.s3 import S3Storage
from sereno.settings import ConfigError
from tests.support.s3_fixtures import s3_media_settings
from tests.support.seaweed import SeaweedS3

JPEG = "image/jpeg"
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4  # 1 KiB that starts like a JPEG
MAX_BYTES = 2048


def new_key() -> str:
    return f"reports/{uuid.uuid4()}/original.jpg"


async def post_form(
    target: UploadTarget, body: bytes, *, fields: dict[str, str] | None = None
) -> httpx.Response:
    """POST the form as a browser would; httpx writes ``data`` fields before ``files``."""
    form = dict(target.fields if fields is None else fields)
    assert target.method == "POST"
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            target.url, data=form, files={"file": ("photo.jpg", body, form.get("Content-Type", JPEG))}
        )


def s3_error(response: httpx.Response) -> str:
    """``Code: Message`` of an S3 error body, so a test can tell a policy refusal from a malformed request."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    error = ElementTree.fromstring(response.content)
    return f"{error.findtext('Code')}: {error.findtext('Message')}"


async def photo_target(storage: S3Storage, key: str, *, expires_s: int = 300) -> UploadTarget:
    return await storage.upload_target(key, content_type=JPEG, max_bytes=MAX_BYTES, expires_s=expires_s)


async def test_presigned_post_upload_stores_the_bytes_that_read_returns(s3_storage: S3Storage) -> None:
    key = new_key()
    target = await photo_target(s3_storage, key)
    assert target.fields["Content-Type"] == JPEG

    response = await post_form(target, PHOTO)

    assert response.status_code in (200, 201, 204), response.text
    assert await s3_storage.read(key, max_bytes=MAX_BYTES) == PHOTO


def _loosen_size_limit(fields: dict[str, str]) -> None:
    policy = json.loads(base64.b64decode(fields["policy"]))
    policy["conditions"] = [
        c for c in policy["conditions"] if not (isinstance(c, list) and c[0] == "content-length-range")
    ]
    fields["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()


def _flip_signature(fields: dict[str, str]) -> None:
    signature = fields["x-amz-signature"]
    fields["x-amz-signature"] = ("1" if signature[0] == "0" else "0") + signature[1:]


@pytest.mark.parametrize("tamper", [_loosen_size_limit, _flip_signature], ids=["policy", "signature"])
async def test_tampered_upload_form_is_refused_and_nothing_is_stored(
    s3_storage: S3Storage, tamper: Callable[[dict[str, str]], None]
) -> None:
    key = new_key()
    target = await photo_target(s3_storage, key)
    fields = dict(target.fields)
    tamper(fields)

    response = await post_form(target, PHOTO, fields=fields)

    assert s3_error(response).startswith("SignatureDoesNotMatch")
    assert not await s3_storage.exists(key)


async def test_upload_to_another_key_than_signed_is_refused(s3_storage: S3Storage) -> None:
    key, other = new_key(), new_key()
    target = await photo_target(s3_storage, key)

    response = await post_form(target, PHOTO, fields=target.fields | {"key": other})

    assert s3_error(response) == "AccessDenied: Invalid according to Policy: Policy Condition failed"
    assert not await s3_storage.exists(other)
    assert not await s3_storage.exists(key)


async def test_expired_upload_is_refused(s3_storage: S3Storage) -> None:
    # boto3 accepts a negative lifetime: the policy's expiration is already in the past, no waiting needed.
    key = new_key()
    target = await photo_target(s3_storage, key, expires_s=-60)

    response = await post_form(target, PHOTO)

    assert s3_error(response) == "AccessDenied: Invalid according to Policy: Policy expired"
    assert not await s3_storage.exists(key)


@pytest.mark.parametrize(
    ("size", "error"), [(MAX_BYTES + 1, "EntityTooLarge"), (0, "EntityTooSmall")], ids=["oversize", "empty"]
)
async def test_body_outside_the_size_range_is_refused_and_nothing_is_stored(
    s3_storage: S3Storage, size: int, error: str
) -> None:
    key = new_key()
    target = await photo_target(s3_storage, key)

    response = await post_form(target, b"\xff" * size)

    assert s3_error(response).startswith(error)
    assert not await s3_storage.exists(key)


async def test_upload_with_another_content_type_is_refused(s3_storage: S3Storage) -> None:
    key = new_key()
    target = await photo_target(s3_storage, key)

    response = await post_form(
        target, b"<script>alert(1)</script>", fields=target.fields | {"Content-Type": "text/html"}
    )

    assert s3_error(response) == "AccessDenied: Invalid according to Policy: Policy Condition failed"
    assert not await s3_storage.exists(key)


async def test_read_of_a_missing_key_raises_object_missing(s3_storage: S3Storage) -> None:
    with pytest.raises(ObjectMissing):
        await s3_storage.read(new_key(), max_bytes=MAX_BYTES)


async def test_read_over_max_bytes_raises_object_too_large(s3_storage: S3Storage) -> None:
    key = new_key()
    await s3_storage.write(key, PHOTO, content_type=JPEG)

    with pytest.raises(ObjectTooLarge):
        await s3_storage.read(key, max_bytes=len(PHOTO) - 1)
    assert await s3_storage.read(key, max_bytes=len(PHOTO)) == PHOTO


async def test_delete_removes_the_object_and_an_absent_key_is_fine(s3_storage: S3Storage) -> None:
    key = new_key()
    await s3_storage.write(key, PHOTO, content_type=JPEG)
    assert await s3_storage.exists(key)

    await s3_storage.delete(key)
    await s3_storage.delete(key)
    await s3_storage.delete(new_key())

    assert not await s3_storage.exists(key)


async def test_url_for_serves_the_rendition_inline_with_its_content_type(s3_storage: S3Storage) -> None:
    key = f"reports/{uuid.uuid4()}/display.webp"
    await s3_storage.write(key, PHOTO, content_type="image/webp")

    url = await s3_storage.url_for(key, expires_s=60)
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url)

    assert response.status_code == 200, response.text
    assert response.content == PHOTO
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["content-disposition"] == "inline"


async def test_wrong_secret_is_refused_at_start_and_for_its_presigned_urls(
    s3_server: SeaweedS3, s3_storage: S3Storage
) -> None:
    bad = S3Storage(s3_media_settings(s3_server, bucket=s3_storage.bucket, s3_secret_key="not-the-secret"))

    with pytest.raises(ConfigError, match="SERENO_S3_BUCKET"):
        await bad.start()

    # start() built the client before the bucket check failed, so ``bad`` can still sign URLs: the server
    # must refuse them too.
    key = new_key()
    upload = await post_form(await photo_target(bad, key), PHOTO)
    assert s3_error(upload).startswith("SignatureDoesNotMatch")
    assert not await s3_storage.exists(key)

    await s3_storage.write(key, PHOTO, content_type=JPEG)
    async with httpx.AsyncClient(timeout=10) as client:
        download = await client.get(await bad.url_for(key, expires_s=60))
    assert s3_error(download).startswith("SignatureDoesNotMatch")


async def test_start_refuses_a_missing_bucket_unless_allowed_to_create_it(s3_server: SeaweedS3) -> None:
    bucket = f"sereno-missing-{uuid.uuid4().hex[:12]}"

    with pytest.raises(ConfigError, match="does not exist"):
        await S3Storage(s3_media_settings(s3_server, bucket=bucket)).start()

    await S3Storage(s3_media_settings(s3_server, bucket=bucket), create_bucket=True).start()
