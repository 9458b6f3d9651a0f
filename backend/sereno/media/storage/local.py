"""Local-folder storage: the default when no S3 settings are given.

Uploads are PUT to this API at a URL signed with HMAC-SHA256 over (key, content type, size limit, expiry),
mirroring what an S3 presigned POST enforces, so the client code is the same for both backends.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import anyio

from sereno.media.storage._types import ObjectMissing, ObjectTooLarge, UploadTarget
from sereno.settings import MediaSettings

__all__ = ["LocalStorage", "UploadDenied"]


class UploadDenied(Exception):
    """The signed upload URL is invalid, expired, or the request breaks its conditions."""


class LocalStorage:
    def __init__(self, settings: MediaSettings, *, secret_key: str) -> None:
        self.root = Path(settings.local_dir)
        self._secret = hashlib.sha256(b"sereno-local-upload:" + secret_key.encode()).digest()

    async def start(self) -> None:
        await anyio.Path(self.root).mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if ".." in key.split("/") or key.startswith("/"):
            raise ObjectMissing(key)
        return self.root / key

    def _signature(self, key: str, content_type: str, max_bytes: int, expires: int) -> str:
        message = f"{key}\n{content_type}\n{max_bytes}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    async def upload_target(
        self, key: str, *, content_type: str, max_bytes: int, expires_s: int
    ) -> UploadTarget:
        expires = int(time.time()) + expires_s
        query = urlencode(
            {"exp": expires, "max": max_bytes, "sig": self._signature(key, content_type, max_bytes, expires)}
        )
        return UploadTarget(
            method="PUT",
            # Relative: the page and this API share an origin, whatever host name the phone used.
            url=f"/api/v1/uploads/content/{quote(key)}?{query}",
            headers={"Content-Type": content_type},
        )

    def check_upload(
        self, key: str, *, content_type: str, length: int, expires: int, max_bytes: int, signature: str
    ) -> None:
        expected = self._signature(key, content_type, max_bytes, expires)
        # As bytes: compare_digest refuses str with non-ASCII characters, which a forged link may carry.
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise UploadDenied("signature")
        if expires < time.time():
            raise UploadDenied("expired")
        if length > max_bytes or length <= 0:
            raise UploadDenied("size")

    async def read(self, key: str, *, max_bytes: int) -> bytes:
        path = anyio.Path(self._path(key))
        try:
            size = (await path.stat()).st_size
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc
        if size > max_bytes:
            raise ObjectTooLarge(key)
        return await path.read_bytes()

    async def write(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self._path(key)
        await anyio.to_thread.run_sync(_write_atomically, path, data)

    async def delete(self, key: str) -> None:
        try:
            await anyio.Path(self._path(key)).unlink()
        except FileNotFoundError:
            pass

    async def exists(self, key: str) -> bool:
        return await anyio.Path(self._path(key)).exists()

    async def url_for(self, key: str, *, expires_s: int = 3600) -> str:
        return f"/media/{quote(key)}"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
