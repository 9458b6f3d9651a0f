"""A partner's side of the alarm API, as its integration would be written: sign ``timestamp.body`` with the
key it was given, send, read the acknowledgement. Tests bend one rule at a time (key, time, event id)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
from sereno.alarms import signing

__all__ = ["PartnerApi", "Site"]


@dataclass(frozen=True)
class Site:
    """A registered device: where the terminal is."""

    device_id: str
    name: str
    lat: float
    lon: float


@dataclass
class PartnerApi:
    client: httpx.AsyncClient
    partner_id: int
    key: str
    sent: list[str] = field(default_factory=list)

    def signed(self, body: bytes, *, key: str | None = None, at: float | None = None,
               partner_id: int | None = None) -> dict[str, str]:
        return signing.signed_headers(partner_id=partner_id or self.partner_id, key=key or self.key,
                                      timestamp=int(at if at is not None else time.time()), body=body)

    def event(self, event_type: str, device_id: str, *, event_id: str | None = None, **extra: Any) -> dict:
        return {"partner_id": self.partner_id, "device_id": device_id, "event_id": event_id or uuid.uuid4().hex,
                "event_type": event_type, "device_time": datetime.now(UTC).isoformat(), **extra}

    async def post(self, body: dict, **signing_options: Any) -> httpx.Response:
        raw = msgspec.json.encode(body)
        headers = {**self.signed(raw, **signing_options), "Content-Type": "application/json"}
        return await self.client.post("/api/v1/alarms", content=raw, headers=headers)

    async def send(self, event_type: str, device_id: str, **extra: Any) -> httpx.Response:
        return await self.post(self.event(event_type, device_id, **extra))

    async def health(self, **signing_options: Any) -> httpx.Response:
        return await self.client.get("/api/v1/alarms/devices/health", headers=self.signed(b"", **signing_options))
