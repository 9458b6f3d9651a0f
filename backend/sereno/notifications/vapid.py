"""The VAPID key pair that identifies this installation to the Web Push services.

Generated on first start and kept in ``instance_setting``, so that every process (API replicas, workers) signs
with the same key and browsers subscribed with its public key keep receiving pushes after a restart.
"""

from __future__ import annotations

import base64

import asyncpg
import msgspec
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid

__all__ = ["VapidKeys", "load_vapid", "b64url", "b64url_decode"]

_PRIVATE, _PUBLIC = "vapid_private_key", "vapid_public_key"

# Both rows in one statement: a process that loses the race inserts neither, so the pair always matches.
_INSERT = """
INSERT INTO instance_setting (name, value) VALUES ($1, $2), ($3, $4) ON CONFLICT (name) DO NOTHING
"""
_SELECT = "SELECT name, value FROM instance_setting WHERE name = ANY($1::text[])"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidKeys(msgspec.Struct, frozen=True):
    private_key: str
    """The private scalar, base64url (32 bytes): the raw form ``py_vapid.Vapid.from_string`` reads."""
    public_key: str
    """The uncompressed P-256 point, base64url: the browser's ``applicationServerKey``."""

    def signer(self) -> Vapid:
        """What pywebpush signs the VAPID JWT with."""
        return Vapid.from_string(self.private_key)


def _generate() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    return VapidKeys(
        private_key=b64url(key.private_numbers().private_value.to_bytes(32, "big")),
        public_key=_public_of(key),
    )


def _public_of(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


async def load_vapid(conn: asyncpg.Connection) -> VapidKeys:
    """The installation's key pair, created by whichever process asks first."""
    rows = {r["name"]: r["value"] for r in await conn.fetch(_SELECT, [_PRIVATE, _PUBLIC])}
    if len(rows) < 2:
        candidate = _generate()
        await conn.execute(_INSERT, _PRIVATE, candidate.private_key, _PUBLIC, candidate.public_key)
        rows = {r["name"]: r["value"] for r in await conn.fetch(_SELECT, [_PRIVATE, _PUBLIC])}
    keys = VapidKeys(private_key=rows[_PRIVATE], public_key=rows[_PUBLIC])
    # The private key is what signs; a public key edited by hand would silently break every subscription.
    if _public_of(keys.signer().private_key) != keys.public_key:
        raise RuntimeError("instance_setting: vapid_public_key does not match vapid_private_key")
    return keys
