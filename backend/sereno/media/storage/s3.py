"""S3 storage (AWS or any S3-compatible server) through boto3.

Phones upload straight to the bucket with a presigned POST whose policy pins the key, the exact content type,
the size range and the expiry, so the S3 server (not this API) refuses anything else. boto3's client is
synchronous: every call runs in a worker thread. The client is thread-safe and is created once, in ``start``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio
import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from sereno.media.storage._types import ObjectMissing, ObjectTooLarge, UploadTarget
from sereno.settings import ConfigError, MediaSettings

__all__ = ["S3Storage"]

_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class S3Storage:
    def __init__(self, settings: MediaSettings, *, create_bucket: bool = False) -> None:
        """``create_bucket``: create a missing bucket in ``start`` (local test servers); in production a
        missing bucket is a configuration error, not something to paper over."""
        self.bucket = settings.s3_bucket
        self._settings = settings
        self._create_bucket = create_bucket
        self._client: BaseClient | None = None

    async def start(self) -> None:
        if self._client is None:
            # Building a client loads botocore's service models from disk: keep it off the event loop.
            self._client = await anyio.to_thread.run_sync(_make_client, self._settings)
        try:
            await self._call("head_bucket", Bucket=self.bucket)
        except ClientError as exc:
            if not _is_missing(exc):
                raise ConfigError(
                    f"SERENO_S3_BUCKET: cannot access bucket {self.bucket!r} "
                    f"(check SERENO_S3_ACCESS_KEY / SERENO_S3_SECRET_KEY): {_code(exc)}"
                ) from exc
            if not self._create_bucket:
                raise ConfigError(f"SERENO_S3_BUCKET: bucket {self.bucket!r} does not exist") from exc
            options: dict[str, Any] = {}
            if self._settings.s3_region not in ("", "us-east-1"):
                # AWS needs a location constraint outside us-east-1 and refuses one naming us-east-1.
                options["CreateBucketConfiguration"] = {"LocationConstraint": self._settings.s3_region}
            await self._call("create_bucket", Bucket=self.bucket, **options)

    async def upload_target(
        self, key: str, *, content_type: str, max_bytes: int, expires_s: int
    ) -> UploadTarget:
        # Content-Type goes in the fields too: the policy demands it, so the form must send it.
        post = await self._call(
            "generate_presigned_post",
            Bucket=self.bucket,
            Key=_checked(key),
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_s,
        )
        return UploadTarget(method="POST", url=post["url"], fields=post["fields"])

    async def read(self, key: str, *, max_bytes: int) -> bytes:
        key = _checked(key)
        try:
            head = await self._call("head_object", Bucket=self.bucket, Key=key)
            if head["ContentLength"] > max_bytes:
                raise ObjectTooLarge(key)
            return await anyio.to_thread.run_sync(self._get_bytes, key, max_bytes)
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectMissing(key) from exc
            raise

    def _get_bytes(self, key: str, max_bytes: int) -> bytes:
        response = self._s3.get_object(Bucket=self.bucket, Key=key)
        body = response["Body"]
        with body:
            # The object may have been replaced since the head (a presigned POST stays usable until expiry).
            if response["ContentLength"] > max_bytes:
                raise ObjectTooLarge(key)
            return body.read()

    async def write(self, key: str, data: bytes, *, content_type: str) -> None:
        await self._call(
            "put_object", Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type
        )

    async def delete(self, key: str) -> None:
        try:
            await self._call("delete_object", Bucket=self.bucket, Key=_checked(key))
        except ClientError as exc:
            # S3 answers 204 for an absent key; some compatible servers answer 404.
            if not _is_missing(exc):
                raise

    async def exists(self, key: str) -> bool:
        try:
            await self._call("head_object", Bucket=self.bucket, Key=_checked(key))
        except ClientError as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    async def url_for(self, key: str, *, expires_s: int = 3600) -> str:
        # No ResponseContentType override: the object keeps the type it was stored with (fixed by the upload
        # policy or by ``write``), and asking for it here would cost a HEAD per URL.
        return await self._call(
            "generate_presigned_url",
            "get_object",
            Params={"Bucket": self.bucket, "Key": _checked(key), "ResponseContentDisposition": "inline"},
            ExpiresIn=expires_s,
        )

    @property
    def _s3(self) -> BaseClient:
        if self._client is None:
            raise RuntimeError("S3Storage.start() has not been awaited")
        return self._client

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(partial(getattr(self._s3, method), *args, **kwargs))


def _make_client(settings: MediaSettings) -> BaseClient:
    config = Config(
        signature_version="s3v4",
        # Path style works with every S3-compatible server and needs no wildcard DNS for the bucket.
        s3={"addressing_style": "path"},
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
        read_timeout=30,
    )
    # A session of our own: boto3's default session is shared and not thread-safe. Empty settings mean
    # boto3's defaults (AWS endpoint, credential chain).
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        aws_access_key_id=settings.s3_access_key or None,
        aws_secret_access_key=settings.s3_secret_key or None,
        config=config,
    )


def _checked(key: str) -> str:
    """Refuse the keys that the local backend refuses, so both backends behave alike."""
    if ".." in key.split("/") or key.startswith("/"):
        raise ObjectMissing(key)
    return key


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _is_missing(exc: ClientError) -> bool:
    return _code(exc) in _MISSING_CODES
