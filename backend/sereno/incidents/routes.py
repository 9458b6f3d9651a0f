"""The command center's incident endpoints (dispatchers and supervisors write; analysts and admins read)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter

from sereno.accounts.auth import READERS, WRITERS, require
from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db
from sereno.core.clock import Clock
from sereno.core.openapi import STAFF, BigId, errors, staff_only
from sereno.incidents import entry, service, views
from sereno.incidents.duplicates import candidates
from sereno.incidents.schemas import (
    CallbackIn,
    ContactEraseIn,
    DuplicateCandidate,
    IncidentCreate,
    IncidentDetail,
    IncidentSummary,
    MergeIn,
    NoteIn,
    ReasonIn,
    TriageIn,
    VersionIn,
)
from sereno.tenants import service as tenants

__all__ = ["IncidentController"]

_WRITE = {"staff": Provide(require(*WRITERS))}
_SUPERVISE = {"staff": Provide(require("supervisor"))}
# Reading one incident: not found (or another city's); changing it: also a stale version or a refused
# transition (409) and a rule of the city (422, e.g. an unknown category).
_READ_ONE = errors(*STAFF, 404)
_CHANGE = errors(*STAFF, 404, 409, 422)


class IncidentController(Controller):
    path = "/api/v1/incidents"
    tags = ["command center"]
    dependencies = {"staff": Provide(require(*READERS))}
    security = staff_only()

    @get("/", operation_id="listIncidents", responses=errors(*STAFF))
    async def list(
        self,
        staff: NamedDependency[StaffPrincipal],
        clock: NamedDependency[Clock],
        lang: NamedDependency[str],
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
    ) -> list[IncidentSummary]:
        async with db.connection() as conn:
            return await views.queue(conn, tenant_id=staff.tenant_id, now=clock.now(), lang=lang, limit=limit)

    @get("/{incident_id:int}", operation_id="getIncident", responses=_READ_ONE)
    async def read(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        clock: NamedDependency[Clock],
        lang: NamedDependency[str],
        state: State,
    ) -> IncidentDetail:
        async with db.connection() as conn:
            return await views.detail(
                conn, staff=staff, incident_id=incident_id, now=clock.now(), storage=state.storage, lang=lang
            )

    @post(
        "/",
        operation_id="createIncident",
        status_code=201,
        dependencies=_WRITE,
        responses=errors(*STAFF, 422),
    )
    async def create(
        self,
        staff: NamedDependency[StaffPrincipal],
        data: JSONBody[IncidentCreate],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        tenant = await tenants.get_tenant(slug=staff.tenant_slug)
        return await entry.create_by_operator(
            staff=staff,
            tenant=tenant,
            body=data,
            now=clock.now(),
            storage=state.storage,
            callback_sla=timedelta(seconds=state.settings.dispatch.callback_sla_s),
        )

    @post(
        "/{incident_id:int}/triage",
        operation_id="triageIncident",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def triage(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[TriageIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.triage(
            staff=staff, incident_id=incident_id, body=data, now=clock.now(), storage=state.storage
        )

    @post(
        "/{incident_id:int}/notes",
        operation_id="addIncidentNote",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def note(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[NoteIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.add_note(
            staff=staff, incident_id=incident_id, body=data, now=clock.now(), storage=state.storage
        )

    @get("/{incident_id:int}/duplicates", operation_id="duplicateCandidates", responses=_READ_ONE)
    async def duplicates(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        clock: NamedDependency[Clock],
        lang: NamedDependency[str],
    ) -> list[DuplicateCandidate]:
        return await candidates(staff=staff, incident_id=incident_id, now=clock.now(), lang=lang)

    @post(
        "/{incident_id:int}/merge",
        operation_id="mergeIncident",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def merge(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[MergeIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.merge(
            staff=staff, incident_id=incident_id, body=data, now=clock.now(), storage=state.storage
        )

    @post(
        "/{incident_id:int}/unfounded",
        operation_id="markUnfounded",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def unfounded(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[ReasonIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.finish(
            staff=staff,
            incident_id=incident_id,
            command="unfounded",
            version=data.version,
            reason=data.reason,
            now=clock.now(),
            storage=state.storage,
        )

    @post(
        "/{incident_id:int}/cancel",
        operation_id="cancelIncident",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def cancel(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[ReasonIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.finish(
            staff=staff,
            incident_id=incident_id,
            command="cancel",
            version=data.version,
            reason=data.reason,
            now=clock.now(),
            storage=state.storage,
        )

    @post(
        "/{incident_id:int}/close",
        operation_id="closeIncident",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def close(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[VersionIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.finish(
            staff=staff,
            incident_id=incident_id,
            command="close",
            version=data.version,
            reason="",
            now=clock.now(),
            storage=state.storage,
        )

    @post(
        "/{incident_id:int}/reopen",
        operation_id="reopenIncident",
        status_code=200,
        dependencies=_SUPERVISE,
        responses=_CHANGE,
    )
    async def reopen(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[ReasonIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.finish(
            staff=staff,
            incident_id=incident_id,
            command="reopen",
            version=data.version,
            reason=data.reason,
            now=clock.now(),
            storage=state.storage,
        )

    @post(
        "/{incident_id:int}/callback",
        operation_id="recordCallback",
        status_code=200,
        dependencies=_WRITE,
        responses=_CHANGE,
    )
    async def callback(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[CallbackIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.record_callback(
            staff=staff, incident_id=incident_id, note=data.note, now=clock.now(), storage=state.storage
        )

    @post(
        "/{incident_id:int}/contact/erase",
        operation_id="eraseReporterContact",
        summary="Erase the reporter's personal data (Ley 29733); the incident and its public record remain",
        status_code=200,
        dependencies={"staff": Provide(require("supervisor", "admin"))},
        responses=_CHANGE,
    )
    async def erase_contact(
        self,
        staff: NamedDependency[StaffPrincipal],
        incident_id: BigId,
        data: JSONBody[ContactEraseIn],
        clock: NamedDependency[Clock],
        state: State,
    ) -> IncidentDetail:
        return await service.erase_contact(
            staff=staff, incident_id=incident_id, reason=data.reason, now=clock.now(), storage=state.storage
        )
