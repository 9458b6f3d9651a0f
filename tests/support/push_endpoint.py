"""A local Web Push service that checks what a real one checks and decrypts what a real browser would.

Each ``Browser`` holds what ``PushManager.subscribe()`` creates on a phone: a P-256 key pair and a 16-byte auth
secret (its ``p256dh``/``auth``), bound to the server's applicationServerKey. A push to its endpoint must carry
a VAPID JWT (ES256, signed by that key, ``aud`` = the endpoint's origin, ``exp`` within 24 h, ``sub``), a TTL
and an aes128gcm body, which is decrypted with http_ece exactly as the browser would and recorded.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = ["PushService", "Browser", "Received"]

_AUTH = re.compile(r"^vapid\s+t=(?P<t>[^,\s]+)\s*,\s*k=(?P<k>[A-Za-z0-9_-]+)$", re.IGNORECASE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Received:
    def __init__(self, payload: dict[str, Any], headers: dict[str, str]) -> None:
        self.payload = payload
        self.ttl = int(headers.get("ttl", "0"))
        self.urgency = headers.get("urgency", "normal")


class Browser:
    """One push subscription, as a browser would hold it."""

    def __init__(self, service: PushService, number: int, server_key: str) -> None:
        self.endpoint = f"{service.url}/push/{number}"
        self.server_key = server_key
        self._private_key = ec.generate_private_key(ec.SECP256R1())
        self._auth = os.urandom(16)
        self.received: list[Received] = []
        self.gone = False  # the user revoked permission: 410
        self.failures_left = 0  # the push service is having a bad minute: 500

    def subscription(self) -> dict[str, Any]:
        """The body a PWA posts: ``PushSubscription.toJSON()`` plus its kind."""
        public = self._private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {
            "kind": "webpush",
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": _b64(public), "auth": _b64(self._auth)},
        }

    @property
    def titles(self) -> list[str]:
        return [r.payload["title"] for r in self.received]

    def _accept(self, body: bytes, headers: dict[str, str]) -> None:
        plaintext = http_ece.decrypt(body, private_key=self._private_key, auth_secret=self._auth, version="aes128gcm")
        self.received.append(Received(json.loads(plaintext), headers))


class PushService:
    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._browsers: dict[int, Browser] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.rejected: list[str] = []  # requests a real push service would refuse: tests assert it stays empty
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        # hold_after(n): the push after the n-th accepted one is held unanswered (and not accepted), so that a
        # test can crash the sender while a delivery is in flight.
        self._hold_at: int | None = None
        self.holding = threading.Event()
        self._release = threading.Event()

    def start(self) -> PushService:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def accepted(self) -> int:
        return sum(len(browser.received) for browser in self._browsers.values())

    def hold_after(self, accepted: int) -> None:
        self._hold_at = accepted

    def release(self) -> None:
        """Let go of a held push: its connection is closed without an answer (the sender has crashed)."""
        self._hold_at = None
        self._release.set()

    def _hold(self) -> bool:
        with self._lock:
            if self._hold_at is None or self.accepted < self._hold_at or self.holding.is_set():
                return False
            self.holding.set()
        self._release.wait(timeout=60)
        return True

    def new_browser(self, server_key: str) -> Browser:
        browser = Browser(self, next(self._numbers), server_key)
        self._browsers[int(browser.endpoint.rsplit("/", 1)[1])] = browser
        return browser

    def _verify(self, browser: Browser, headers: dict[str, str]) -> str | None:
        """Why a real push service would refuse this request, or None."""
        match = _AUTH.match(headers.get("authorization", ""))
        if match is None:
            return "no VAPID authorization"
        if match["k"] != browser.server_key:
            return "VAPID key differs from the applicationServerKey of the subscription"
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(match["k"]))
        try:
            claims = jwt.decode(
                match["t"], public_key, algorithms=["ES256"], audience=self.url,
                options={"require": ["exp", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            return f"VAPID JWT refused: {exc!r}"
        if claims["exp"] > time.time() + 24 * 3600:
            return "VAPID JWT expires more than 24 h ahead"
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            return "VAPID sub is neither mailto: nor https:"
        if headers.get("content-encoding") != "aes128gcm":
            return "content encoding is not aes128gcm"
        if not headers.get("ttl", "").isdigit():
            return "no TTL"
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                number = self.path.rsplit("/", 1)[-1]
                browser = service._browsers.get(int(number)) if number.isdigit() else None
                if browser is None:
                    return self._answer(404)
                problem = service._verify(browser, headers)
                if problem:
                    service.rejected.append(problem)
                    return self._answer(403)
                if browser.gone:
                    return self._answer(410)
                if service._hold():
                    self.close_connection = True
                    return None
                if browser.failures_left > 0:
                    browser.failures_left -= 1
                    return self._answer(500)
                try:
                    browser._accept(body, headers)
                except Exception as exc:  # noqa: BLE001 - a body the browser cannot decrypt is a test failure
                    service.rejected.append(f"cannot decrypt: {exc!r}")
                    return self._answer(400)
                self._answer(201)

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
