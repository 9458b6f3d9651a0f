"""Staff sessions (login, refresh, logout, me) and account management (admins only)."""

from __future__ import annotations

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from sereno.accounts import service
from sereno.accounts.auth import require
from sereno.accounts.schemas import (
    AccountIn,
    AccountPatch,
    AccountRead,
    LoginIn,
    Me,
    RefreshIn,
    StaffPrincipal,
    TokenPair,
)
from sereno.core.openapi import STAFF, Id, errors, staff_only

__all__ = ["AuthController", "AccountController"]


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["staff sessions"]

    # 401: a wrong username or password (which one is never said); 429: too many failures from this address
    # or for this account (Retry-After).
    @post("/login", operation_id="login", status_code=200, responses=errors(401, 429))
    async def login(self, request: Request, data: JSONBody[LoginIn], state: State) -> TokenPair:
        client = request.client.host if request.client else "unknown"
        return await service.login(
            body=data,
            client=client,
            secret=state.secret_key,
            settings=state.settings.dispatch,
        )

    @post("/refresh", operation_id="refreshSession", status_code=200, responses=errors(401))
    async def refresh(self, data: JSONBody[RefreshIn], state: State) -> TokenPair:
        return await service.refresh(body=data, secret=state.secret_key, settings=state.settings.dispatch)

    @post(
        "/logout",
        operation_id="logout",
        status_code=204,
        dependencies={"staff": Provide(require())},
        security=staff_only(),
        responses=errors(401),
    )
    async def logout(self, staff: NamedDependency[StaffPrincipal]) -> None:
        await service.logout(staff=staff)

    @get(
        "/me",
        operation_id="me",
        dependencies={"staff": Provide(require())},
        security=staff_only(),
        responses=errors(401),
    )
    async def me(self, staff: NamedDependency[StaffPrincipal]) -> Me:
        return await service.me(account_id=staff.id)


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]
    dependencies = {"staff": Provide(require("admin"))}
    security = staff_only()

    @get("/", operation_id="listAccounts", responses=errors(*STAFF))
    async def list(self, staff: NamedDependency[StaffPrincipal]) -> list[AccountRead]:
        return await service.list_accounts(staff=staff)

    # 409: the username is taken; 422: an unknown role or agency, or a short password.
    @post("/", operation_id="createAccount", status_code=201, responses=errors(*STAFF, 409, 422))
    async def create(self, staff: NamedDependency[StaffPrincipal], data: JSONBody[AccountIn]) -> AccountRead:
        return await service.add_account(staff=staff, body=data)

    @patch("/{account_id:int}", operation_id="changeAccount", responses=errors(*STAFF, 404, 422))
    async def change(
        self, staff: NamedDependency[StaffPrincipal], account_id: Id, data: JSONBody[AccountPatch]
    ) -> AccountRead:
        return await service.change_account(staff=staff, account_id=account_id, body=data)
