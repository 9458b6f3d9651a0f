"""Push subscriptions: the VAPID key for browsers, staff devices, and citizens following their report."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody

from sereno.accounts.auth import require
from sereno.accounts.schemas import StaffPrincipal
from sereno.core.openapi import STAFF, errors, staff_only
from sereno.notifications import service
from sereno.notifications.schemas import SubscriptionIn, SubscriptionRemove, VapidPublicKey
from sereno.tenants.schemas import TenantInfo

__all__ = ["PushController", "ReportSubscriptionController"]


class PushController(Controller):
    path = "/api/v1/push"
    tags = ["push"]

    @get("/vapid-public-key", operation_id="getVapidPublicKey", summary="applicationServerKey for Web Push")
    async def vapid_public_key(self) -> Response[VapidPublicKey]:
        key = await service.vapid_public_key()
        return Response(key, headers={"Cache-Control": "public, max-age=3600"})

    @post(
        "/subscriptions",
        operation_id="subscribeStaffDevice",
        status_code=201,
        dependencies={"staff": Provide(require())},
        security=staff_only(),
        responses=errors(*STAFF, 422),
    )
    async def subscribe(
        self,
        data: JSONBody[SubscriptionIn],
        staff: NamedDependency[StaffPrincipal],
        lang: NamedDependency[str],
    ) -> None:
        await service.subscribe(tenant_id=staff.tenant_id, body=data, language=lang, account_id=staff.id)

    @delete(
        "/subscriptions",
        operation_id="unsubscribeStaffDevice",
        dependencies={"staff": Provide(require())},
        security=staff_only(),
        responses=errors(*STAFF),
    )
    async def unsubscribe(
        self, data: JSONBody[SubscriptionRemove], staff: NamedDependency[StaffPrincipal]
    ) -> None:
        await service.unsubscribe(endpoint=data.endpoint, account_id=staff.id)


class ReportSubscriptionController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]

    @post(
        "/{code:str}/subscriptions",
        operation_id="subscribeToReport",
        summary="Follow a report with push notifications (needs its tracking token)",
        status_code=201,
        responses=errors(404, 422),
    )
    async def subscribe(
        self,
        code: FromPath[str],
        data: JSONBody[SubscriptionIn],
        tenant: NamedDependency[TenantInfo],
        lang: NamedDependency[str],
        token: Annotated[str | None, HeaderParameter(name="X-Tracking-Token", required=False)] = None,
    ) -> None:
        await service.follow_report(tenant=tenant, code=code, token=token, body=data, language=lang)
