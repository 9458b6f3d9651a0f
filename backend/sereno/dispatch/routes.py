"""Units, dispatch and the field app's endpoints."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from sereno.accounts.auth import READERS, WRITERS, require
from sereno.accounts.schemas import StaffPrincipal
from sereno.core.clock import Clock
from sereno.core.openapi import STAFF, BigId, Id, errors, staff_only
from sereno.dispatch import field, nearest, service, units
from sereno.dispatch.schemas import (
    AssignIn,
    CancelIn,
    DutyIn,
    FieldActionIn,
    FieldAssignment,
    FieldIncidentIn,
    PanicIn,
    PositionIn,
    Recommendation,
    UnitCreate,
    UnitRead,
)
from sereno.incidents.schemas import AssignmentRead, IncidentDetail
from sereno.tenants import service as tenants

__all__ = ["UnitController", "DispatchController", "FieldController"]

_WRITE = {"staff": Provide(require(*WRITERS))}
FieldStep = Literal["acknowledge", "decline", "en_route", "on_scene", "clear"]
# An id of another city is not found; the state of units and assignments refuses stale commands (409);
# the officer's own situation (no unit, a photo not yet processed...) refuses others (422).
_CHANGE = errors(*STAFF, 404, 409, 422)


class UnitController(Controller):
    path = "/api/v1/units"
    tags = ["units"]
    dependencies = {"staff": Provide(require(*READERS))}
    security = staff_only()

    @get("/", operation_id="listUnits", responses=errors(*STAFF))
    async def list(
        self, staff: NamedDependency[StaffPrincipal], clock: NamedDependency[Clock], state: State
    ) -> list[UnitRead]:
        return await units.list_units(
            tenant_id=staff.tenant_id, now=clock.now(), stale_s=state.settings.dispatch.stale_position_s
        )

    @post(
        "/",
        operation_id="createUnit",
        status_code=201,
        dependencies={"staff": Provide(require("supervisor", "admin"))},
        responses=errors(*STAFF, 409),
    )
    async def create(
        self,
        staff: NamedDependency[StaffPrincipal],
        data: JSONBody[UnitCreate],
        clock: NamedDependency[Clock],
        state: State,
    ) -> UnitRead:
        return await units.create_unit(
            staff=staff, body=data, now=clock.now(), stale_s=state.settings.dispatch.stale_position_s
        )

    @post(
        "/{unit_id:int}/clear-emergency",
        operation_id="clearEmergency",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def clear_emergency(
        self,
        staff: NamedDependency[StaffPrincipal],
        unit_id: Id,
        clock: NamedDependency[Clock],
        state: State,
    ) -> UnitRead:
        return await units.clear_emergency(
            staff=staff, unit_id=unit_id, now=clock.now(), stale_s=state.settings.dispatch.stale_position_s
        )


class DispatchController(Controller):
    path = "/api/v1"
    tags = ["dispatch"]
    dependencies = {"staff": Provide(require(*READERS))}
    security = staff_only()

    @get(
        "/incidents/{incident_id:int}/recommendations",
        operation_id="recommendUnits",
        responses=errors(*STAFF, 404),
    )
    async def recommendations(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        clock: NamedDependency[Clock],
        state: State,
    ) -> list[Recommendation]:
        return await nearest.recommend(
            staff=staff, incident_id=incident_id, now=clock.now(), settings=state.settings.dispatch
        )

    @post(
        "/incidents/{incident_id:int}/assignments",
        operation_id="assignUnits",
        status_code=201,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def assign(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[AssignIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> list[AssignmentRead]:
        return await service.assign_units(
            staff=staff,
            incident_id=incident_id,
            unit_ids=data.unit_ids,
            now=clock.now(),
            settings=state.settings.dispatch,
        )

    @post(
        "/assignments/{assignment_id:int}/cancel",
        operation_id="cancelAssignment",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def cancel(
        self,
        staff: NamedDependency[StaffPrincipal],
        assignment_id: BigId,
        data: JSONBody[CancelIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> AssignmentRead:
        return await service.cancel(
            staff=staff,
            assignment_id=assignment_id,
            reason=data.reason,
            now=clock.now(),
            settings=state.settings.dispatch,
        )


class FieldController(Controller):
    path = "/api/v1/field"
    tags = ["field"]
    dependencies = {"staff": Provide(require("officer"))}
    security = staff_only()

    @post("/duty", operation_id="setDuty", status_code=200, responses=_CHANGE)
    async def duty(
        self,
        staff: NamedDependency[StaffPrincipal],
        data: JSONBody[DutyIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> UnitRead:
        return await units.set_duty(
            staff=staff, body=data, now=clock.now(), stale_s=state.settings.dispatch.stale_position_s
        )

    @post("/position", operation_id="recordPosition", status_code=204, responses=_CHANGE)
    async def position(
        self,
        staff: NamedDependency[StaffPrincipal],
        data: JSONBody[PositionIn],
        clock: NamedDependency[Clock],
    ) -> None:
        await units.record_position(staff=staff, body=data, now=clock.now())

    @post("/panic", operation_id="panic", status_code=200, responses=_CHANGE)
    async def panic(
        self,
        staff: NamedDependency[StaffPrincipal],
        data: JSONBody[PanicIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> UnitRead:
        return await units.panic(
            staff=staff, body=data, now=clock.now(), stale_s=state.settings.dispatch.stale_position_s
        )

    @get("/assignments", operation_id="myAssignments", responses=errors(*STAFF))
    async def assignments(
        self, staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str], state: State
    ) -> list[FieldAssignment]:
        return await field.my_assignments(staff=staff, storage=state.storage, lang=lang)

    @post(
        "/assignments/{assignment_id:int}/{action:str}",
        operation_id="fieldAction",
        status_code=200,
        responses=_CHANGE,
    )
    async def act(
        self,
        staff: NamedDependency[StaffPrincipal],
        assignment_id: BigId,
        action: FromPath[FieldStep],
        data: JSONBody[FieldActionIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> AssignmentRead:
        return await field.act(
            staff=staff,
            assignment_id=assignment_id,
            action=action,
            body=data,
            now=clock.now(),
            settings=state.settings.dispatch,
        )

    @post("/incidents", operation_id="raiseFieldIncident", status_code=201, responses=_CHANGE)
    async def raise_incident(
        self,
        staff: NamedDependency[StaffPrincipal],
        data: JSONBody[FieldIncidentIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        tenant = await tenants.get_tenant(slug=staff.tenant_slug)
        return await field.raise_incident(
            staff=staff,
            tenant=tenant,
            body=data,
            now=clock.now(),
            settings=state.settings.dispatch,
            storage=state.storage,
        )
