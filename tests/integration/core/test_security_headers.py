"""Every response carries the security headers; the apps get a CSP without inline scripts."""

from __future__ import annotations

import pytest

from sereno.core.security import content_security_policy
from sereno.settings import MediaSettings


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/console/", 200), ("/field/", 200), ("/transparencia/", 200), ("/api/v1/categories", 200),
     ("/no/such/page", 404), ("/api/v1/nothing", 404)],  # the router's own 404s too
)  # fmt: skip
async def test_every_response_has_the_security_headers(client, path, status):
    response = await client.get(path)
    assert response.status_code == status
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "geolocation=(self)" in headers["permissions-policy"]
    csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and "unsafe" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"


def test_s3_uploads_go_straight_to_the_bucket_so_it_is_allowed_to_connect():
    local = content_security_policy(MediaSettings())
    s3 = content_security_policy(MediaSettings(backend="s3", s3_bucket="b", s3_endpoint_url="http://127.0.0.1:8333/"))
    assert "connect-src 'self';" in local
    assert "connect-src 'self' http://127.0.0.1:8333;" in s3
