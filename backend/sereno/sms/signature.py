"""The SMS gateway's webhook signature: Twilio's scheme exactly, so a Twilio number works unchanged (pure
functions, tested against Twilio's own ``RequestValidator``).

``X-Twilio-Signature = base64(HMAC-SHA1(auth_token, url + key1 + value1 + key2 + value2 ...))`` with the POST
parameters sorted by name (a repeated name contributes each of its values, sorted). ``url`` is the full URL the
gateway called, query string included: behind a proxy that is not the URL the app sees, so it is built from
``SERENO_PUBLIC_URL``. No library does this for us without pulling in Twilio's whole API client.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence

__all__ = ["SIGNATURE_HEADER", "compute", "matches"]

SIGNATURE_HEADER = "X-Twilio-Signature"


def compute(auth_token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    payload = url + "".join(name + value for name in sorted(params) for value in sorted(params[name]))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def matches(auth_token: str, url: str, params: Mapping[str, Sequence[str]], signature: str | None) -> bool:
    """True if ``signature`` is the gateway's for this request (compared in constant time)."""
    if not auth_token or not signature:
        return False
    return hmac.compare_digest(compute(auth_token, url, params).encode(), signature.strip().encode())
