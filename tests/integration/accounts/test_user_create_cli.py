"""`sereno user create`: accounts get an argon2 hash, weak passwords and unknown roles are refused."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from sereno.accounts.service import verify_password


def _create(*args: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sereno", "user", "create", "--tenant", "tst", *args, "--password-stdin"],
        input=password + "\n",
        capture_output=True,
        text=True,
        env=os.environ,
    )


async def test_user_create_stores_an_argon2_hash(db, city):
    username = f"despacho-{uuid.uuid4().hex[:6]}"
    result = _create("--username", username, "--name", "Rosa Despacho", "--role", "dispatcher",
                     password="una clave larga y segura")
    assert result.returncode == 0, result.stderr
    row = await db.fetchrow("SELECT role, agency, password_hash FROM staff_account WHERE username = $1", username)
    assert row["role"] == "dispatcher" and row["agency"] == "serenazgo"
    assert row["password_hash"].startswith("$argon2id$")
    assert verify_password(row["password_hash"], "una clave larga y segura")
    assert not verify_password(row["password_hash"], "otra clave")


async def test_short_password_and_unknown_role_are_refused(db, city):
    username = f"corto-{uuid.uuid4().hex[:6]}"
    short = _create("--username", username, "--name", "X", "--role", "officer", password="corta")
    assert short.returncode != 0 and "12 characters" in short.stderr
    role = _create("--username", username, "--name", "X", "--role", "mayor", password="una clave larga y segura")
    assert role.returncode != 0 and "mayor" in role.stderr
    assert await db.fetchval("SELECT count(*) FROM staff_account WHERE username = $1", username) == 0
