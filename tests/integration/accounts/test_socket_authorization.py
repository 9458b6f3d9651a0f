"""Who may open the live feeds: the console and field WebSockets, against a running server, and sockets
that must close when their session ends."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from sereno.core import events
from sereno.core.outbox import OutboxWorker
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from sereno.core.events import console_channel
from tests.integration.accounts.endpoints import (
    READERS,
)
from tests.support.staff import (
    Session,
    create_staff,
    create_unit,
    login,
)


# --- WebSockets, against a running server -------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory, client) -> Iterator[str]:
    """``sereno run`` on the session's database and secret, so tokens from the in-process app work there too.
    Its outbox worker stays off: the other tests' events are theirs to deliver."""
    port = _free_port()
    env = {
        **os.environ,
        "SERENO_HOST": "127.0.0.1",
        "SERENO_PORT": str(port),
        "SERENO_WORKER_IN_PROCESS": "false",
        "SERENO_DEFAULT_TENANT": "tst",
        "SERENO_MEDIA_DIR": str(tmp_path_factory.mktemp("ws-media")),
        "SERENO_LOG_LEVEL": "info",
    }
    process = subprocess.Popen([sys.executable, "-m", "sereno", "run"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    started = threading.Event()

    def read_log() -> None:  # also keeps the pipe drained for the server's lifetime
        for line in process.stderr:
            log.append(line)
            if "Uvicorn running on" in line:  # logged once the socket is bound
                started.set()
        started.set()  # the server exited

    threading.Thread(target=read_log, daemon=True).start()
    if not started.wait(timeout=60) or process.poll() is not None:
        process.kill()
        raise RuntimeError("sereno run did not start:\n" + "".join(log))
    yield f"ws://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _socket_url(server: str, path: str, token: str | None) -> str:
    return f"{server}{path}" + (f"?token={token}" if token is not None else "")


async def _handshake(server: str, path: str, token: str | None) -> int:
    """101 when the socket opened, else the HTTP status of the refusal."""
    try:
        async with connect(_socket_url(server, path, token), proxy=None, open_timeout=20):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.fixture
async def officer_in_unit(client, db, city) -> Session:
    officer = await create_staff(db, tenant_id=city, role="officer")
    await create_unit(db, tenant_id=city, members=(officer,))
    return await login(client, officer)


@pytest.mark.parametrize("role", sorted(READERS))
async def test_console_socket_opens_for_the_command_center(api_server, staff, role: str):
    assert await _handshake(api_server, "/ws/console", staff[role][1].access_token) == 101


async def test_console_socket_refuses_officers_and_anonymous_callers(api_server, officer_in_unit):
    assert await _handshake(api_server, "/ws/console", officer_in_unit.access_token) == 403
    assert await _handshake(api_server, "/ws/console", None) == 403
    assert await _handshake(api_server, "/ws/console", "not-a-token") == 403


async def test_field_socket_opens_for_an_officer_and_refuses_the_command_center(
    api_server, client, db, city, staff, officer_in_unit
):
    # A dispatcher seated in a unit is still refused: the role decides, not the seat.
    riding = await create_staff(db, tenant_id=city, role="dispatcher")
    await create_unit(db, tenant_id=city, members=(riding,))
    riding_along = await login(client, riding)

    assert await _handshake(api_server, "/ws/field", officer_in_unit.access_token) == 101
    assert await _handshake(api_server, "/ws/field", riding_along.access_token) == 403
    for role in sorted(READERS):
        assert await _handshake(api_server, "/ws/field", staff[role][1].access_token) == 403, role
    assert await _handshake(api_server, "/ws/field", None) == 403


async def test_a_socket_of_a_logged_out_session_is_refused(api_server, client, db, city):
    dispatcher = await login(client, await create_staff(db, tenant_id=city, role="dispatcher"))
    assert (await client.post("/api/v1/auth/logout", headers=dispatcher.headers)).status_code == 204

    assert await _handshake(api_server, "/ws/console", dispatcher.access_token) == 403


async def _until_subscribed(socket: ClientConnection, db, channel: str) -> None:
    """Probes until one comes through: proof that the feed is live before the session ends. The server now
    listens before it accepts, so the first probe normally arrives; the loop only guards against a server
    that accepts first (readiness, not timing)."""
    for n in range(40):
        await db.execute("SELECT pg_notify($1, $2)", channel, json.dumps({"type": "probe", "n": n}))
        try:
            await asyncio.wait_for(socket.recv(), timeout=0.5)
            return
        except TimeoutError:
            continue
    raise AssertionError("the console socket never received its channel")


async def test_an_open_console_socket_stops_streaming_when_its_session_ends(api_server, app, client, db, city):
    """Logging out (or losing the role) must cut the live feed too, not only the HTTP API."""
    dispatcher = await login(client, await create_staff(db, tenant_id=city, role="dispatcher"))
    channel = console_channel(city)
    async with connect(_socket_url(api_server, "/ws/console", dispatcher.access_token), proxy=None) as socket:
        await _until_subscribed(socket, db, channel)
        assert (await client.post("/api/v1/auth/logout", headers=dispatcher.headers)).status_code == 204
        # The session's end goes out through the outbox like every live event: deliver the live events.
        live = OutboxWorker({events.TOPIC: app.state.worker.handlers[events.TOPIC]})
        await live.drain(max_rounds=10_000)
        await db.execute("SELECT pg_notify($1, $2)", channel,
                         json.dumps({"type": "incident.updated", "data": {"after": "logout"}}))

        received_after_logout = []
        try:
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
                # Events published before the logout may still be in flight; only the marker matters.
                if message.get("data", {}).get("after") == "logout":
                    received_after_logout.append(message)
                    break
        except (ConnectionClosed, TimeoutError):
            pass  # closed, or kept open but silent: either way nothing leaks
    assert received_after_logout == [], "a logged-out session still receives the console's live events"
