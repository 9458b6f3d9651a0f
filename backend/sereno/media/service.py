"""Photos: upload targets, validation by content, and renditions made by the worker (never in a request).

An upload is a row (``pending``) plus a private original in storage. ``complete`` reads the original back and
inspects it; a rejected file leaves nothing behind (no row, no object). Accepted photos are ``ready`` until a
report attaches them; renditions without metadata are made from the outbox, and unattached uploads expire.

Confirmation records the size and sha256 of the bytes it inspected, and renditions are made of those bytes
only. An S3 presigned POST cannot be revoked or made single-use (its policy has no such condition, and S3's
conditional writes do not apply to POST uploads), so a client may replace the object until the upload URL
expires (``SERENO_UPLOAD_EXPIRY_S``): the rendition job then finds other bytes, renders nothing, marks the photo
``replaced`` and deletes the object. A photo the renditions refuse (``ImageRejected``) is ``rejected``, for good.
Neither is ever shown (only renditions are); a confirmation asked again answers 422 photo_replaced or
photo_rejected, and so does a report or request naming the photo.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import anyio

from sereno.core import db, outbox
from sereno.core.clock import Clock
from sereno.core.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable
from sereno.core.outbox import OutboxMessage
from sereno.incidents import service as incidents
from sereno.media import images
from sereno.media.pool import BrokenProcessPool, ImagePool
from sereno.media.schemas import ACCEPTED_TYPES, UploadCreate, UploadCreated, UploadRead
from sereno.media.storage import ObjectMissing, ObjectTooLarge, Storage
from sereno.settings import MediaSettings

__all__ = [
    "EXPIRE_TOPIC",
    "READY_TOPIC",
    "TOPIC_PREFIX",
    "create_upload",
    "complete_upload",
    "find_pending_upload",
    "original_key",
    "handlers",
]

log = logging.getLogger("sereno.media")

# The outbox topics of photos; the prefix gives them a worker of their own (app.delivery_workers).
TOPIC_PREFIX = "attachment."
READY_TOPIC = TOPIC_PREFIX + "ready"
EXPIRE_TOPIC = TOPIC_PREFIX + "expire"

# Photos not attached to a report within this time are deleted.
_UNATTACHED_TTL = timedelta(days=3)

_INSERT = """
INSERT INTO attachment (id, tenant_id, status, storage_key, declared_type, declared_size, created_at, expires_at)
VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7)
"""


def original_key(tenant_id: int, upload_id: UUID) -> str:
    return f"originals/{tenant_id}/{upload_id}"


async def create_upload(
    *, tenant_id: int, body: UploadCreate, storage: Storage, settings: MediaSettings, clock: Clock
) -> UploadCreated:
    content_type = "image/jpeg" if body.content_type == "image/jpg" else body.content_type
    if content_type not in ACCEPTED_TYPES:
        raise Unprocessable("unsupported_photo_type")
    if body.size_bytes > settings.max_bytes:
        raise Unprocessable("photo_too_large", max_mb=settings.max_bytes // (1024 * 1024))
    upload_id = uuid.uuid4()
    key = original_key(tenant_id, upload_id)
    now = clock.now()
    target = await storage.upload_target(
        key, content_type=content_type, max_bytes=body.size_bytes, expires_s=settings.upload_expiry_s
    )
    async with db.transaction() as conn:
        await conn.execute(
            _INSERT, upload_id, tenant_id, key, content_type, body.size_bytes, now, now + _UNATTACHED_TTL
        )
        await outbox.enqueue(
            conn,
            topic=EXPIRE_TOPIC,
            payload={"id": str(upload_id)},
            tenant_id=tenant_id,
            delay_s=_UNATTACHED_TTL.total_seconds(),
        )
    return UploadCreated(
        id=upload_id,
        upload=target,
        expires_at=now + timedelta(seconds=settings.upload_expiry_s),
        max_bytes=body.size_bytes,
    )


_GET = """
SELECT id, tenant_id, status, storage_key, declared_type, declared_size, content_type, width, height,
       size_bytes, sha256
