"""Citizen participation over HTTP: topics and requests for citizens, the inbox for the municipality's staff,
departments for admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, patch, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from sereno.accounts.auth import require
from sereno.accounts.schemas import StaffPrincipal
from sereno.notifications.schemas import SubscriptionIn
from sereno.participation import departments, inbox, service
from sereno.participation.lifecycle import MANAGERS, STAFF
from sereno.participation.schemas import (
    AnswerIn,
    DepartmentIn,
    DepartmentPatch,
    DepartmentRead,
    DismissIn,
    InboxDetail,
    InboxPage,
    MembersIn,
    NoteIn,
    RequestCreate,
    RequestCreated,
    RequestRead,
    TopicRead,
    TransferIn,
)
from sereno.tenants.schemas import TenantInfo

__all__ = ["ParticipationController", "InboxController", "DepartmentController"]

_NO_STORE = {"Cache-Control": "no-store"}


class ParticipationController(Controller):
    path = "/api/v1/participation"
    tags = ["participation"]

    @get(
        "/topics",
        operation_id="listParticipationTopics",
        summary="What a citizen may write to the city about",
    )
    async def topics(
        self, tenant: NamedDependency[TenantInfo], lang: NamedDependency[str]
    ) -> list[TopicRead]:
        return await service.list_topics(tenant=tenant, lang=lang)

    @post(
        "/requests",
        operation_id="createParticipationRequest",
        summary="Send a complaint, suggestion or question (exactly once per Idempotency-Key)",
        status_code=201,
    )
    async def create(
        self,
        data: JSONBody[RequestCreate],
        tenant: NamedDependency[TenantInfo],
        lang: NamedDependency[str],
        state: State,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", required=False)
        ] = None,
    ) -> Response[RequestCreated]:
        status, body = await service.submit_request(
            tenant=tenant, body=data, idempotency_key=idempotency_key or "", lang=lang, clock=state.clock,
            secret=state.secret_key,
        )  # fmt: skip
        return Response(body, status_code=status, headers=_NO_STORE)

    @get("/requests/{code:str}", operation_id="getParticipationRequest", summary="The citizen's own view")
    async def read(
        self,
        code: FromPath[str],
        tenant: NamedDependency[TenantInfo],
        lang: NamedDependency[str],
        token: Annotated[str | None, HeaderParameter(name="X-Tracking-Token", required=False)] = None,
    ) -> Response[RequestRead]:
        view = await service.citizen_view(tenant=tenant, code=code, token=token, lang=lang)
        return Response(view, headers=_NO_STORE)

    @post(
        "/requests/{code:str}/subscriptions",
        operation_id="subscribeToParticipationRequest",
        summary="Follow a request with push notifications (needs its tracking token)",
        status_code=201,
    )
    async def subscribe(
        self,
        code: FromPath[str],
        data: JSONBody[SubscriptionIn],
        tenant: NamedDependency[TenantInfo],
        lang: NamedDependency[str],
        token: Annotated[str | None, HeaderParameter(name="X-Tracking-Token", required=False)] = None,
    ) -> None:
        await service.follow_request(tenant=tenant, code=code, token=token, body=data, lang=lang)


class InboxController(Controller):
    path = "/api/v1/participation/inbox"
    tags = ["participation"]
    dependencies = {"staff": Provide(require(*STAFF))}  # noqa: RUF012

    @get("/", operation_id="listParticipationInbox", summary="Department queues, soonest deadline first")
    async def list(
        self,
        state: State,
        staff: NamedDependency[StaffPrincipal],
        lang: NamedDependency[str],
        department: Annotated[str | None, QueryParameter(max_length=40)] = None,
        status: Annotated[
            str, QueryParameter(max_length=20, description="open, closed, all or a status")
        ] = "open",
        overdue: Annotated[bool, QueryParameter(description="Only requests past their deadline")] = False,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> InboxPage:
        return await inbox.inbox(
            staff=staff, now=state.clock.now(), lang=lang, department=department, status=status,
            overdue_only=overdue, cursor=cursor, limit=limit,
        )  # fmt: skip

    @get(
        "/{request_id:int}", operation_id="getParticipationDetail", summary="A request with contact and trail"
    )
    async def detail(
        self, request_id: FromPath[int], state: State, staff: NamedDependency[StaffPrincipal],
        lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.detail(staff=staff, request_id=request_id, now=state.clock.now(), lang=lang)

    @post("/{request_id:int}/start", operation_id="startParticipationRequest", status_code=200)
    async def start(
        self, request_id: FromPath[int], state: State, staff: NamedDependency[StaffPrincipal],
        lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.start(staff=staff, request_id=request_id, now=state.clock.now(), lang=lang)

    @post("/{request_id:int}/answer", operation_id="answerParticipationRequest", status_code=200)
    async def answer(
        self, request_id: FromPath[int], data: JSONBody[AnswerIn], state: State,
        staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.answer(
            staff=staff, request_id=request_id, body=data, now=state.clock.now(), lang=lang
        )

    @post("/{request_id:int}/dismiss", operation_id="dismissParticipationRequest", status_code=200)
    async def dismiss(
        self, request_id: FromPath[int], data: JSONBody[DismissIn], state: State,
        staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.dismiss(
            staff=staff, request_id=request_id, body=data, now=state.clock.now(), lang=lang
        )

    @post("/{request_id:int}/transfer", operation_id="transferParticipationRequest", status_code=200)
    async def transfer(
        self, request_id: FromPath[int], data: JSONBody[TransferIn], state: State,
        staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.transfer(
            staff=staff, request_id=request_id, body=data, now=state.clock.now(), lang=lang
        )

    @post("/{request_id:int}/notes", operation_id="noteParticipationRequest", status_code=200)
    async def note(
        self, request_id: FromPath[int], data: JSONBody[NoteIn], state: State,
        staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.note(
            staff=staff, request_id=request_id, body=data, now=state.clock.now(), lang=lang
        )

    @post(
        "/{request_id:int}/reopen",
        operation_id="reopenParticipationRequest",
        status_code=200,
        dependencies={"staff": Provide(require(*MANAGERS))},
    )
    async def reopen(
        self, request_id: FromPath[int], state: State, staff: NamedDependency[StaffPrincipal],
        lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.reopen(staff=staff, request_id=request_id, now=state.clock.now(), lang=lang)


class DepartmentController(Controller):
    path = "/api/v1/participation/departments"
    tags = ["participation"]

    @get(
        "/",
        operation_id="listDepartments",
        summary="Departments with open and overdue counts",
        dependencies={"staff": Provide(require(*STAFF))},
    )
    async def list(self, state: State, staff: NamedDependency[StaffPrincipal]) -> list[DepartmentRead]:
        return await departments.list_departments(staff=staff, now=state.clock.now())

    @post(
        "/",
        operation_id="createDepartment",
        status_code=201,
        dependencies={"staff": Provide(require("admin"))},
    )
    async def create(
        self, data: JSONBody[DepartmentIn], state: State, staff: NamedDependency[StaffPrincipal]
    ) -> DepartmentRead:
        return await departments.create_department(staff=staff, body=data, now=state.clock.now())

    @patch("/{code:str}", operation_id="changeDepartment", dependencies={"staff": Provide(require("admin"))})
    async def change(
        self, code: FromPath[str], data: JSONBody[DepartmentPatch], state: State,
        staff: NamedDependency[StaffPrincipal],
    ) -> DepartmentRead:  # fmt: skip
        return await departments.change_department(staff=staff, code=code, body=data, now=state.clock.now())

    @put(
        "/{code:str}/members",
        operation_id="setDepartmentMembers",
        dependencies={"staff": Provide(require("admin"))},
    )
    async def members(
        self, code: FromPath[str], data: JSONBody[MembersIn], state: State,
        staff: NamedDependency[StaffPrincipal],
    ) -> DepartmentRead:  # fmt: skip
        return await departments.set_members(staff=staff, code=code, body=data, now=state.clock.now())
