"""Partner credentials and request signatures (pure functions, tested without a database).

A partner signs every request with HMAC-SHA256 over ``"<timestamp>.<body>"`` using a secret key issued by an
administrator. HMAC is symmetric: whoever verifies must hold the key itself, so "storing only a hash" is not
possible (a hash the server could verify with would itself be the key). What is kept at rest instead:

* the key is *derived*, never stored: ``key = base64url(HMAC-SHA256(instance_secret, "sereno/alarm-key/v1" ‖
  salt))`` with a random 32-byte ``salt`` per key. The database holds the salt and a SHA-256 fingerprint of
  the key; neither gives the key without ``SERENO_SECRET_KEY``, which lives outside the database. So a stolen
  dump or backup cannot forge alarms, exactly as with a hash, while the server can still recompute the key.
* the fingerprint identifies a key in listings and revocations without revealing it.

Compared with encrypting the key (Fernet) this needs no extra library and has nothing to decrypt; both depend
on the instance secret in the same way. Caveats, said plainly: if ``SERENO_SECRET_KEY`` is unset, Sereno keeps a
generated secret in the database and a dump then yields the keys (set it in production); and changing
``SERENO_SECRET_KEY`` invalidates every partner key (issue new ones with ``sereno alarms key rotate``).
Asymmetric signatures (Ed25519) would need no secret at rest at all, but the alarm industry's webhooks and the
issue ask for HMAC.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = [
    "MAX_SKEW_S",
    "PARTNER_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "derive_key",
    "fingerprint",
    "new_salt",
    "sign",
    "signature_matches",
    "signed_headers",
]

PARTNER_HEADER = "X-Sereno-Partner"
TIMESTAMP_HEADER = "X-Sereno-Timestamp"
SIGNATURE_HEADER = "X-Sereno-Signature"
MAX_SKEW_S = 300
_CONTEXT = b"sereno/alarm-key/v1\x00"
_SCHEME = "sha256="


def new_salt() -> str:
    return secrets.token_hex(32)


def derive_key(instance_secret: bytes, salt: str) -> str:
    """The partner's signing key (what it is given once, and what it signs with)."""
    digest = hmac.new(instance_secret, _CONTEXT + bytes.fromhex(salt), hashlib.sha256).digest()
    return "ask_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def sign(key: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``timestamp.body``."""
    return _SCHEME + hmac.new(key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_matches(keys: list[str], timestamp: str, body: bytes, signature: str) -> bool:
    """True if any of the partner's valid keys (two during a rotation) made ``signature``; every key is
    compared, in constant time, so timing does not tell which one matched."""
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(sign(key, timestamp, body), signature)
    return matched


def signed_headers(*, partner_id: int, key: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of a signed request (partners' requests and Sereno's callbacks alike)."""
    stamp = str(timestamp)
    return {
        PARTNER_HEADER: str(partner_id),
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(key, stamp, body),
    }
