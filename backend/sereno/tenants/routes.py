"""Public read-only tenant data: the city the app is serving, and its report categories."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency

from sereno.core.openapi import errors
from sereno.tenants import service
from sereno.tenants.schemas import CategoryRead, TenantInfo, TenantPublic

__all__ = ["TenantController", "provide_tenant"]

TENANT_HEADER = "x-sereno-tenant"
# Every public route of a city: X-Sereno-Tenant may name none that exists.
_UNKNOWN_CITY = errors(404)


async def provide_tenant(request: Request, state: State) -> TenantInfo:
    """The tenant named by the ``X-Sereno-Tenant`` header, else the configured default."""
    slug = request.headers.get(TENANT_HEADER) or state.settings.server.default_tenant
    return await service.get_tenant(slug=slug.strip().lower()[:20])


class TenantController(Controller):
    path = "/api/v1"
    tags = ["tenant"]

    # No response cache: it would be keyed by path alone and hand one city's answer to another's header
    # (get_tenant caches per slug in-process anyway).
    @get("/tenant", operation_id="getTenant", responses=_UNKNOWN_CITY)
    async def tenant(self, tenant: NamedDependency[TenantInfo]) -> TenantPublic:
        return TenantPublic(
            slug=tenant.slug,
            name=tenant.name,
            emergency_phone=tenant.emergency_phone,
            default_language=tenant.default_language,
            center=tenant.center,
            service_area=tenant.service_area,
        )

    @get(
        "/sectors",
        operation_id="listSectors",
        summary="The city's sectors (patrol zones) as GeoJSON",
        responses=_UNKNOWN_CITY,
    )
    async def sectors(self, tenant: NamedDependency[TenantInfo]) -> dict:
        return await service.sectors_geojson(tenant_id=tenant.id)

    @get("/categories", operation_id="listCategories", responses=_UNKNOWN_CITY)
    async def categories(
        self, tenant: NamedDependency[TenantInfo], lang: NamedDependency[str]
    ) -> list[CategoryRead]:
        return [
            CategoryRead(
                code=c.code,
                name=c.name(lang),
                priority=c.default_priority,
                emergency=c.emergency,
                sensitive=c.sensitive,
                icon=c.icon,
            )
            for c in await service.list_categories(tenant_id=tenant.id)
        ]
