"""Staff authentication: JWT access tokens (short) bound to a revocable session, refresh tokens, role checks.

Litestar's ``Token`` encodes and decodes the JWTs. Its ``JWTAuth`` middleware is not used because the signing
secret is only known after start-up (generated once and kept in the database when SERENO_SECRET_KEY is unset)
and because every request must also check that the session was not revoked; a dependency does both and also
serves WebSockets, whose browsers cannot send an Authorization header.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import Token

from sereno.accounts.schemas import StaffPrincipal
from sereno.core import db
from sereno.core.errors import AppError

__all__ = [
    "Unauthorized",
    "Forbidden",
    "issue_tokens",
    "decode",
    "principal_for",
    "bearer_token",
    "require",
    "READERS",
    "WRITERS",
]

_ALGORITHM = "HS256"
# Who may read the command center's data, and who may change it.
READERS = ("dispatcher", "supervisor", "analyst", "admin")
WRITERS = ("dispatcher", "supervisor")


class Unauthorized(AppError):
    status_code = 401


class Forbidden(AppError):
    status_code = 403


def _encode(secret: bytes, *, account_id: int, session_id: str, kind: str, lifetime_s: int) -> str:
    now = datetime.now(UTC)
    token = Token(
        exp=now + timedelta(seconds=lifetime_s),
        iat=now,
        sub=str(account_id),
        jti=secrets.token_hex(8),
        extras={"sid": session_id, "typ": kind},
    )
    return token.encode(secret.decode(), _ALGORITHM)


def issue_tokens(
    secret: bytes, *, account_id: int, session_id: str, access_s: int, refresh_s: int
) -> tuple[str, str]:
    return (
        _encode(secret, account_id=account_id, session_id=session_id, kind="access", lifetime_s=access_s),
        _encode(secret, account_id=account_id, session_id=session_id, kind="refresh", lifetime_s=refresh_s),
    )


def decode(secret: bytes, encoded: str, *, kind: str) -> tuple[int, str]:
    """(account id, session id) of a valid token of the given kind; Unauthorized otherwise."""
    try:
        token = Token.decode(encoded, secret.decode(), _ALGORITHM)
    except (NotAuthorizedException, ValueError):
        raise Unauthorized("invalid_token") from None
    if token.extras.get("typ") != kind or not token.extras.get("sid"):
        raise Unauthorized("invalid_token")
    return int(token.sub), str(token.extras["sid"])


_PRINCIPAL = """
SELECT a.id, a.tenant AS tenant_id, t.slug AS tenant_slug, a.username, a.full_name, a.role, a.agency,
       m.unit AS unit_id
FROM staff_session s
JOIN staff_account a ON a.id = s.account
JOIN tenant t ON t.id = a.tenant
LEFT JOIN unit_member m ON m.account = a.id
WHERE s.id = $1 AND s.account = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND a.active
"""


async def principal_for(secret: bytes, encoded: str) -> StaffPrincipal:
    account_id, session_id = decode(secret, encoded, kind="access")
    async with db.connection() as conn:
        row = await conn.fetchrow(_PRINCIPAL, session_id, account_id)
    if row is None:
        raise Unauthorized("session_ended")
    return StaffPrincipal(**dict(row), session_id=session_id)


def bearer_token(connection: ASGIConnection) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    if connection.scope["type"] == "websocket":
        return connection.query_params.get("token", "")
    return ""


def require(*roles: str) -> Callable[[Request], Awaitable[StaffPrincipal]]:
    """A dependency giving the calling staff member, refusing other roles with 403."""

    async def provide_staff(request: Request) -> StaffPrincipal:
        token = bearer_token(request)
        if not token:
            raise Unauthorized("login_required")
        principal = await principal_for(request.app.state.secret_key, token)
        if roles and principal.role not in roles:
            raise Forbidden("forbidden_for_role", role=principal.role)
        return principal

    return provide_staff
