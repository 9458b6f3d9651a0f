"""WebSockets for the console and the field app: authenticate with the access token, then stream the
tenant's (or the unit's) channel until the client leaves or the session ends."""

from __future__ import annotations

import msgspec
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from sereno.accounts.auth import READERS, principal_for
from sereno.core.errors import AppError
from sereno.core.events import SESSION_ENDED, account_channel, console_channel, unit_channel

__all__ = ["console_socket", "field_socket"]

_POLICY_VIOLATION = 4401  # close code: the token was refused


async def _stream(socket: WebSocket, channels: ChannelsPlugin, names: list[str], account: str) -> None:
    async def forward(data: bytes | str) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        if SESSION_ENDED in text and msgspec.json.decode(text).get("type") == SESSION_ENDED:
            await socket.close(code=_POLICY_VIOLATION)  # logged out, role changed or deactivated
            return
        await socket.send_text(text)

    # Listen first, then accept: nothing published between the two is lost.
    async with channels.start_subscription([*names, account]) as subscriber:
        await socket.accept()
        async with subscriber.run_in_background(forward):
            try:
                while True:
                    await socket.receive_text()  # pings from the client; closing ends the loop
            except WebSocketDisconnect:
                return


async def _principal(socket: WebSocket):
    try:
        return await principal_for(socket.app.state.secret_key, socket.query_params.get("token", ""))
    except AppError:
        return None


@websocket("/ws/console")
async def console_socket(socket: WebSocket, channels: NamedDependency[ChannelsPlugin]) -> None:
    staff = await _principal(socket)
    if staff is None or staff.role not in READERS:
        await socket.close(code=_POLICY_VIOLATION)
        return
    await _stream(
        socket, channels, [console_channel(staff.tenant_id)], account_channel(staff.tenant_id, staff.id)
    )


@websocket("/ws/field")
async def field_socket(socket: WebSocket, channels: NamedDependency[ChannelsPlugin]) -> None:
    staff = await _principal(socket)
    if staff is None or staff.role != "officer" or staff.unit_id is None:
        await socket.close(code=_POLICY_VIOLATION)
        return
    await _stream(
        socket,
        channels,
        [unit_channel(staff.tenant_id, staff.unit_id)],
        account_channel(staff.tenant_id, staff.id),
    )
