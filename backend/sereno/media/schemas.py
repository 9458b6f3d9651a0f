"""Upload contract: ask for an upload target, send the bytes there, then confirm."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from sereno.media.storage import UploadTarget

__all__ = ["UploadCreate", "UploadCreated", "UploadRead", "ACCEPTED_TYPES"]

ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")


class UploadCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    content_type: Annotated[str, Meta(max_length=40, description="One of " + ", ".join(ACCEPTED_TYPES))]
    size_bytes: Annotated[int, Meta(ge=1, description="Exact size of the file that will be sent")]


class UploadCreated(msgspec.Struct, frozen=True):
    id: UUID
    upload: UploadTarget
    expires_at: datetime
    max_bytes: int


class UploadRead(msgspec.Struct, frozen=True):
    id: UUID
    status: str
    content_type: str
    width: int
    height: int
    size_bytes: int
    sha256: str
