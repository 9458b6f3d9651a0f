"""Staff sessions: login, throttling, refresh, logout, and every way a token stops being accepted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import jwt
from litestar.security.jwt import Token

from tests.support.fixtures import decode
from tests.support.staff import PASSWORD, auth, client_from, create_staff, create_unit, login, new_address

_ALGORITHM = "HS256"


async def _me(client, token: str):
    return await client.get("/api/v1/auth/me", headers=auth(token))


def _claims(app, token: str) -> Token:
    return Token.decode(token, app.state.secret_key.decode(), _ALGORITHM)


def _craft(secret: str, *, sub: str, sid: str, typ: str = "access", exp: datetime | None = None) -> str:
    """A token shaped like the app's own. ``Token`` refuses a past ``exp`` when built, so an expired one gets
    its ``exp`` after construction."""
    token = Token(exp=datetime.now(UTC) + timedelta(minutes=5), sub=sub, jti="crafted",
                  extras={"sid": sid, "typ": typ})
    if exp is not None:
        token.exp = exp
    return token.encode(secret, _ALGORITHM)


async def _login_attempt(client, username: str, password: str):
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password})


# --- login --------------------------------------------------------------------------------------------------

async def test_login_returns_access_and_refresh_tokens_and_who_i_am(client, db, city):
    officer = await create_staff(db, tenant_id=city, role="officer", full_name="Luis Ramos")
    unit_id = await create_unit(db, tenant_id=city, members=(officer,))

    response = await _login_attempt(client, officer.username, PASSWORD)

    assert response.status_code == 200, response.text
    body = decode(response)
    assert body["access_token"] and body["refresh_token"] and body["access_token"] != body["refresh_token"]
    assert body["expires_in"] > 0
    user = body["user"]
    assert {k: user[k] for k in ("id", "username", "full_name", "role", "agency", "tenant")} == {
        "id": officer.id, "username": officer.username, "full_name": "Luis Ramos", "role": "officer",
        "agency": "serenazgo", "tenant": "tst",
    }
    assert user["unit"]["id"] == unit_id
    me = await _me(client, body["access_token"])
    assert me.status_code == 200 and decode(me) == user


async def test_wrong_password_is_refused_with_a_spanish_message_by_default(app, client, db, city):
    dispatcher = await create_staff(db, tenant_id=city, role="dispatcher")
    async with client_from(app, new_address()) as desk:
        spanish = await _login_attempt(desk, dispatcher.username, "no-es-la-clave-correcta")
        english = await desk.post("/api/v1/auth/login", headers={"Accept-Language": "en"},
                                  json={"username": dispatcher.username, "password": "nope"})

    assert spanish.status_code == 401
    assert decode(spanish) == {"status_code": 401, "error": "invalid_credentials",
                               "detail": "Usuario o contraseña incorrectos."}
    assert english.status_code == 401 and decode(english)["detail"] == "Wrong username or password."


async def test_unknown_user_gets_exactly_the_answer_of_a_wrong_password(app, client, db, city):
    dispatcher = await create_staff(db, tenant_id=city, role="dispatcher")
    async with client_from(app, new_address()) as desk:
        wrong_password = await _login_attempt(desk, dispatcher.username, "no-es-la-clave-correcta")
        unknown_user = await _login_attempt(desk, "nadie-se-llama-asi", "no-es-la-clave-correcta")

    assert (wrong_password.status_code, unknown_user.status_code) == (401, 401)
    assert wrong_password.content == unknown_user.content


async def test_five_failures_lock_the_account_whatever_the_address(app, client, db, city):
    dispatcher = await create_staff(db, tenant_id=city, role="dispatcher")
    async with client_from(app, new_address()) as attacker:
        failures = [await _login_attempt(attacker, dispatcher.username, f"adivinanza-{n}") for n in range(5)]
        sixth = await _login_attempt(attacker, dispatcher.username, PASSWORD)
    async with client_from(app, new_address()) as desk:
        from_elsewhere = await _login_attempt(desk, dispatcher.username, PASSWORD)

    assert [r.status_code for r in failures] == [401] * 5
    for locked in (sixth, from_elsewhere):
        assert locked.status_code == 429, locked.text
        assert decode(locked)["error"] == "too_many_logins"
        assert int(locked.headers["Retry-After"]) > 0


async def test_five_failures_from_one_address_lock_that_address(app, client, db, city):
    victim = await create_staff(db, tenant_id=city, role="supervisor")
    address = new_address()
    async with client_from(app, address) as attacker:
        failures = [await _login_attempt(attacker, f"usuario-inventado-{n}", "adivinanza") for n in range(5)]
        same_address = await _login_attempt(attacker, victim.username, PASSWORD)
    async with client_from(app, new_address()) as desk:
        other_address = await _login_attempt(desk, victim.username, PASSWORD)

    assert [r.status_code for r in failures] == [401] * 5
    assert same_address.status_code == 429 and int(same_address.headers["Retry-After"]) > 0
    assert other_address.status_code == 200


async def test_guesses_sent_at_once_count_towards_the_lock(app, client, db, city):
    """An attacker does not wait for each answer: twenty guesses in parallel are still at most five checks."""
    dispatcher = await create_staff(db, tenant_id=city, role="dispatcher")
    async with client_from(app, new_address()) as attacker:
        burst = await asyncio.gather(
            *(_login_attempt(attacker, dispatcher.username, f"adivinanza-{n}") for n in range(20))
        )
        after = await _login_attempt(attacker, dispatcher.username, PASSWORD)

    statuses = [r.status_code for r in burst]
    assert statuses.count(401) <= 5 and statuses.count(401) + statuses.count(429) == 20, statuses
    assert after.status_code == 429, "the account is not locked after twenty wrong passwords"


# --- refresh and logout -------------------------------------------------------------------------------------

async def test_refresh_gives_a_new_working_access_token(app, client, db, city):
    analyst = await create_staff(db, tenant_id=city, role="analyst")
    session = await login(client, analyst)

    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": session.refresh_token})

    assert response.status_code == 200, response.text
    body = decode(response)
    assert body["access_token"] != session.access_token
    assert body["refresh_token"] == session.refresh_token
    same_session = _claims(app, session.access_token).extras["sid"]
    assert _claims(app, body["access_token"]).extras["sid"] == same_session
    me = await _me(client, body["access_token"])
    assert me.status_code == 200 and decode(me)["id"] == analyst.id


async def test_logout_ends_the_access_and_the_refresh_token_at_once(client, db, city):
    supervisor = await create_staff(db, tenant_id=city, role="supervisor")
    session = await login(client, supervisor)
    other_device = await login(client, supervisor)

    response = await client.post("/api/v1/auth/logout", headers=session.headers)

    assert response.status_code == 204
    after = await _me(client, session.access_token)
    assert after.status_code == 401 and decode(after)["error"] == "session_ended"
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": session.refresh_token})
    assert refreshed.status_code == 401 and decode(refreshed)["error"] == "session_ended"
    assert (await client.get("/api/v1/incidents", headers=session.headers)).status_code == 401
    # Only that session ends: the same person logged in elsewhere keeps working.
    assert (await _me(client, other_device.access_token)).status_code == 200


async def test_a_role_change_by_an_admin_ends_every_session_of_that_account(client, db, city):
    admin = await login(client, await create_staff(db, tenant_id=city, role="admin"))
    dispatcher = await create_staff(db, tenant_id=city, role="dispatcher")
    sessions = [await login(client, dispatcher), await login(client, dispatcher)]
    assert (await client.get("/api/v1/incidents", headers=sessions[0].headers)).status_code == 200

    changed = await client.patch(f"/api/v1/accounts/{dispatcher.id}", json={"role": "analyst"},
                                 headers=admin.headers)

    assert changed.status_code == 200, changed.text
    assert decode(changed)["role"] == "analyst"
    for session in sessions:
        assert (await _me(client, session.access_token)).status_code == 401
        refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": session.refresh_token})
        assert refreshed.status_code == 401
    again = await login(client, dispatcher)
    assert again.user["role"] == "analyst"
    assert (await _me(client, admin.access_token)).status_code == 200


async def test_a_deactivated_account_cannot_log_in_and_its_sessions_end(app, client, db, city):
    admin = await login(client, await create_staff(db, tenant_id=city, role="admin"))
    officer = await create_staff(db, tenant_id=city, role="officer")
    session = await login(client, officer)

    changed = await client.patch(f"/api/v1/accounts/{officer.id}", json={"active": False},
                                 headers=admin.headers)

    assert changed.status_code == 200 and decode(changed)["active"] is False
    assert (await _me(client, session.access_token)).status_code == 401
    async with client_from(app, new_address()) as phone:
        refused = await _login_attempt(phone, officer.username, PASSWORD)
    assert refused.status_code == 401 and decode(refused)["error"] == "invalid_credentials"


# --- tokens that are not accepted ---------------------------------------------------------------------------

async def test_an_expired_access_token_is_refused(app, client, db, city):
    dispatcher = await create_staff(db, tenant_id=city, role="dispatcher")
    session = await login(client, dispatcher)
    claims = _claims(app, session.access_token)
    expired = _craft(app.state.secret_key.decode(), sub=claims.sub, sid=claims.extras["sid"],
                     exp=datetime.now(UTC) - timedelta(minutes=1))
    still_valid = _craft(app.state.secret_key.decode(), sub=claims.sub, sid=claims.extras["sid"])

    response = await _me(client, expired)

    assert response.status_code == 401 and decode(response)["error"] == "invalid_token"
    assert (await _me(client, still_valid)).status_code == 200  # the same claims, unexpired, are accepted


async def test_a_token_signed_with_another_secret_is_refused(app, client, db, city):
    admin = await create_staff(db, tenant_id=city, role="admin")
    claims = _claims(app, (await login(client, admin)).access_token)
    forged = _craft("not-the-server-secret-but-long-enough-for-hs256", sub=claims.sub,
                    sid=claims.extras["sid"])

    response = await client.get("/api/v1/accounts", headers=auth(forged))

    assert response.status_code == 401 and decode(response)["error"] == "invalid_token"


async def test_an_unsigned_token_is_refused(app, client, db, city):
    admin = await create_staff(db, tenant_id=city, role="admin")
    claims = _claims(app, (await login(client, admin)).access_token)
    unsigned = jwt.encode({"sub": claims.sub, "exp": int(claims.exp.timestamp()), "sid": claims.extras["sid"],
                           "typ": "access"}, key=None, algorithm="none")

    response = await client.get("/api/v1/accounts", headers=auth(unsigned))

    assert response.status_code == 401


async def test_a_refresh_token_is_not_an_access_token_nor_the_reverse(client, db, city):
    admin = await create_staff(db, tenant_id=city, role="admin")
    session = await login(client, admin)

    as_access = await client.get("/api/v1/accounts", headers=auth(session.refresh_token))
    as_refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": session.access_token})

    assert as_access.status_code == 401 and decode(as_access)["error"] == "invalid_token"
    assert as_refresh.status_code == 401 and decode(as_refresh)["error"] == "invalid_token"


async def test_a_token_for_another_account_on_a_live_session_is_refused(app, client, db, city):
    """The session id alone does not make a token: it must belong to the account the token names."""
    officer = await create_staff(db, tenant_id=city, role="officer")
    admin = await create_staff(db, tenant_id=city, role="admin")
    officer_session = _claims(app, (await login(client, officer)).access_token).extras["sid"]
    mixed = _craft(app.state.secret_key.decode(), sub=str(admin.id), sid=officer_session)

    response = await client.get("/api/v1/accounts", headers=auth(mixed))

    assert response.status_code == 401 and decode(response)["error"] == "session_ended"
