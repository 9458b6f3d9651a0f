"""``/api/v1/alarms/partners``: administrators register partners, rotate and revoke their keys, and register
list and change their devices (the console's counterpart of ``sereno alarms ...``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter

from sereno.accounts.auth import require
from sereno.accounts.schemas import StaffPrincipal
from sereno.alarms import administration as admin
from sereno.alarms.schemas import DeviceRead
from sereno.core.clock import Clock
from sereno.core.openapi import STAFF, Id, errors, staff_only

__all__ = ["PartnerAdminController"]

_DeviceId = Annotated[str, PathParameter(min_length=1, max_length=64)]
_After = Annotated[str | None, QueryParameter(max_length=64, description="The previous page's next_after")]
_Limit = Annotated[int, QueryParameter(ge=1, le=200)]


class PartnerAdminController(Controller):
    path = "/api/v1/alarms/partners"
    tags = ["alarms"]  # noqa: RUF012
    dependencies = {"staff": Provide(require("admin"))}  # noqa: RUF012
    security = staff_only()  # noqa: RUF012

    @get(
        "/",
        operation_id="listAlarmPartners",
        summary="Partners with their key fingerprints and device counts",
        responses=errors(*STAFF),
    )
    async def list_partners(self, staff: NamedDependency[StaffPrincipal]) -> list[admin.PartnerRead]:
        return await admin.list_partners(staff=staff)

    @post(
        "/",
        operation_id="registerAlarmPartner",
        status_code=201,
        summary="A partner and its first key (shown once)",
        responses=errors(*STAFF, 409, 422),
    )
    async def register(
        self, data: JSONBody[admin.PartnerIn], staff: NamedDependency[StaffPrincipal], state: State
    ) -> admin.IssuedKey:
        return await admin.register_partner(staff=staff, body=data, secret=state.secret_key)

    @patch(
        "/{partner_id:int}",
        operation_id="changeAlarmPartner",
        summary="Rename, callback URL, (de)activate",
        responses=errors(*STAFF, 404, 422),
    )
    async def change(
        self,
        partner_id: Id,
        data: JSONBody[admin.PartnerPatch],
        staff: NamedDependency[StaffPrincipal],
    ) -> admin.PartnerRead:
        return await admin.change_partner(staff=staff, partner_id=partner_id, body=data)

    @post("/{partner_id:int}/keys", operation_id="issueAlarmPartnerKey", status_code=201,
          summary="Rotation: a second valid key (shown once); 409 while two are valid",
          responses=errors(*STAFF, 404, 409))  # fmt: skip
    async def issue_key(
        self, partner_id: Id, staff: NamedDependency[StaffPrincipal], state: State
    ) -> admin.IssuedKey:
        return await admin.rotate_key(staff=staff, partner_id=partner_id, secret=state.secret_key)

    @delete("/{partner_id:int}/keys/{key_id:int}", operation_id="revokeAlarmPartnerKey", status_code=200,
            summary="Revoke a key: refused from the next request on", responses=errors(*STAFF, 404))  # fmt: skip
    async def revoke_key(
        self, partner_id: Id, key_id: Id, staff: NamedDependency[StaffPrincipal]
    ) -> admin.PartnerRead:
        return await admin.revoke_key(staff=staff, partner_id=partner_id, key_id=key_id)

    @put("/{partner_id:int}/devices/{device_id:str}", operation_id="putAlarmDevice",
         summary="Register or update a device at its fixed place",
         responses=errors(*STAFF, 404, 409, 422))  # fmt: skip
    async def put_device(
        self, partner_id: Id, device_id: _DeviceId, data: JSONBody[admin.DeviceIn],
        staff: NamedDependency[StaffPrincipal], clock: NamedDependency[Clock],
    ) -> admin.PartnerRead:  # fmt: skip
        return await admin.put_device(
            staff=staff, partner_id=partner_id, device_id=device_id, body=data, now=clock.now()
        )

    @get("/{partner_id:int}/devices", operation_id="listAlarmPartnerDevices",
         summary="The partner's devices, a page at a time in the order of their ids",
         responses=errors(*STAFF, 404))  # fmt: skip
    async def list_devices(
        self, partner_id: Id, staff: NamedDependency[StaffPrincipal], clock: NamedDependency[Clock],
        after: _After = None, limit: _Limit = 50,
    ) -> admin.DevicePage:  # fmt: skip
        return await admin.list_devices(
            staff=staff, partner_id=partner_id, after=after, limit=limit, now=clock.now()
        )

    @patch("/{partner_id:int}/devices/{device_id:str}", operation_id="changeAlarmDevice",
           summary="Change a device's name, place, phone, heartbeat interval or (de)activate it",
           responses=errors(*STAFF, 404, 422))  # fmt: skip
    async def change_device(
        self, partner_id: Id, device_id: _DeviceId, data: JSONBody[admin.DevicePatch],
        staff: NamedDependency[StaffPrincipal], clock: NamedDependency[Clock],
    ) -> DeviceRead:  # fmt: skip
        return await admin.change_device(
            staff=staff, partner_id=partner_id, device_id=device_id, body=data, now=clock.now()
        )
