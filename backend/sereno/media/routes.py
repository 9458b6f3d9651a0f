"""Photo uploads: create a target, (local backend) receive the bytes, confirm; serve renditions."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from sereno.core.clock import Clock
from sereno.core.errors import AppError, NotFound
from sereno.core.openapi import errors
from sereno.media import service
from sereno.media.schemas import UploadCreate, UploadCreated, UploadRead
from sereno.media.storage.local import LocalStorage, UploadDenied
from sereno.tenants.schemas import TenantInfo

__all__ = ["UploadController", "serve_rendition"]


class _Forbidden(AppError):
    status_code = 403


class UploadController(Controller):
    path = "/api/v1/uploads"
    tags = ["uploads"]

    # 422: not a photo type we take, or larger than the city's limit; 429: too many uploads from one address.
    @post(
        "/",
        operation_id="createUpload",
        status_code=201,
        summary="Get a target to upload one photo to",
        responses=errors(404, 422, 429),
    )
    async def create(
        self,
        data: JSONBody[UploadCreate],
        tenant: NamedDependency[TenantInfo],
        state: State,
        clock: NamedDependency[Clock],
    ) -> UploadCreated:
        return await service.create_upload(
            tenant_id=tenant.id, body=data, storage=state.storage, settings=state.settings.media, clock=clock
        )

    # 409: the photo's bytes have not arrived (send them again); 422: they are not a photo we can read.
    @post(
        "/{upload_id:uuid}/complete",
        operation_id="completeUpload",
        status_code=200,
        responses=errors(404, 409, 422),
    )
    async def complete(
        self, upload_id: FromPath[UUID], tenant: NamedDependency[TenantInfo], state: State
    ) -> UploadRead:
        return await service.complete_upload(
            tenant_id=tenant.id,
            upload_id=upload_id,
            storage=state.storage,
            image_pool=state.image_pool,
            settings=state.settings.media,
        )

    @put(
        "/content/{key:path}",
        operation_id="putUploadContent",
        status_code=204,
        summary="Receive a photo's bytes (local storage backend only; S3 uploads go to the bucket)",
        responses=errors(403, 404),  # 403: a wrong, expired or overused upload link
    )
    async def content(
        self,
        request: Request,
        key: FromPath[str],
        state: State,
        exp: Annotated[int, QueryParameter(name="exp")],
        max_bytes: Annotated[int, QueryParameter(name="max")],
        sig: Annotated[str, QueryParameter(name="sig", max_length=128)],
    ) -> None:
        storage = state.storage
        if not isinstance(storage, LocalStorage):
            raise NotFound("not_found")
        key = key.lstrip("/")
        content_type = request.headers.get("content-type", "")
        declared_length = int(request.headers.get("content-length") or 0)
        try:
            storage.check_upload(
                key,
                content_type=content_type,
                length=declared_length or 1,
                expires=exp,
                max_bytes=max_bytes,
                signature=sig,
            )
        except UploadDenied:
            raise _Forbidden("upload_denied") from None
        tenant_id, upload_id = _parse_key(key)
        await service.find_pending_upload(tenant_id=tenant_id, upload_id=upload_id)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise _Forbidden("upload_denied")
            chunks.append(chunk)
        if size == 0:
            raise _Forbidden("upload_denied")
        await storage.write(key, b"".join(chunks), content_type=content_type)


def _parse_key(key: str) -> tuple[int, UUID]:
    try:
        prefix, tenant_id, upload_id = key.split("/")
        if prefix != "originals":
            raise ValueError(key)
        return int(tenant_id), UUID(upload_id)
    except ValueError:
        raise NotFound("upload_not_found") from None


@get("/media/{key:path}", include_in_schema=False)
async def serve_rendition(key: FromPath[str], state: State) -> Response[bytes]:
    """Renditions only (never originals), from the local backend; S3 renditions use presigned URLs."""
    storage = state.storage
    key = key.lstrip("/")
    if not isinstance(storage, LocalStorage) or not key.startswith("renditions/") or ".." in key:
        raise NotFound("not_found")
    try:
        data = await storage.read(key, max_bytes=50 * 1024 * 1024)
    except Exception:
        raise NotFound("not_found") from None
    return Response(
        data,
        media_type="image/jpeg",
        headers={
            "Cache-Control": "private, max-age=86400, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
        },
    )
