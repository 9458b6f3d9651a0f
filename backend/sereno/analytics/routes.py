"""Analytics for the security committee: staff only (supervisors, analysts, admins)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from sereno.accounts.auth import require
from sereno.accounts.schemas import StaffPrincipal
from sereno.analytics import printable, reports
from sereno.analytics.schemas import WeeklyReport
from sereno.core.errors import BadRequest
from sereno.core.web import request_language
from sereno.tenants import service as tenants

__all__ = ["AnalyticsController", "ANALYSTS"]

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

    @get(
        "/weekly",
        operation_id="getWeeklyReport",
        summary="The committee's weekly report (default: last 7 days)",
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
        return Response(printable.render(report, lang=lang), media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "private, no-store"})  # fmt: skip
