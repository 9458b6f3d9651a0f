"""Anonymous writes are limited per client: the limit answers 429 with Retry-After, reads stay open."""

from __future__ import annotations

from sereno.app import create_app
from tests.support.builders import new_key, report_body
from tests.support.fixtures import build_settings, decode, running


async def test_anonymous_reports_are_rate_limited_with_retry_after(media_dir, city, client):
    app = create_app(build_settings(media_dir, SERENO_RATE_LIMIT_PER_MINUTE="3"))
    async with running(app) as limited:
        statuses = []
        for _ in range(4):
            response = await limited.post(
                "/api/v1/reports", json=report_body(description="rate"), headers={"Idempotency-Key": new_key()}
            )
            statuses.append(response.status_code)
        assert statuses == [201, 201, 201, 429]
        assert int(response.headers["retry-after"]) > 0
        assert decode(response)["error"] == "rate_limited"
        uploads = await limited.post("/api/v1/uploads", json={"content_type": "image/jpeg", "size_bytes": 10})
        assert uploads.status_code == 429  # the same client's budget covers uploads
        assert (await limited.get("/api/v1/categories")).status_code == 200
