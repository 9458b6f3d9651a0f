"""Analytics for the security committee: staff only (supervisors, analysts, admins)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter, QueryParameter

from sereno.accounts.auth import require
from sereno.accounts.schemas import StaffPrincipal
from sereno.analytics import printable, queries, reports, service
from sereno.analytics.schemas import WeeklyReport
from sereno.core import db
from sereno.core.errors import BadRequest, NotFound, Unprocessable
from sereno.core.openapi import STAFF, errors, staff_only
from sereno.core.web import request_language
from sereno.tenants import service as tenants

__all__ = ["ANALYSTS", "AnalyticsController", "HotspotController"]

ANALYSTS = ("supervisor", "analyst", "admin")
_MAX_DAYS = 366

From = Annotated[date | None, QueryParameter(name="from", description="First day (local), YYYY-MM-DD.")]
To = Annotated[date | None, QueryParameter(name="to", description="Last day (local, inclusive), YYYY-MM-DD.")]


async def _report(
    state: State, staff: StaffPrincipal, date_from: date | None, date_to: date | None, lang: str
) -> WeeklyReport:
    tenant = await tenants.get_tenant(slug=staff.tenant_slug)
    now = state.clock.now()
    if (date_from is None) != (date_to is None):
        raise BadRequest("invalid_field", field="from" if date_from is None else "to", detail="from + to")
    if date_from is None:
        start, end = reports.default_period(now=now, time_zone=tenant.time_zone)
    else:
        if date_from > date_to or (date_to - date_from).days >= _MAX_DAYS:
            raise BadRequest("invalid_field", field="from", detail=f"from <= to, at most {_MAX_DAYS} days")
        start, end = reports.local_period(first=date_from, last=date_to, time_zone=tenant.time_zone)
    return await reports.weekly_report(tenant=tenant, start=start, end=end, now=now, lang=lang)


class AnalyticsController(Controller):
    path = "/api/v1/analytics"
    tags = ["analytics"]
    dependencies = {"staff": Provide(require(*ANALYSTS))}  # noqa: RUF012
    security = staff_only()  # noqa: RUF012

    @get(
        "/weekly",
        operation_id="getWeeklyReport",
        summary="The committee's weekly report (default: last 7 days)",
        responses=errors(*STAFF),
    )
    async def weekly(
        self,
        request: Request,
        state: State,
        staff: NamedDependency[StaffPrincipal],
        date_from: From = None,
        date_to: To = None,
    ) -> WeeklyReport:
        return await _report(state, staff, date_from, date_to, request_language(request))

    @get(
        "/weekly.html",
        operation_id="getWeeklyReportDocument",
        summary="The weekly report as a printable document",
        media_type="text/html",
        responses=errors(*STAFF),
    )
    async def weekly_document(
        self,
        request: Request,
        state: State,
        staff: NamedDependency[StaffPrincipal],
        date_from: From = None,
        date_to: To = None,
    ) -> Response[str]:
        lang = request_language(request)
        report = await _report(state, staff, date_from, date_to, lang)
        return Response(printable.render(report, lang=lang), media_type="text/html",
                        headers={"Cache-Control": "private, no-store"})  # fmt: skip


Categories = Annotated[
    str | None, QueryParameter(name="category", description="Category codes, comma-separated.")
]


def _categories(raw: str | None) -> tuple[str, ...]:
    codes = tuple(c.strip() for c in (raw or "").split(",") if c.strip())
    if len(codes) > 30 or any(len(c) > 40 for c in codes):
        raise BadRequest("invalid_field", field="category", detail="códigos separados por comas")
    return codes


async def _space(call):
    """The analytics service's errors as HTTP ones: too few units for the minimums → 422, no such city → 404."""
    try:
        return await call
    except ValueError as exc:
        raise Unprocessable("invalid_field", field="units", detail=str(exc)) from None
    except LookupError:
        raise NotFound("not_found") from None


