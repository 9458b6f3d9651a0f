"""Open311 GeoReport v2 at ``/open311/v2/``: every resource as ``.json`` and ``.xml``.

Resources with a fixed name are one handler on both paths; those with an id take the whole last segment
(``{name}``, e.g. ``TRU-2026-000123.xml``) and split the format off, because a route parameter cannot share a
segment with a suffix. Errors are Open311's in the same format (see ``errors.py``)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, QueryParameter

from sereno.core.i18n import negotiate
from sereno.tenants import service as tenants
from sereno.tenants.routes import TENANT_HEADER
from sereno.tenants.schemas import TenantInfo
from sereno.transparency.open311 import catalog, formats, intake, keys, published
from sereno.transparency.open311.errors import Open311Error, exception_handlers, request_format
from sereno.transparency.open311.openapi import Operation, answers
from sereno.transparency.open311.schemas import (
    Discovery,
    RequestCreated,
    Service,
    ServiceDefinition,
    ServiceRequest,
    TokenResolved,
)

__all__ = ["Open311Controller", "provide_jurisdiction"]

_PUBLIC_CACHE = {"Cache-Control": "public, max-age=60", "Vary": "Accept-Language"}


async def provide_jurisdiction(
    request: Request,
    state: State,
    jurisdiction_id: Annotated[
        str | None,
        QueryParameter(name="jurisdiction_id", description="The tenant's slug (e.g. tru); optional."),
    ] = None,
) -> TenantInfo:
    """Open311's ``jurisdiction_id`` is the tenant slug (in the query, or in a POST's form); without one, the
    ``X-Sereno-Tenant`` header or the default tenant. An unknown one is a 404."""
    slug = (jurisdiction_id or "").strip()
    if not slug and request.method == "POST":
        slug = ((await request.form()).get("jurisdiction_id") or "").strip()
    slug = slug or request.headers.get(TENANT_HEADER) or state.settings.server.default_tenant
    return await tenants.get_tenant(slug=slug.strip().lower()[:20])


def _lang(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def _named(name: str, not_found: str, param: str) -> tuple[str, formats.Format]:
    parsed = formats.split_format(name)
    if parsed is None:
        raise Open311Error(404, not_found, **{param: name[:40]})
    return parsed


def _by_suffix(operation: str):
    """operationId per path: ``open311Services`` + ``Json``/``Xml``."""
    return lambda handler, method, path: operation + path[-1].rsplit(".", 1)[-1].capitalize()


def _ok(body: bytes, fmt: formats.Format, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type=formats.MEDIA_TYPES[fmt], headers=headers or _PUBLIC_CACHE)


class Open311Controller(Controller):
    path = "/open311/v2"
    tags = ["open311"]  # noqa: RUF012 - Litestar's declaration style
    dependencies = {"tenant": Provide(provide_jurisdiction)}  # noqa: RUF012 - Litestar's declaration style
    exception_handlers = exception_handlers

    @get(
        ["/discovery.json", "/discovery.xml"],
        operation_id=_by_suffix("open311Discovery"),
        summary="Service discovery: where the GeoReport v2 endpoint is and which formats it speaks",
        responses=answers(Discovery),
        operation_class=Operation,
    )
    async def discovery(
        self, request: Request, state: State, tenant: NamedDependency[TenantInfo]
    ) -> Response:
        base = state.settings.server.public_url or str(request.base_url)
        fmt = request_format(request)
        body = catalog.discovery(tenant=tenant, base_url=base, lang=_lang(request))
        return _ok(formats.encode(body, fmt, root="discovery"), fmt)

    @get(
        ["/services.json", "/services.xml"],
        operation_id=_by_suffix("open311Services"),
        summary="Service types: the tenant's report categories",
        responses=answers(list[Service]),
        operation_class=Operation,
    )
    async def services(self, request: Request, tenant: NamedDependency[TenantInfo]) -> Response:
        fmt = request_format(request)
        body = await catalog.services(tenant=tenant, lang=_lang(request))
        return _ok(formats.encode_list(body, fmt, root="services", item="service"), fmt)

    @get(
        "/services/{name:str}",
        operation_id="open311ServiceDefinition",
        summary="A service's definition (its extra questions): services/{service_code}.json|xml",
        responses=answers(ServiceDefinition),
        operation_class=Operation,
    )
    async def definition(
        self, request: Request, name: FromPath[str], tenant: NamedDependency[TenantInfo]
    ) -> Response:
        code, fmt = _named(name, "unknown_service", "code")
        body = await catalog.definition(tenant=tenant, code=code, lang=_lang(request))
        return _ok(formats.encode(body, fmt, root="service_definition"), fmt)

    @post(
        ["/requests.json", "/requests.xml"],
        operation_id=_by_suffix("open311CreateRequest"),
        summary="File a service request (form-encoded; api_key required; through the report intake)",
        description="Fields: api_key, jurisdiction_id, service_code, lat, long, description, email, first_name, "
        "last_name, phone, device_id, account_id, media_url (noted for staff, never fetched), "
        "attribute[occurred_at]. address_string/address_id alone are refused: coordinates are needed.",
        status_code=200,
        responses=answers(list[RequestCreated], 403, 429),
        operation_class=Operation,
    )
    async def create(
        self,
        request: Request,
        state: State,
        tenant: NamedDependency[TenantInfo],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", required=False)
        ] = None,
    ) -> Response:
        fmt = request_format(request)
        form = await request.form()
        fields = {k: form.getall(k) for k in form}
        api_key = (fields.get("api_key") or [None])[0] or request.query_params.get("api_key")
        client_id = await keys.authenticate(tenant=tenant, api_key=api_key)
        if (wait := await state.key_limiter.check(f"open311:{client_id}")) is not None:
            raise Open311Error(429, "rate_limited", headers={"Retry-After": str(wait)}, seconds=wait)
        created = await intake.create_request(
            tenant=tenant,
            client_id=client_id,
            form=fields,
            idempotency_header=idempotency_key,
            clock=state.clock,
            secret=state.secret_key,
            callback_sla_s=state.settings.dispatch.callback_sla_s,
            lang=_lang(request),
        )
        body = formats.encode_list([created], fmt, root="service_requests", item="request")
        return _ok(body, fmt, {"Cache-Control": "no-store"})

    @get(
        ["/requests.json", "/requests.xml"],
        operation_id=_by_suffix("open311Requests"),
        summary="Published requests (anonymized; last 90 days and at most 1,000 by default)",
        responses=answers(list[ServiceRequest]),
        operation_class=Operation,
    )
    async def requests(
        self,
        request: Request,
        state: State,
        tenant: NamedDependency[TenantInfo],
        service_request_id: Annotated[
            str | None, QueryParameter(description="Codes, comma-separated.")
        ] = None,
        service_code: Annotated[
            str | None, QueryParameter(description="Service codes, comma-separated.")
        ] = None,
        start_date: Annotated[str | None, QueryParameter(description="ISO 8601 (with offset).")] = None,
        end_date: Annotated[str | None, QueryParameter(description="ISO 8601 (with offset).")] = None,
        status: Annotated[str | None, QueryParameter(description="open, closed (comma-separated).")] = None,
    ) -> Response:
        fmt = request_format(request)
        filters = published.parse_filters(
            {
                "service_request_id": service_request_id,
                "service_code": service_code,
                "start_date": start_date,
                "end_date": end_date,
                "status": status,
            },
            now=state.clock.now(),
            tz=ZoneInfo(tenant.time_zone),
        )
        items = await published.list_requests(tenant=tenant, filters=filters, lang=_lang(request))
        return _ok(formats.encode_list(items, fmt, root="service_requests", item="request"), fmt)

    @get(
        "/requests/{name:str}",
        operation_id="open311Request",
        summary="One request: requests/{service_request_id}.json|xml (never its exact place)",
        responses=answers(list[ServiceRequest]),
        operation_class=Operation,
    )
    async def one(
        self, request: Request, state: State, name: FromPath[str], tenant: NamedDependency[TenantInfo]
    ) -> Response:
        code, fmt = _named(name, "request_not_found", "id")
        item = await published.get_request(
            tenant=tenant, request_id=code, lang=_lang(request), now=state.clock.now()
        )
        return _ok(formats.encode_list([item], fmt, root="service_requests", item="request"), fmt)

    @get(
        "/tokens/{name:str}",
        operation_id="open311Token",
        summary="The service_request_id behind a token: tokens/{token}.json|xml",
        responses=answers(list[TokenResolved]),
        operation_class=Operation,
    )
    async def token(self, state: State, name: FromPath[str], tenant: NamedDependency[TenantInfo]) -> Response:
        token, fmt = _named(name, "token_not_found", "token")
        resolved = await intake.resolve_token(tenant=tenant, token=token, secret=state.secret_key)
        return _ok(formats.encode_list([resolved], fmt, root="service_requests", item="request"), fmt)
