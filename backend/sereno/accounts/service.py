"""Staff accounts: creation and password checks (argon2id via argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from sereno.accounts.tables import AGENCIES, ROLES, StaffAccount

__all__ = ["hash_password", "verify_password", "create_account"]

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
            username=username,
            full_name=full_name,
            role=role,
            agency=agency,
            password_hash=hash_password(password),
        )
    ).returning(StaffAccount.id)
    return rows[0]["id"]
