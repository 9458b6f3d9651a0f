"""Staff accounts: creation and password checks (argon2id via argon2-cffi)."""

from __future__ import annotations

import secrets

import anyio
import asyncpg
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from sereno.accounts.auth import Unauthorized, decode, issue_tokens
from sereno.accounts.schemas import (
    AccountIn,
    AccountPatch,
    AccountRead,
    LoginIn,
    Me,
    RefreshIn,
    StaffPrincipal,
    TokenPair,
    UnitRef,
)
from sereno.accounts.tables import AGENCIES, ROLES, StaffAccount
from sereno.core import db, events
from sereno.core.errors import AppError, Conflict, NotFound, Unprocessable
from sereno.settings import DispatchSettings


class TooManyLogins(AppError):
    status_code = 429


__all__ = [
    "hash_password",
    "verify_password",
    "create_account",
    "login",
    "refresh",
    "logout",
    "me",
    "audit",
    "list_accounts",
    "add_account",
    "change_account",
]

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


async def create_account(
    *, tenant_id: int, username: str, full_name: str, role: str, agency: str, password: str
) -> int:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if agency not in AGENCIES:
        raise ValueError(f"agency must be one of {', '.join(AGENCIES)}")
    if len(password) < 12:
        raise ValueError("password must have at least 12 characters")
    rows = await StaffAccount.insert(
        StaffAccount(
            tenant=tenant_id,
            username=username.lower(),
            full_name=full_name,
            role=role,
            agency=agency,
            password_hash=hash_password(password),
        )
    ).returning(StaffAccount.id)
    return rows[0]["id"]


# --- sessions ---------------------------------------------------------------------------------------------

_LOGIN = """
SELECT a.id, a.password_hash, a.active, a.tenant, a.username, a.full_name, a.role, a.agency, t.slug
FROM staff_account a JOIN tenant t ON t.id = a.tenant WHERE a.username = $1
"""
_ME = """
SELECT a.id, a.username, a.full_name, a.role, a.agency, t.slug, u.id AS unit_id, u.call_sign
FROM staff_account a JOIN tenant t ON t.id = a.tenant
LEFT JOIN unit_member m ON m.account = a.id LEFT JOIN unit u ON u.id = m.unit
WHERE a.id = $1
"""
# Failed logins allowed per account and per address within the window, before 429.
_MAX_FAILURES = 5
_FAILURE_WINDOW_S = 900
# A real hash to verify against when the username is unknown, so timing does not reveal which exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


async def audit(
    conn,
    *,
    tenant_id: int | None,
    actor_id: int | None,
    action: str,
    subject: str = "",
    data: dict | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO audit_entry (tenant_id, actor_id, action, subject, data) VALUES ($1, $2, $3, $4, $5::jsonb)",
        tenant_id,
        actor_id,
        action,
        subject,
        msgspec.json.encode(data or {}).decode(),
    )


async def me(*, account_id: int) -> Me:
    async with db.connection() as conn:
        row = await conn.fetchrow(_ME, account_id)
    return Me(
        id=row["id"],
        username=row["username"],
        full_name=row["full_name"],
        role=row["role"],
        agency=row["agency"],
        tenant=row["slug"],
        unit=UnitRef(id=row["unit_id"], call_sign=row["call_sign"]) if row["unit_id"] else None,
    )


_COUNT_ATTEMPT = """
INSERT INTO login_throttle (key, failures, window_ends) VALUES ($1, 1, now() + make_interval(secs => $2))
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN login_throttle.window_ends < now() THEN 1 ELSE login_throttle.failures + 1 END,
    window_ends = CASE WHEN login_throttle.window_ends < now() THEN excluded.window_ends
                       ELSE login_throttle.window_ends END
RETURNING failures
"""


async def login(*, body: LoginIn, client: str, secret: bytes, settings: DispatchSettings) -> TokenPair:
    """Every attempt is counted *before* the password is checked, atomically in the database, so guesses
    sent at once or through several processes cannot slip past the limit; a success clears the account's
    count (never the address's, which only time clears)."""
    account_key, address_key = f"acct:{body.username.lower()}", f"addr:{client}"
    async with db.connection() as conn:
        counts = [
            await conn.fetchval(_COUNT_ATTEMPT, key, float(_FAILURE_WINDOW_S))
            for key in (account_key, address_key)
        ]
        if max(counts) > _MAX_FAILURES:
            raise TooManyLogins(
                "too_many_logins", headers={"Retry-After": str(_FAILURE_WINDOW_S)}, seconds=_FAILURE_WINDOW_S
            )
        row = await conn.fetchrow(_LOGIN, body.username.lower())
    # argon2 is slow on purpose (~0.2 s): off the event loop, so other requests and sockets keep flowing.
    ok = await anyio.to_thread.run_sync(
        verify_password, row["password_hash"] if row else _DUMMY_HASH, body.password
    )
    if not (row and ok and row["active"]):
        raise Unauthorized("invalid_credentials")
    async with db.connection() as conn:
        await conn.execute("DELETE FROM login_throttle WHERE key = $1", account_key)
        await conn.execute("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1", address_key)
    session_id = secrets.token_urlsafe(24)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO staff_session (id, account, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))",
            session_id,
            row["id"],
            float(settings.refresh_token_s),
        )
        await audit(conn, tenant_id=row["tenant"], actor_id=row["id"], action="login", data={"from": client})
    access, refresh = issue_tokens(
        secret,
        account_id=row["id"],
        session_id=session_id,
        access_s=settings.access_token_s,
        refresh_s=settings.refresh_token_s,
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=settings.access_token_s,
        user=await me(account_id=row["id"]),
    )


