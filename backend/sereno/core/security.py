"""Security headers on every response, and the Content-Security-Policy of the apps.

Scripts only from this origin (no inline script, no eval: the apps are plain ES modules and the vendored
libraries need neither); styles may be inline because Leaflet writes style attributes into the markup it
builds; images from here, data/blob URLs (photo previews) and the map tiles; connections to this origin and,
in S3 mode, to the bucket the phone uploads to directly. Nothing may frame the apps.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from collections.abc import Awaitable, Callable

from litestar.types import Message, Scope

from sereno.settings import MediaSettings

__all__ = ["content_security_policy", "security_headers"]

TILE_ORIGIN = "https://tile.openstreetmap.org"


def _upload_origin(media: MediaSettings) -> str | None:
    if media.backend != "s3":
        return None
    if media.s3_endpoint_url:
        parts = urlsplit(media.s3_endpoint_url)
        return f"{parts.scheme}://{parts.netloc}"
    return "https://*.amazonaws.com"


def content_security_policy(media: MediaSettings) -> str:
    connect = " ".join(filter(None, ["'self'", _upload_origin(media)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob: {TILE_ORIGIN}",
            f"connect-src {connect}",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(media: MediaSettings) -> Callable[[Message, Scope], Awaitable[None]]:
    """A ``before_send`` hook adding the headers to every HTTP response (set ones are kept). A hook rather
    than a middleware: Litestar answers unknown paths (404) and wrong methods (405) in its router, before
    any middleware runs, and those answers must carry the headers too."""
    fixed = [
        (b"content-security-policy", content_security_policy(media).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"geolocation=(self), camera=(self), microphone=(), payment=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        present = {name.lower() for name, _ in headers}
        headers.extend((name, value) for name, value in fixed if name not in present)
        message["headers"] = headers  # type: ignore[typeddict-item]

    return add_headers
