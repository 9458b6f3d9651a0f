"""Uploaded photos given to what they document, and the URLs of their renditions.

A photo is attached once, to one thing: an incident (citizen reports, officers' photos) or a citizen's
participation request, never both (the ``attachment_one_owner`` constraint). Only renditions ever get a URL;
originals stay private. Every function here runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from sereno.core.errors import Unprocessable
from sereno.media.storage import Storage

__all__ = ["check_ready", "lock_ready", "attach_to_request", "request_renditions"]

_LOCK = "SELECT id, status FROM attachment WHERE tenant_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE"
_ATTACH_TO_REQUEST = """
UPDATE attachment SET participation_request = $2, status = 'attached', attached_at = $3,
                      position = array_position($4::uuid[], id)
WHERE tenant_id = $1 AND id = ANY($4::uuid[]) AND status = 'ready' AND incident IS NULL
"""
_REQUEST_RENDITIONS = """
SELECT display_key, thumb_key FROM attachment
WHERE participation_request = $1 AND display_key IS NOT NULL AND thumb_key IS NOT NULL
ORDER BY position, created_at
"""


async def lock_ready(conn: asyncpg.Connection, *, tenant_id: int, photo_ids: list[UUID]) -> None:
    """Lock the photos until the caller's transaction ends, or refuse (422) unless every one is this city's,
    uploaded and confirmed, and attached to nothing yet. Two requests naming one photo at once: the second
    waits for the first and then finds it attached."""
    if len(set(photo_ids)) != len(photo_ids):
        raise Unprocessable("invalid_field", field="photo_ids", detail="repeated")
    check_ready(await conn.fetch(_LOCK, tenant_id, photo_ids), photo_ids)


def check_ready(locked: Sequence[Mapping[str, Any]], photo_ids: Sequence[UUID]) -> None:
    """Refuse (422) unless every photo of ``photo_ids`` is among the ``locked`` rows (id, status) and ready."""
    found = {row["id"]: row["status"] for row in locked}
    for photo_id in photo_ids:
        status = found.get(photo_id)
        if status is None or status == "attached":  # another city's photo is as unknown as a missing one
            raise Unprocessable("photo_not_found", id=str(photo_id))
        if status in ("rejected", "replaced"):  # refused when its renditions were made: final, and said so
            raise Unprocessable(f"photo_{status}", id=str(photo_id))
        if status != "ready":
            raise Unprocessable("photo_not_ready", id=str(photo_id))


async def attach_to_request(
    conn: asyncpg.Connection, *, tenant_id: int, request_id: int, photo_ids: list[UUID], now: datetime
) -> None:
    """Attach photos that ``lock_ready`` checked, in the order given."""
    done = await conn.execute(_ATTACH_TO_REQUEST, tenant_id, request_id, now, photo_ids)
    if done != f"UPDATE {len(photo_ids)}":  # locked and checked above: only a bug gets here
        raise RuntimeError(f"attached {done!r} of {len(photo_ids)} photos")


async def request_renditions(
    conn: asyncpg.Connection, *, request_id: int, storage: Storage
) -> list[tuple[str, str]]:
    """(display URL, thumbnail URL) of each photo of a participation request whose renditions are made."""
    rows = await conn.fetch(_REQUEST_RENDITIONS, request_id)
    return [(await storage.url_for(r["display_key"]), await storage.url_for(r["thumb_key"])) for r in rows]