FROM attachment WHERE id = $1 AND tenant_id = $2
"""
_READY = """
UPDATE attachment SET status = 'ready', content_type = $2, width = $3, height = $4, size_bytes = $5, sha256 = $6
WHERE id = $1 AND status = 'pending'
"""
_DELETE = "DELETE FROM attachment WHERE id = $1 AND status = 'pending'"


async def find_pending_upload(*, tenant_id: int, upload_id: UUID) -> tuple[str, str, int]:
    """(storage key, declared type, declared size) of an upload still waiting for its bytes."""
    async with db.connection() as conn:
        row = await conn.fetchrow(_GET, upload_id, tenant_id)
    if row is None or row["status"] != "pending":
        raise NotFound("upload_not_found")
    return row["storage_key"], row["declared_type"], row["declared_size"]


async def complete_upload(
    *, tenant_id: int, upload_id: UUID, storage: Storage, image_pool: ImagePool, settings: MediaSettings
) -> UploadRead:
    async with db.connection() as conn:
        row = await conn.fetchrow(_GET, upload_id, tenant_id)
    if row is None:
        raise NotFound("upload_not_found")
    if row["status"] in ("replaced", "rejected"):  # refused by the rendition job after it was confirmed
        raise Unprocessable(f"photo_{row['status']}")
    if row["status"] != "pending":
        return _read(row)  # a retried confirmation
    key = row["storage_key"]
    try:
        data = await storage.read(key, max_bytes=settings.max_bytes)
    except ObjectMissing:
        raise Conflict("photo_missing") from None  # the bytes never arrived: the client sends them again
    except ObjectTooLarge:
        await _discard(storage, upload_id, key)
        raise Unprocessable("photo_too_large", max_mb=settings.max_bytes // (1024 * 1024)) from None
    try:
        info = await image_pool.run(
            images.inspect_image,
            data,
            max_bytes=settings.max_bytes,
            max_pixels=settings.max_pixels,
            declared_type=row["declared_type"],
        )
    except BrokenProcessPool:
        raise ServiceUnavailable() from None  # the upload stays pending: confirming again checks it again
    except images.ImageRejected as exc:
        await _discard(storage, upload_id, key)
        raise Unprocessable(
            f"photo_{exc.reason}",
            max_mb=settings.max_bytes // (1024 * 1024),
            max_mp=settings.max_pixels // 1_000_000,
            declared=row["declared_type"],
        ) from None
    async with db.transaction() as conn:
        await conn.execute(
            _READY, upload_id, info.content_type, info.width, info.height, info.size_bytes, info.sha256
        )
        await outbox.enqueue(
            conn, topic=READY_TOPIC, payload={"id": str(upload_id)}, tenant_id=tenant_id
        )
    async with db.connection() as conn:
        return _read(await conn.fetchrow(_GET, upload_id, tenant_id))


async def _discard(storage: Storage, upload_id: UUID, key: str) -> None:
    await storage.delete(key)
    async with db.connection() as conn:
        await conn.execute(_DELETE, upload_id)


def _read(row) -> UploadRead:
    return UploadRead(
        id=row["id"],
        status=row["status"],
        content_type=row["content_type"] or row["declared_type"],
        width=row["width"] or 0,
        height=row["height"] or 0,
        size_bytes=row["size_bytes"] or 0,
        sha256=row["sha256"] or "",
    )


# --- outbox handlers -------------------------------------------------------------------------------------

_FOR_RENDITION = "SELECT storage_key, status, display_key, size_bytes, sha256 FROM attachment WHERE id = $1"
_RENDITIONS_DONE = "UPDATE attachment SET display_key = $2, thumb_key = $3 WHERE id = $1"
# Final: the photo is never rendered, so never shown; the row stays (an attached photo keeps its owner) and the
# unattached ones expire like any other upload.
_REFUSE = """
UPDATE attachment SET status = $2 WHERE id = $1 AND status IN ('ready', 'attached') AND display_key IS NULL
RETURNING tenant_id, incident
"""
_EXPIRED = """
DELETE FROM attachment WHERE id = $1 AND incident IS NULL AND participation_request IS NULL AND status <> 'attached'
RETURNING storage_key, display_key, thumb_key
"""


def handlers(storage: Storage, image_pool: ImagePool, settings: MediaSettings) -> dict[str, outbox.Handler]:
    async def make_renditions(message: OutboxMessage) -> None:
        upload_id = UUID(message.payload["id"])
        async with db.connection() as conn:
            row = await conn.fetchrow(_FOR_RENDITION, upload_id)
        if row is None or row["display_key"] is not None or row["status"] not in ("ready", "attached"):
            return
        # Only the bytes inspected at confirmation are rendered. An S3 presigned POST stays usable until it
        # expires, so the object under the key may have been replaced since (a local upload is refused once
        # the photo is confirmed, but one already under way could still land).
        try:
            data = await storage.read(row["storage_key"], max_bytes=settings.max_bytes)
        except ObjectTooLarge:
            data = None
        if data is None or not await _same_bytes(data, size=row["size_bytes"], sha256=row["sha256"]):
            await _refuse(storage, upload_id, row["storage_key"], status="replaced", reason="replaced")
            return
        try:
            # A BrokenProcessPool (a child died, or ran past the time limit) fails this delivery: the outbox
            # retries it on a new pool.
            # In the background: a citizen's confirmation waiting for a child goes first.
            made = await image_pool.run(
                images.make_renditions, data, max_pixels=settings.max_pixels, background=True
            )
        except images.ImageRejected as exc:  # the same bytes give the same answer: retrying cannot help
            await _refuse(storage, upload_id, row["storage_key"], status="rejected", reason=exc.reason)
            return
        base = f"renditions/{message.tenant_id}/{upload_id}"
        await storage.write(f"{base}/display.jpg", made.display, content_type="image/jpeg")
        await storage.write(f"{base}/thumb.jpg", made.thumb, content_type="image/jpeg")
        async with db.connection() as conn:
            await conn.execute(_RENDITIONS_DONE, upload_id, f"{base}/display.jpg", f"{base}/thumb.jpg")

    async def expire(message: OutboxMessage) -> None:
        async with db.connection() as conn:
            row = await conn.fetchrow(_EXPIRED, UUID(message.payload["id"]))
        if row is not None:
            for key in (row["storage_key"], row["display_key"], row["thumb_key"]):
                if key:
                    await storage.delete(key)

    return {READY_TOPIC: make_renditions, EXPIRE_TOPIC: expire}


async def _same_bytes(data: bytes, *, size: int | None, sha256: str | None) -> bool:
    if not sha256 or len(data) != size:
        return False
    # hashlib releases the GIL on large buffers: a thread keeps the event loop free.
    return await anyio.to_thread.run_sync(lambda: hashlib.sha256(data).hexdigest()) == sha256


async def _refuse(storage: Storage, upload_id: UUID, key: str, *, status: str, reason: str) -> None:
    """Mark a confirmed photo as never to be rendered ("replaced" or "rejected") and drop its original. If it
    documents an incident already, the incident's timeline says so (staff only) and the consoles hear of it:
    the photo will not appear, and staff should not wait for it."""
    async with db.transaction() as conn:
        refused = await conn.fetchrow(_REFUSE, upload_id, status)
        if refused is not None and refused["incident"] is not None:
            now = datetime.now(UTC)
            tenant_id, incident_id = refused["tenant_id"], refused["incident"]
            await incidents.record(
                conn, tenant_id=tenant_id, incident_id=incident_id, at=now, kind="photo_refused",
                actor_type="system", actor_id=None, data={"photo": str(upload_id), "why": status},
            )  # fmt: skip
            await incidents.publish_incident(conn, tenant_id=tenant_id, incident_id=incident_id, now=now)
    if refused is not None:  # otherwise another delivery got there first: leave its outcome alone
        log.warning("photo %s %s at rendition (%s); its original is deleted", upload_id, status, reason)
        await storage.delete(key)
