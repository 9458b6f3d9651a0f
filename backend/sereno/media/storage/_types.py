from __future__ import annotations

import msgspec

__all__ = ["UploadTarget", "ObjectMissing", "ObjectTooLarge"]


class UploadTarget(msgspec.Struct, frozen=True, kw_only=True):
    """How the client uploads: ``method`` PUT (body = bytes, with ``headers``) or POST (multipart form with
    ``fields`` first and the file last, as S3 presigned POST requires)."""

    method: str
    url: str
    fields: dict[str, str] = {}
    headers: dict[str, str] = {}


class ObjectMissing(Exception):
    pass


class ObjectTooLarge(Exception):
    pass
