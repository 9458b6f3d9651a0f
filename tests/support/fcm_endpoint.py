"""A local stand-in for Google: the OAuth token endpoint and FCM's v1 send endpoint.

The token endpoint accepts only a JWT-bearer assertion signed (RS256) with the test service account's key and
returns an access token; the send endpoint accepts only that token, records each message, and answers a token
in ``unregistered`` with the 404 UNREGISTERED error FCM sends for an uninstalled app, and one in ``malformed``
with the 400 INVALID_ARGUMENT it sends for a string that is no registration token.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["FakeGoogle", "PROJECT_ID"]

PROJECT_ID = "sereno-test"
_GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"  # google-auth always signs for this audience
_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _fcm_error(code: int, status: str, error_code: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "status": status,
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}],
        }
    }


class FakeGoogle:
    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.client_email = f"push@{PROJECT_ID}.iam.gserviceaccount.com"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.send_url_template = self.url + "/v1/projects/{0}/messages:send"
        self._access_tokens: set[str] = set()
        self._ids = itertools.count(1)
        self.messages: list[dict[str, Any]] = []
        self.unregistered: set[str] = set()
        self.malformed: set[str] = set()
        self.rejected: list[str] = []
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> FakeGoogle:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def write_credentials(self, path: Path) -> Path:
        """A service-account file like the one Firebase's console downloads, but for this server."""
        pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": PROJECT_ID,
                    "private_key_id": "test-key-1",
                    "private_key": pem,
                    "client_email": self.client_email,
                    "client_id": "1",
                    "token_uri": f"{self.url}/token",
                }
            )
        )
        return path

    def messages_to(self, token: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("token") == token]

    def _issue_token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != [_JWT_BEARER] or "assertion" not in form:
            self.rejected.append("token request is not a JWT-bearer grant")
            return 400, {"error": "unsupported_grant_type"}
        try:
            jwt.decode(
                form["assertion"][0], self._key.public_key(), algorithms=["RS256"],
                audience=_GOOGLE_TOKEN_AUDIENCE, issuer=self.client_email, options={"require": ["exp", "iat"]},
            )
        except jwt.InvalidTokenError as exc:
            self.rejected.append(f"assertion refused: {exc!r}")
            return 400, {"error": "invalid_grant"}
        token = secrets.token_urlsafe(24)
        self._access_tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def _send(self, path: str, authorization: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path != f"/v1/projects/{PROJECT_ID}/messages:send":
            return 404, _fcm_error(404, "NOT_FOUND", "UNSPECIFIED_ERROR", "no such project")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or token not in self._access_tokens:
            self.rejected.append("send without a valid access token")
            return 401, _fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "bad credentials")
        message = body.get("message", {})
        if message.get("token") in self.unregistered:
            return 404, _fcm_error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
        if message.get("token") in self.malformed:
            return 400, _fcm_error(
                400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"
            )
        self.messages.append(message)
        return 200, {"name": f"projects/{PROJECT_ID}/messages/{next(self._ids)}"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        google = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.path == "/token":
                    status, answer = google._issue_token(parse_qs(raw.decode()))
                else:
                    status, answer = google._send(self.path, self.headers.get("authorization", ""), json.loads(raw))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
