"""Report intake writes through a small pool of its own whose statements always run on their generic plan
(PostgreSQL re-planned the batch statement at every execution otherwise); nothing else is forced to."""

from __future__ import annotations

from sereno.core import db as core_db
from tests.support.builders import new_key, report_body
from tests.support.database import DB_NAME
from tests.support.fixtures import decode

_INTAKE = "sereno-intake"


async def test_reports_are_written_through_the_intake_pool_with_generic_plans(client, city):
    async with core_db.intake_connection() as conn:
        assert await conn.fetchval("SELECT current_setting('application_name')") == _INTAKE
        assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
    async with core_db.connection() as conn:
        assert await conn.fetchval("SHOW plan_cache_mode") == "auto"  # the rest of the application: the default

    filed = await client.post("/api/v1/reports", json=report_body(), headers={"Idempotency-Key": new_key()})
    assert filed.status_code == 201, filed.text

    async with core_db.connection() as conn:
        last = await conn.fetch(
            "SELECT query FROM pg_stat_activity WHERE datname = $1 AND application_name = $2", DB_NAME, _INTAKE
        )
        code = decode(filed)["code"]
        assert await conn.fetchval("SELECT count(*) FROM incident WHERE code = $1", code) == 1
    assert any("INSERT INTO incident (" in r["query"] for r in last), [r["query"][:60] for r in last]
