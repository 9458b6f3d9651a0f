"""``/api/v1/alarms``: partners' devices raise alarms and partners read their devices' health (signed with
the partner's key, see ``signing.py``); the command center lists the city's devices, a page at a time, with
their silence flags."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from sereno.accounts.auth import require
from sereno.accounts.schemas import StaffPrincipal
from sereno.alarms import service, signing
from sereno.alarms.schemas import AlarmAck, DeviceHealth, TenantDevicePage
from sereno.core.clock import Clock
from sereno.core.openapi import STAFF, errors, staff_only

__all__ = ["AlarmController", "provide_partner"]

_STAFF = {"staff": Provide(require("dispatcher", "supervisor", "admin"))}
_After = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1, description="The previous page's next_after")]
_Limit = Annotated[int, QueryParameter(ge=1, le=200)]


class Signed(msgspec.Struct, frozen=True):
    """The authenticated partner and the exact bytes it signed."""

    partner: service.Partner
    body: bytes


async def provide_partner(request: Request, state: State) -> Signed:
    body = await request.body()
    partner = await service.authenticate(
        partner_header=request.headers.get(signing.PARTNER_HEADER),
        timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
        signature=request.headers.get(signing.SIGNATURE_HEADER),
        body=body,
        now=state.clock.now(),
        secret=state.secret_key,
    )
    return Signed(partner=partner, body=body)


_PARTNER = {"signed": Provide(provide_partner)}


class AlarmController(Controller):
    path = "/api/v1/alarms"
    tags = ["alarms"]  # noqa: RUF012 - Litestar's declaration style

    # 401: a bad signature, timestamp or partner; 404 an unregistered device; 409 a replayed event.
    @post("/", operation_id="receiveAlarm", status_code=200, dependencies=_PARTNER,
          summary="A partner device's event (signed): panic, duress, test, restore, cancel, heartbeat, sensor",
          responses=errors(401, 404, 409, 422))
    async def receive(self, signed: NamedDependency[Signed], clock: NamedDependency[Clock], state: State) -> AlarmAck:
        return await service.receive(partner=signed.partner, body=signed.body, now=clock.now(),
                                     settings=state.settings.alarms, dispatch=state.settings.dispatch)

    @get("/devices/health", operation_id="partnerDeviceHealth", dependencies=_PARTNER,
         summary="The calling partner's devices: last event, test and heartbeat (signed GET, empty body)",
         responses=errors(401, 404))
    async def health(self, signed: NamedDependency[Signed], clock: NamedDependency[Clock]) -> list[DeviceHealth]:
        return await service.partner_devices(partner=signed.partner, now=clock.now())

    @get("/devices", operation_id="listAlarmDevices", dependencies=_STAFF, security=staff_only(),
         summary="The city's partner devices with their silence flag, a page at a time in the order of their ids",
         responses=errors(*STAFF))
    async def devices(self, staff: NamedDependency[StaffPrincipal], clock: NamedDependency[Clock],
                      after: _After = None, limit: _Limit = 50) -> TenantDevicePage:
        return await service.tenant_devices(tenant_id=staff.tenant_id, after=after, limit=limit, now=clock.now())