async def refresh(*, body: RefreshIn, secret: bytes, settings: DispatchSettings) -> TokenPair:
    account_id, session_id = decode(secret, body.refresh_token, kind="refresh")
    async with db.connection() as conn:
        alive = await conn.fetchval(
            "SELECT 1 FROM staff_session s JOIN staff_account a ON a.id = s.account "
            "WHERE s.id = $1 AND s.account = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND a.active",
            session_id,
            account_id,
        )
    if not alive:
        raise Unauthorized("session_ended")
    access, _ = issue_tokens(
        secret,
        account_id=account_id,
        session_id=session_id,
        access_s=settings.access_token_s,
        refresh_s=settings.refresh_token_s,
    )
    return TokenPair(
        access_token=access,
        refresh_token=body.refresh_token,
        expires_in=settings.access_token_s,
        user=await me(account_id=account_id),
    )


async def logout(*, staff: StaffPrincipal) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE staff_session SET revoked_at = now() WHERE id = $1", staff.session_id)
        await audit(conn, tenant_id=staff.tenant_id, actor_id=staff.id, action="logout")
        await events.emit(
            conn,
            tenant_id=staff.tenant_id,
            type=events.SESSION_ENDED,
            console=False,
            data={"account_id": staff.id},
            account_ids=[staff.id],
        )


# --- account management (admins) ---------------------------------------------------------------------------


async def list_accounts(*, staff: StaffPrincipal) -> list[AccountRead]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id, username, full_name, role, agency, active FROM staff_account WHERE tenant = $1 ORDER BY username",
            staff.tenant_id,
        )
    return [AccountRead(**dict(r)) for r in rows]


async def add_account(*, staff: StaffPrincipal, body: AccountIn) -> AccountRead:
    if body.role not in ROLES or body.agency not in AGENCIES:
        raise Unprocessable("invalid_field", field="role/agency", detail=body.role)
    if len(body.password) < 12:
        raise Unprocessable("invalid_field", field="password", detail="min 12")
    async with db.transaction() as conn:
        try:
            account_id = await conn.fetchval(
                "INSERT INTO staff_account (tenant, username, full_name, role, agency, password_hash, active, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, true, now()) RETURNING id",
                staff.tenant_id,
                body.username,
                body.full_name,
                body.role,
                body.agency,
                hash_password(body.password),
            )
        except asyncpg.UniqueViolationError:
            raise Conflict("username_taken", username=body.username) from None
        await audit(
            conn,
            tenant_id=staff.tenant_id,
            actor_id=staff.id,
            action="account.create",
            subject=body.username,
            data={"role": body.role, "agency": body.agency},
        )
    return AccountRead(
        id=account_id,
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        agency=body.agency,
        active=True,
    )


async def change_account(*, staff: StaffPrincipal, account_id: int, body: AccountPatch) -> AccountRead:
    """Role and activation changes end the account's sessions at once."""
    if body.role is not None and body.role not in ROLES:
        raise Unprocessable("invalid_field", field="role", detail=body.role)
    async with db.transaction() as conn:
        row = await conn.fetchrow(
            "UPDATE staff_account SET role = coalesce($3, role), active = coalesce($4, active), "
            "full_name = coalesce($5, full_name) WHERE id = $1 AND tenant = $2 "
            "RETURNING id, username, full_name, role, agency, active",
            account_id,
            staff.tenant_id,
            body.role,
            body.active,
            body.full_name,
        )
        if row is None:
            raise NotFound("not_found")
        if body.role is not None or body.active is False:
            await conn.execute(
                "UPDATE staff_session SET revoked_at = now() WHERE account = $1 AND revoked_at IS NULL",
                account_id,
            )
        if body.role is not None or body.active is False:
            await events.emit(
                conn,
                tenant_id=staff.tenant_id,
                type=events.SESSION_ENDED,
                console=False,
                data={"account_id": account_id},
                account_ids=[account_id],
            )
        if body.active is False:  # a deactivated account's phone must stop receiving assignments
            await conn.execute("DELETE FROM push_subscription WHERE account_id = $1", account_id)
        await audit(
            conn,
            tenant_id=staff.tenant_id,
            actor_id=staff.id,
            action="account.change",
            subject=row["username"],
            data={k: v for k, v in msgspec.structs.asdict(body).items() if v is not None},
        )
    return AccountRead(**dict(row))
