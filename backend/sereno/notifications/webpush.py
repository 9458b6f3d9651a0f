"""Web Push (RFC 8030/8291/8292) to installed PWAs, with pywebpush.

pywebpush is synchronous (requests), so a send runs in a worker thread. Its default TTL is 0, which tells the
push service to drop the message if the phone is offline at that moment; the TTL here comes from settings.
"""

from __future__ import annotations

import threading

import anyio
import msgspec
import requests
from pywebpush import WebPushException, webpush

from sereno.notifications.errors import SubscriptionGone
from sereno.notifications.schemas import PushPayload
from sereno.notifications.vapid import VapidKeys

__all__ = ["WebPushSender"]

_GONE = (404, 410)
_TIMEOUT_S = 15.0


class WebPushSender:
    def __init__(self, keys: VapidKeys, *, subject: str, ttl_s: int) -> None:
        self._signer = keys.signer()
        self._subject = subject
        self._ttl_s = ttl_s
        # requests.Session is not documented as thread-safe: one per thread, each reusing its connections.
        self._local = threading.local()

    async def send(
        self, *, endpoint: str, p256dh: str, auth: str, payload: PushPayload, urgency: str = "normal"
    ) -> None:
        """Deliver one message; SubscriptionGone on 404/410, any other failure raises as it came."""
        subscription = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
        data = msgspec.json.encode(payload)
        await anyio.to_thread.run_sync(self._post, subscription, data, urgency)

    def _post(self, subscription: dict, data: bytes, urgency: str) -> None:
        try:
            webpush(
                subscription,
                data=data,  # type: ignore[arg-type]  # bytes are sent as they are
                vapid_private_key=self._signer,
                vapid_claims={"sub": self._subject},  # pywebpush fills in aud and exp (it mutates this dict)
                content_encoding="aes128gcm",
                ttl=self._ttl_s,
                headers={"Urgency": urgency},
                timeout=_TIMEOUT_S,
                requests_session=self._session(),
            )
        except WebPushException as exc:
            if exc.status_code in _GONE:
                raise SubscriptionGone(f"push service answered {exc.status_code}") from exc
            raise

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session
