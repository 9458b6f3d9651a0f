"""What an Open311 client reads first: the discovery document, the services (the tenant's active report
categories) and each service's definition (its extra questions)."""

from __future__ import annotations

from datetime import UTC, datetime

from sereno.tenants import service as tenants
from sereno.tenants.schemas import CategoryInfo, TenantInfo
from sereno.transparency.open311.errors import Open311Error, message
from sereno.transparency.open311.schemas import (
    Attribute,
    Discovery,
    Endpoint,
    Service,
    ServiceDefinition,
)

__all__ = ["CHANGESET", "OCCURRED_AT", "SPECIFICATION", "category", "definition", "discovery", "services"]

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this implementation last changed in a way a client should notice (the discovery's changeset).
CHANGESET = datetime(2026, 11, 22, tzinfo=UTC)
# The one question every category asks beyond the standard fields: when it happened, if not just now.
OCCURRED_AT = "occurred_at"


def discovery(*, tenant: TenantInfo, base_url: str, lang: str) -> Discovery:
    key_service = (
        "API keys are issued by the municipality to each application."
        if lang == "en"
        else "La municipalidad emite una clave (api_key) para cada aplicación."
    )
    return Discovery(
        changeset=CHANGESET,
        contact=f"{tenant.name} — {tenant.emergency_phone}",
        key_service=key_service,
        endpoints=[
            Endpoint(
                specification=SPECIFICATION,
                url=f"{base_url.rstrip('/')}/open311/v2",
                changeset=CHANGESET,
                type="production",
                formats=["text/xml", "application/json"],
            )
        ],
    )


def _service(tenant: TenantInfo, c: CategoryInfo, lang: str) -> Service:
    name = c.name(lang)
    if c.emergency:
        description = message("emergency_description", lang, name=name, phone=tenant.emergency_phone)
    elif c.sensitive:
        description = message("sensitive_description", lang, name=name)
    else:
        description = name
    keywords = ", ".join(dict.fromkeys(w.strip(" /").lower() for w in (c.name_es, c.name_en) if w))
    return Service(
        service_code=c.code,
        service_name=name,
        description=description,
        metadata=True,  # every category asks when it happened (see definition)
        type="realtime",
        keywords=keywords,
        group=message("group_emergency" if c.emergency else "group_safety", lang),
    )


async def services(*, tenant: TenantInfo, lang: str) -> list[Service]:
    return [_service(tenant, c, lang) for c in await tenants.list_categories(tenant_id=tenant.id)]


async def category(*, tenant: TenantInfo, code: str, status_code: int) -> CategoryInfo:
    """An active category by its service_code, or an Open311 error with ``status_code``."""
    for c in await tenants.list_categories(tenant_id=tenant.id):
        if c.code == code:
            return c
    raise Open311Error(status_code, "unknown_service", code=code[:40])


async def definition(*, tenant: TenantInfo, code: str, lang: str) -> ServiceDefinition:
    """The questions of a category: when it happened (optional, mapped to the report's ``occurred_at``) and,
    for emergencies, the "call 105" notice as a non-variable attribute (shown, not asked)."""
    c = await category(tenant=tenant, code=code, status_code=404)
    attributes = [
        Attribute(
            variable=True,
            code=OCCURRED_AT,
            datatype="datetime",
            required=False,
            datatype_description=message("attribute_occurred_at_type", lang),
            order=2,
            description=message("attribute_occurred_at", lang),
        )
    ]
    if c.emergency:
        attributes.insert(
            0,
            Attribute(
                variable=False,
                code="call_emergency",
                datatype="text",
                required=False,
                datatype_description=None,
                order=1,
                description=message("attribute_call", lang, phone=tenant.emergency_phone),
            ),
        )
    return ServiceDefinition(service_code=c.code, attributes=attributes)