class HotspotController(Controller):
    """Maps for planning patrols: where incidents concentrate, where they are expected next week, and how
    many units each sector needs per shift."""

    path = "/api/v1/analytics"
    tags = ["analytics"]
    dependencies = {"staff": Provide(require(*ANALYSTS))}  # noqa: RUF012
    security = staff_only()  # noqa: RUF012

    @get(
        "/hotspots",
        operation_id="getHotspots",
        summary="Counts or kernel density per grid cell, as GeoJSON",
        responses=errors(*STAFF, 404, 422),
    )
    async def hotspots(
        self,
        state: State,
        staff: NamedDependency[StaffPrincipal],
        category: Categories = None,
        date_from: From = None,
        date_to: To = None,
        kind: Literal["kde", "counts"] = "kde",
        shape: Literal["cells", "points"] = "points",
        cell_m: Annotated[float, Parameter(ge=50, le=2000)] = 200.0,
        bandwidth_m: Annotated[float, Parameter(ge=50, le=5000)] = 250.0,
    ) -> dict[str, Any]:
        tenant = await tenants.get_tenant(slug=staff.tenant_slug)
        now = state.clock.now()
        if date_from is None or date_to is None:
            start, end = now - timedelta(days=90), now
        else:
            if date_from > date_to:
                raise BadRequest("invalid_field", field="from", detail="from <= to")
            start, end = reports.local_period(first=date_from, last=date_to, time_zone=tenant.time_zone)
        async with db.read_connection() as conn:
            return await _space(
                service.hotspots_geojson(
                    conn, tenant_slug=tenant.slug, start=start, end=end, categories=_categories(category),
                    kind=kind, cell_m=cell_m, bandwidth_m=bandwidth_m, shape=shape,
                )
            )  # fmt: skip

    @get(
        "/forecast",
        operation_id="getForecast",
        summary="Expected incidents per cell over the next days",
        responses=errors(*STAFF, 404, 422),
    )
    async def forecast(
        self,
        state: State,
        staff: NamedDependency[StaffPrincipal],
        category: Categories = None,
        horizon_days: Annotated[float, Parameter(ge=1, le=28)] = 7.0,
        shape: Literal["cells", "points"] = "cells",
        top: Annotated[int | None, Parameter(ge=1, le=5000)] = None,
    ) -> dict[str, Any]:
        async with db.read_connection() as conn:
            result = await _space(
                service.tenant_forecast(
                    conn, tenant_slug=staff.tenant_slug, origin=state.clock.now(),
                    categories=_categories(category), horizon_days=horizon_days,
                )
            )  # fmt: skip
        collection = result.geojson(shape=shape, top=top)
        collection.setdefault("properties", {}).update(
            {"horizon_days": horizon_days, "history": result.n_history}
        )
        return collection

    @get(
        "/allocation",
        operation_id="getAllocation",
        summary="Units per sector and shift from the forecast",
        responses=errors(*STAFF, 404, 422),
    )
    async def allocation(
        self,
        state: State,
        staff: NamedDependency[StaffPrincipal],
        category: Categories = None,
        units: Annotated[
            int | None,
            Parameter(ge=1, le=2000, description="Units to place per shift (default: the city's units)."),
        ] = None,
        min_per_sector: Annotated[int, Parameter(ge=0, le=20)] = 1,
        cells_per_unit: Annotated[int, Parameter(ge=1, le=200)] = 10,
    ) -> dict[str, Any]:
        async with db.read_connection() as conn:
            if units is None:
                units = await queries.count_units(conn, tenant_id=staff.tenant_id) or 1
            result = await _space(
                service.tenant_allocation(
                    conn, tenant_slug=staff.tenant_slug, origin=state.clock.now(), units=units,
                    categories=_categories(category), min_per_sector=min_per_sector, cells_per_unit=cells_per_unit,
                )
            )  # fmt: skip
        plan = result.allocation
        return {
            "units": units,
            "shifts": [s.name for s in plan.shifts],
            "rows": plan.rows(),
            "covered_share": round(plan.covered_share, 4),
            "covered_share_by_shift": {
                s.name: round(float(v), 4)
                for s, v in zip(plan.shifts, plan.covered_share_by_shift, strict=True)
            },
            "watched": result.watched_geojson(),
        }
