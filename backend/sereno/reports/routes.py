"""Citizen report intake and tracking."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from sereno.core.openapi import errors
from sereno.reports import service
from sereno.reports.schemas import ReportCreate, ReportCreated, ReportRead
from sereno.tenants.schemas import TenantInfo

__all__ = ["ReportController"]


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]

    @post(
        "/",
        operation_id="createReport",
        summary="File a report (exactly once per Idempotency-Key)",
        status_code=201,
        # 404: the city named by X-Sereno-Tenant; 422: the city's rules (unknown category, outside its area,
        # a photo not uploaded, the key reused for another report); 429: too many reports from one address.
        responses=errors(404, 422, 429),
    )
    async def create(
        self,
        data: JSONBody[ReportCreate],
        tenant: NamedDependency[TenantInfo],
        state: State,
        idempotency_key: Annotated[
            str,
            HeaderParameter(
                name="Idempotency-Key",
                pattern=r"^[\x21-\x7e]{8,200}$",
                description="A client-made id of this report (e.g. a UUID): a retry with it files nothing new.",
            ),
        ],
    ) -> Response[ReportCreated]:
        status, body = await service.submit_report(
            tenant=tenant,
            body=data,
            idempotency_key=idempotency_key,
            # Read from state rather than injected: on this hot path each extra dependency costs a task group.
            clock=state.clock,
            secret=state.secret_key,
            callback_sla_s=state.settings.dispatch.callback_sla_s,
        )
        return Response(body, status_code=status, headers={"Cache-Control": "no-store"})

    @get(
        "/{code:str}",
        operation_id="getReport",
        summary="The reporter's own view of a report",
        responses=errors(404),  # also with a wrong or missing tracking token: nothing tells them apart
    )
    async def read(
        self,
        code: FromPath[str],
        tenant: NamedDependency[TenantInfo],
        lang: NamedDependency[str],
        state: State,
        token: Annotated[str | None, HeaderParameter(name="X-Tracking-Token", required=False)] = None,
    ) -> Response[ReportRead]:
        view = await service.citizen_view(
            tenant=tenant, code=code, token=token, lang=lang, storage=state.storage
        )
        return Response(view, headers={"Cache-Control": "no-store"})
