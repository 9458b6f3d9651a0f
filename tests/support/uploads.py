"""Photo uploads as a phone makes them through the API (local storage backend): ask for a target, send the
bytes there, confirm."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import msgspec

from tests.support.builders import jpeg_bytes

__all__ = ["upload_photo", "unconfirmed_upload"]

_UPLOADS = "/api/v1/uploads"


async def unconfirmed_upload(
    client: httpx.AsyncClient, data: bytes, *, headers: dict[str, str] | None = None
) -> dict:
    """An upload target asked for and its bytes sent, not yet confirmed (the photo is not ready)."""
    created = await client.post(
        _UPLOADS, json={"content_type": "image/jpeg", "size_bytes": len(data)}, headers=headers
    )
    assert created.status_code == 201, created.text
    body = msgspec.json.decode(created.content)
    target = body["upload"]
    url = urlsplit(target["url"])
    sent = await client.put(f"{url.path}?{url.query}", content=data, headers=target["headers"])
    assert sent.status_code == 204, sent.text
    return body


async def upload_photo(
    client: httpx.AsyncClient, data: bytes | None = None, *, headers: dict[str, str] | None = None
) -> str:
    """The id of a confirmed (ready) photo; ``headers`` may name another city (X-Sereno-Tenant)."""
    body = await unconfirmed_upload(client, data or jpeg_bytes(), headers=headers)
    completed = await client.post(f"{_UPLOADS}/{body['id']}/complete", headers=headers)
    assert completed.status_code == 200, completed.text
    assert msgspec.json.decode(completed.content)["status"] == "ready"
    return body["id"]
