"""Citizen participation over HTTP: topics and requests for citizens, the inbox for the municipality's staff,
departments for admins."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Response, get, patch, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from sereno.accounts.auth import require
from sereno.accounts.schemas import StaffPrincipal
from sereno.core.openapi import STAFF as STAFF_ERRORS
from sereno.core.openapi import BigId, errors, staff_only
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
_Code = Annotated[str, PathParameter(min_length=1, max_length=40)]
_Token = Annotated[
    str | None,
    HeaderParameter(name="X-Tracking-Token", required=False, description="The token shown once at filing"),
]
StatusFilter = Literal["open", "closed", "all", "received", "in_progress", "answered", "dismissed"]
# A step on one request: 404 another department's or no such request, 409 refused by its status or version.
_STEP = errors(*STAFF_ERRORS, 404, 409)


class ParticipationController(Controller):
    path = "/api/v1/participation"
    tags = ["participation"]

    @get("/topics", operation_id="listParticipationTopics", summary="What a citizen may write to the city about",
         responses=errors(404))  # fmt: skip
    async def topics(self, tenant: NamedDependency[TenantInfo], lang: NamedDependency[str]) -> list[TopicRead]:
        return await service.list_topics(tenant=tenant, lang=lang)

    @post(
        "/requests",
        operation_id="createParticipationRequest",
        summary="Send a complaint, suggestion or question (exactly once per Idempotency-Key)",
        status_code=201,
        # 422: the city's rules (unknown topic, a place needed, outside the city, a photo unknown, already used
        # or not yet confirmed, the key reused with another body); 429: too many.
        responses=errors(404, 422, 429),
    )
    async def create(
        self,
        data: JSONBody[RequestCreate],
        tenant: NamedDependency[TenantInfo],
        lang: NamedDependency[str],
        state: State,
        idempotency_key: Annotated[
            str,
            HeaderParameter(
                name="Idempotency-Key",
                pattern=r"^[\x21-\x7e]{8,200}$",
                description="A client-made id of this request (e.g. a UUID): a retry with it files nothing new.",
            ),
        ],
    ) -> Response[RequestCreated]:
        status, body = await service.submit_request(
            tenant=tenant, body=data, idempotency_key=idempotency_key, lang=lang, clock=state.clock,
            secret=state.secret_key,
        )  # fmt: skip
        return Response(body, status_code=status, headers=_NO_STORE)

    @get("/requests/{code:str}", operation_id="getParticipationRequest", summary="The citizen's own view",
         responses=errors(404))  # fmt: skip
    async def read(
        self, code: _Code, tenant: NamedDependency[TenantInfo], lang: NamedDependency[str], state: State,
        token: _Token = None,
    ) -> Response[RequestRead]:  # fmt: skip
        view = await service.citizen_view(
            tenant=tenant, code=code, token=token, lang=lang, storage=state.storage
        )
        return Response(view, headers=_NO_STORE)

    @post(
        "/requests/{code:str}/subscriptions",
        operation_id="subscribeToParticipationRequest",
        summary="Follow a request with push notifications (needs its tracking token)",
        status_code=201,
        responses=errors(404, 422),
    )
    async def subscribe(
        self,
        code: _Code,
        data: JSONBody[SubscriptionIn],
        tenant: NamedDependency[TenantInfo],
        lang: NamedDependency[str],
        token: _Token = None,
    ) -> None:
        await service.follow_request(tenant=tenant, code=code, token=token, body=data, lang=lang)


class InboxController(Controller):
    path = "/api/v1/participation/inbox"
    tags = ["participation"]
    dependencies = {"staff": Provide(require(*STAFF))}  # noqa: RUF012
    security = staff_only()  # noqa: RUF012

    @get("/", operation_id="listParticipationInbox", summary="Department queues, soonest deadline first",
         responses=errors(*STAFF_ERRORS, 404))  # fmt: skip
    async def list(
        self,
        state: State,
        staff: NamedDependency[StaffPrincipal],
        lang: NamedDependency[str],
        department: Annotated[str | None, QueryParameter(min_length=1, max_length=40)] = None,
        status: Annotated[StatusFilter, QueryParameter(description="open, closed, all or one status")] = "open",
        overdue: Annotated[bool, QueryParameter(description="Only requests past their deadline")] = False,
        cursor: Annotated[
            str | None,
            QueryParameter(max_length=200, pattern=r"^[A-Za-z0-9_-]+={0,2}$", description="next_cursor of a page"),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> InboxPage:
        return await inbox.inbox(
            staff=staff, now=state.clock.now(), lang=lang, department=department, status=status,
            overdue_only=overdue, cursor=cursor, limit=limit,
        )  # fmt: skip

    @get("/{request_id:int}", operation_id="getParticipationDetail", summary="A request with contact and trail",
         responses=errors(*STAFF_ERRORS, 404))  # fmt: skip
    async def detail(
        self, request_id: BigId, state: State, staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str]
    ) -> InboxDetail:
        return await inbox.detail(staff=staff, request_id=request_id, now=state.clock.now(), lang=lang,
                                  storage=state.storage)  # fmt: skip

    @post("/{request_id:int}/start", operation_id="startParticipationRequest", status_code=200, responses=_STEP)
    async def start(
        self, request_id: BigId, state: State, staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str]
    ) -> InboxDetail:
        return await inbox.start(staff=staff, request_id=request_id, now=state.clock.now(), lang=lang,
                                 storage=state.storage)  # fmt: skip

    @post("/{request_id:int}/answer", operation_id="answerParticipationRequest", status_code=200,
          responses=_STEP)  # fmt: skip
    async def answer(
        self, request_id: BigId, data: JSONBody[AnswerIn], state: State,
        staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.answer(staff=staff, request_id=request_id, body=data, now=state.clock.now(), lang=lang,
                                  storage=state.storage)  # fmt: skip

    @post("/{request_id:int}/dismiss", operation_id="dismissParticipationRequest", status_code=200,
          responses=_STEP)  # fmt: skip
    async def dismiss(
        self, request_id: BigId, data: JSONBody[DismissIn], state: State,
        staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.dismiss(staff=staff, request_id=request_id, body=data, now=state.clock.now(), lang=lang,
                                   storage=state.storage)  # fmt: skip

    @post("/{request_id:int}/transfer", operation_id="transferParticipationRequest", status_code=200,
          responses=errors(*STAFF_ERRORS, 404, 409, 422))  # 422: no such active department  # fmt: skip
    async def transfer(
        self, request_id: BigId, data: JSONBody[TransferIn], state: State,
        staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.transfer(staff=staff, request_id=request_id, body=data, now=state.clock.now(),
                                    lang=lang, storage=state.storage)  # fmt: skip

    @post("/{request_id:int}/notes", operation_id="noteParticipationRequest", status_code=200, responses=_STEP)
    async def note(
        self, request_id: BigId, data: JSONBody[NoteIn], state: State,
        staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str],
    ) -> InboxDetail:  # fmt: skip
        return await inbox.note(staff=staff, request_id=request_id, body=data, now=state.clock.now(), lang=lang,
                                storage=state.storage)  # fmt: skip

    @post(
        "/{request_id:int}/reopen",
        operation_id="reopenParticipationRequest",
        status_code=200,
        dependencies={"staff": Provide(require(*MANAGERS))},
        responses=_STEP,
    )
    async def reopen(
        self, request_id: BigId, state: State, staff: NamedDependency[StaffPrincipal], lang: NamedDependency[str]
    ) -> InboxDetail:
        return await inbox.reopen(staff=staff, request_id=request_id, now=state.clock.now(), lang=lang,
                                  storage=state.storage)  # fmt: skip


class DepartmentController(Controller):
    path = "/api/v1/participation/departments"
    tags = ["participation"]
    security = staff_only()  # noqa: RUF012

    @get("/", operation_id="listDepartments", summary="Departments with open and overdue counts",
         dependencies={"staff": Provide(require(*STAFF))}, responses=errors(*STAFF_ERRORS))  # fmt: skip
    async def list(self, state: State, staff: NamedDependency[StaffPrincipal]) -> list[DepartmentRead]:
        return await departments.list_departments(staff=staff, now=state.clock.now())

    @post("/", operation_id="createDepartment", status_code=201, dependencies={"staff": Provide(require("admin"))},
          responses=errors(*STAFF_ERRORS, 409))  # 409: the code exists  # fmt: skip
    async def create(
        self, data: JSONBody[DepartmentIn], state: State, staff: NamedDependency[StaffPrincipal]
    ) -> DepartmentRead:
        return await departments.create_department(staff=staff, body=data, now=state.clock.now())

    @patch("/{code:str}", operation_id="changeDepartment", dependencies={"staff": Provide(require("admin"))},
           responses=errors(*STAFF_ERRORS, 404))  # fmt: skip
    async def change(
        self, code: _Code, data: JSONBody[DepartmentPatch], state: State, staff: NamedDependency[StaffPrincipal]
    ) -> DepartmentRead:
        return await departments.change_department(staff=staff, code=code, body=data, now=state.clock.now())

    @put("/{code:str}/members", operation_id="setDepartmentMembers", dependencies={"staff": Provide(require("admin"))},
         responses=errors(*STAFF_ERRORS, 404, 422))  # 422: an id that is not a clerk of this city  # fmt: skip
    async def members(
        self, code: _Code, data: JSONBody[MembersIn], state: State, staff: NamedDependency[StaffPrincipal]
    ) -> DepartmentRead:
        return await departments.set_members(staff=staff, code=code, body=data, now=state.clock.now())
