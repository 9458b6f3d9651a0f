"""The public transparency API: no login, read-only, cached; everything comes from the public projection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream

from sereno.core.openapi import errors
from sereno.core.web import request_language
from sereno.tenants import service as tenants
from sereno.tenants.routes import TENANT_HEADER
from sereno.tenants.schemas import TenantInfo
from sereno.transparency import cache, formats, service, stats
from sereno.transparency.schemas import FeedQuery, PublicIncidentPage, PublicStats

__all__ = ["PublicController", "provide_public_tenant"]

_CACHE_CONTROL = "public, max-age=60"
_VARY = f"Accept-Language, {TENANT_HEADER}"


async def provide_public_tenant(request: Request, state: State) -> TenantInfo:
    """``?tenant=`` (plain download links cannot send headers), the header, or the configured default."""
    slug = (
        request.query_params.get("tenant")
        or request.headers.get(TENANT_HEADER)
        or state.settings.server.default_tenant
    )
    return await tenants.get_tenant(slug=slug.strip().lower()[:20])


def _lang(request: Request) -> str:
    return request_language(request)


Category = Annotated[str | None, Parameter(description="Category code(s), comma-separated.")]
District = Annotated[str | None, Parameter(description="District (sector) code(s), comma-separated.")]
_DATE = r"^(\d{4}-\d{2}(-\d{2})?)?$"
From = Annotated[
    str | None,
    QueryParameter(name="from", pattern=_DATE, description="First date, YYYY-MM-DD or YYYY-MM."),
]
To = Annotated[
    str | None,
    QueryParameter(name="to", pattern=_DATE, description="Last date, YYYY-MM-DD or YYYY-MM (inclusive)."),
]
# A bad filter (400: unknown code, from after to), no such city (?tenant=, 404), or the copy the client has
# is still current (304, with If-None-Match).
_ANSWERS = {304: ResponseSpec(data_container=None, description="Not modified"), **errors(404)}
Limit = Annotated[int, Parameter(ge=1, le=500, description="Items per page.")]


async def provide_feed_query(
    category: Category = None, district: District = None, date_from: From = None, date_to: To = None
) -> FeedQuery:
    """The filters every public endpoint shares, checked once (400 with a message otherwise)."""
    return service.parse_query(category=category, district=district, date_from=date_from, date_to=date_to)


def _not_modified(request: Request, etag: str) -> Response | None:
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(
            b"", status_code=304, headers={"ETag": etag, "Cache-Control": _CACHE_CONTROL, "Vary": _VARY}
        )
    return None


async def _respond(
    request: Request,
    key: tuple,
    media_type: str,
    build: Callable[[], Awaitable[bytes]],
    extra: dict | None = None,
) -> Response:
    etag = cache.etag_for(key)
    if (hit := _not_modified(request, etag)) is not None:
        return hit
    entry = await cache.cached(key, build)
    headers = {"ETag": entry.etag, "Cache-Control": _CACHE_CONTROL, "Vary": _VARY, **(extra or {})}
    return Response(entry.body, media_type=media_type, headers=headers)


async def _stream(
    request: Request, key: tuple, media_type: str, chunks: Callable[[], AsyncIterator[bytes]], filename: str
) -> Response | Stream:
    etag = cache.etag_for(key)
    if (hit := _not_modified(request, etag)) is not None:
        return hit
    headers = {
        "ETag": etag,
        "Cache-Control": _CACHE_CONTROL,
        "Vary": _VARY,
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Stream(chunks(), media_type=media_type, headers=headers)


class PublicController(Controller):
    path = "/api/v1/public"
    tags = ["public"]
    dependencies = {  # noqa: RUF012 - Litestar's declaration style
        "tenant": Provide(provide_public_tenant),
        "filters": Provide(provide_feed_query),
    }

    @get(
        "/incidents",
        operation_id="listPublicIncidents",
        summary="Published incidents, newest first (anonymized)",
        responses={
            200: ResponseSpec(data_container=PublicIncidentPage, description="A page of items"),
            **_ANSWERS,
        },
    )
    async def incidents(
        self,
        request: Request,
        state: State,
        tenant: NamedDependency[TenantInfo],
        filters: NamedDependency[FeedQuery],
        cursor: Annotated[str | None, Parameter(description="From the previous page's next_cursor.")] = None,
        limit: Limit = 100,
    ) -> Response:
        lang = _lang(request)
        key = ("json", tenant.id, await cache.feed_version(tenant.id), lang, filters, cursor, limit)

        async def build() -> bytes:
            page = await service.page(
                tenant=tenant,
                query=filters,
                cursor=cursor,
                limit=limit,
                lang=lang,
                settings=state.settings.public,
            )
            return msgspec.json.encode(page)

        return await _respond(request, key, "application/json", build)

    @get(
        "/incidents.geojson",
        operation_id="exportPublicIncidentsGeoJSON",
        summary="Published incidents as an RFC 7946 FeatureCollection (all of them unless limit is given)",
        media_type="application/geo+json",
        responses={
            200: ResponseSpec(
                data_container=dict, description="FeatureCollection", media_type="application/geo+json"
            ),
            **_ANSWERS,
        },
    )
    async def geojson(
        self,
        request: Request,
        state: State,
        tenant: NamedDependency[TenantInfo],
        filters: NamedDependency[FeedQuery],
        cursor: Annotated[
            str | None, Parameter(description="Paged export: the previous page's next.")
        ] = None,
        limit: Annotated[
            int | None, Parameter(ge=1, le=10_000, description="Paged export: features per page.")
        ] = None,
    ) -> Response | Stream:
        lang = _lang(request)
        settings = state.settings.public
        key = ("geojson", tenant.id, await cache.feed_version(tenant.id), lang, filters, cursor, limit)
        if limit is None:
            await service.check_codes(tenant=tenant, query=filters)
            return await _stream(
                request,
                key,
                "application/geo+json",
                lambda: formats.geojson_text(
                    service.geojson_features(tenant=tenant, query=filters, lang=lang, settings=settings)
                ),
                f"sereno-{tenant.slug}-incidentes.geojson",
            )

        async def build() -> bytes:
            page = await service.page(
                tenant=tenant, query=filters, cursor=cursor, limit=limit, lang=lang, settings=settings
            )

            async def one() -> AsyncIterator[list]:
                yield page.items

            next_url = None
            if page.next_cursor:
                params = {k: v for k, v in request.query_params.items() if k != "cursor"}
                next_url = f"{request.url.path}?{urlencode({**params, 'cursor': page.next_cursor})}"
            return b"".join([chunk async for chunk in formats.geojson_chunks(one(), next_url=next_url)])

        return await _respond(request, key, "application/geo+json", build)

    @get(
        "/incidents.csv",
        operation_id="exportPublicIncidentsCSV",
        summary="Every published incident matching the filters, as CSV",
        media_type="text/csv",
        responses={
            200: ResponseSpec(data_container=str, description="CSV", media_type="text/csv"),
            **_ANSWERS,
        },
    )
    async def csv(
        self,
        request: Request,
        state: State,
        tenant: NamedDependency[TenantInfo],
        filters: NamedDependency[FeedQuery],
    ) -> Response | Stream:
        lang = _lang(request)
        key = ("csv", tenant.id, await cache.feed_version(tenant.id), lang, filters)
        settings = state.settings.public
        await service.check_codes(tenant=tenant, query=filters)
        return await _stream(
            request,
            key,
            "text/csv; charset=utf-8",
            lambda: formats.csv_with_bom(
                service.csv_bytes(tenant=tenant, query=filters, lang=lang, settings=settings)
            ),
            f"sereno-{tenant.slug}-incidentes.csv",
        )

    @get(
        "/incidents.atom",
        operation_id="publicIncidentsAtom",
        summary="Atom feed of the newest published incidents",
        media_type="application/atom+xml",
        responses={
            200: ResponseSpec(data_container=str, description="Atom 1.0", media_type="application/atom+xml"),
            **_ANSWERS,
        },
    )
    async def atom(
        self,
        request: Request,
        state: State,
        tenant: NamedDependency[TenantInfo],
        filters: NamedDependency[FeedQuery],
    ) -> Response:
        lang = _lang(request)
        base = str(request.base_url).rstrip("/")
        version = await cache.feed_version(tenant.id)
        key = ("atom", tenant.id, version, lang, filters, base)

        async def build() -> bytes:
            page = await service.page(
                tenant=tenant,
                query=filters,
                cursor=None,
                limit=100,
                lang=lang,
                settings=state.settings.public,
            )
            title = f"{tenant.name}: {'published incidents' if lang == 'en' else 'incidentes publicados'}"
            updated = max((i.published_at for i in page.items), default=state.clock.now())
            return formats.atom(
                page.items,
                title=title,
                author=tenant.name,
                self_url=str(request.url),
                page_url=f"{base}/transparencia/?tenant={tenant.slug}",
                feed_id=f"tag:{request.url.hostname or 'sereno'},2026:public/{tenant.slug}",
                updated=updated,
            )

        return await _respond(request, key, "application/atom+xml", build)

    @get(
        "/stats",
        operation_id="getPublicStats",
        summary="Counts, response times and confirmed share of published incidents",
        responses={200: ResponseSpec(data_container=PublicStats, description="Statistics"), **_ANSWERS},
    )
    async def stats(
        self,
        request: Request,
        state: State,
        tenant: NamedDependency[TenantInfo],
        filters: NamedDependency[FeedQuery],
    ) -> Response:
        lang = _lang(request)
        key = ("stats", tenant.id, await cache.feed_version(tenant.id), lang, filters)

        async def build() -> bytes:
            body = await stats.stats(
                tenant=tenant, query=filters, lang=lang, settings=state.settings.public, now=state.clock.now()
            )
            return msgspec.json.encode(body)

        return await _respond(request, key, "application/json", build)
