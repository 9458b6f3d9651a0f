"""The public responses' cache, per projection version.

The projection changes only when the worker's refresh publishes something, which bumps the tenant's version
(``public_feed_state``). Responses are cached in-process by (tenant, version, format, language, filters) and
their ETag is derived from the same key, so a repeat request, or a conditional one, costs no query over the
projection; the version itself is re-read at most every couple of seconds.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import msgspec

from sereno.core import db
from sereno.transparency import queries

__all__ = ["Cached", "cached", "etag_for", "feed_version", "forget_version"]

_VERSION_TTL_S = 2.0
_versions: dict[int, tuple[float, int]] = {}


async def feed_version(tenant_id: int) -> int:
    """The tenant's projection version, re-read from the database at most every two seconds."""
    now = time.monotonic()
    known = _versions.get(tenant_id)
    if known and known[0] > now:
        return known[1]
    async with db.read_connection() as conn:
        version = await conn.fetchval(queries.FEED_VERSION, tenant_id) or 0
    _versions[tenant_id] = (now + _VERSION_TTL_S, version)
    return version


def forget_version(tenant_id: int) -> None:
    """After this process refreshed the projection: its next response must not wait out the TTL (other
    processes notice within ``_VERSION_TTL_S``)."""
    _versions.pop(tenant_id, None)


class Cached(msgspec.Struct, frozen=True):
    body: bytes
    etag: str


_CACHE: OrderedDict[tuple, Cached] = OrderedDict()
_CACHE_ENTRIES = 512
_CACHE_MAX_BODY = 2 * 1024 * 1024


def etag_for(key: tuple) -> str:
    return '"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'


async def cached(key: tuple, build: Callable[[], Awaitable[bytes]]) -> Cached:
    """The response body for ``key`` (which must include the version), built once per version."""
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    body = await build()
    entry = Cached(body=body, etag=etag_for(key))
    if len(body) <= _CACHE_MAX_BODY:
        _CACHE[key] = entry
        while len(_CACHE) > _CACHE_ENTRIES:
            _CACHE.popitem(last=False)
    return entry
