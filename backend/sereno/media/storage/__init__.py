"""One storage interface for photos, two backends: local files (default) and S3 (boto3).

Originals are private and never served; only derived renditions (EXIF removed) get a URL. Uploads go
straight from the phone to the backend's upload target (a presigned POST in S3 mode, a signed PUT to this API
in local mode), so the API never proxies photo bytes in S3 mode.
"""

from __future__ import annotations

from typing import Protocol

from sereno.media.storage._types import ObjectMissing, ObjectTooLarge, UploadTarget
from sereno.settings import MediaSettings

__all__ = ["Storage", "UploadTarget", "ObjectMissing", "ObjectTooLarge", "create_storage"]


class Storage(Protocol):
    async def start(self) -> None:
        """Prepare the backend (create the folder or check the bucket)."""

    async def upload_target(
        self, key: str, *, content_type: str, max_bytes: int, expires_s: int
    ) -> UploadTarget:
        """Where and how the client sends the bytes of ``key``; the backend enforces type, size and expiry."""

    async def read(self, key: str, *, max_bytes: int) -> bytes:
        """The object's bytes; ObjectMissing if absent, ObjectTooLarge if over ``max_bytes``."""

    async def write(self, key: str, data: bytes, *, content_type: str) -> None: ...

    async def delete(self, key: str) -> None:
        """Remove the object; absent objects are not an error."""

    async def exists(self, key: str) -> bool: ...

    async def url_for(self, key: str, *, expires_s: int = 3600) -> str:
        """A URL from which a derived rendition can be fetched (never used for originals)."""


def create_storage(settings: MediaSettings, *, secret_key: str) -> Storage:
    if settings.backend == "s3":
        from sereno.media.storage.s3 import S3Storage

        return S3Storage(settings)
    from sereno.media.storage.local import LocalStorage

    return LocalStorage(settings, secret_key=secret_key)
