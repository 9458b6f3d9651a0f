"""DATABASE_REPLICA_URL: public and analytics reads go through the replica's pool (read-only sessions named
"sereno-replica"), writes stay on the primary. The "replica" here is the test database itself, opened
read-only: a read path that wrote would fail, and pg_stat_activity shows which pool served."""

from __future__ import annotations

from sereno.app import create_app
from sereno.core import db as core_db
from tests.support.builders import new_key, report_body
from tests.support.database import DB_NAME, TEST_DB_URL
from tests.support.fixtures import build_settings, decode, running
from tests.support.staff import create_staff, login

_REPLICA = "sereno-replica"


async def _replica_sessions(conn) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2", DB_NAME, _REPLICA
    )


async def test_public_and_analytics_reads_use_the_replica_and_writes_the_primary(client, city, media_dir):
    async with core_db.connection() as conn:
        analyst = await create_staff(conn, tenant_id=city, role="analyst")
    replica_app = create_app(build_settings(media_dir, DATABASE_REPLICA_URL=TEST_DB_URL))
    async with running(replica_app) as replica_client:
        async with core_db.connection() as conn:
            assert await _replica_sessions(conn) >= 1  # the replica's pool is open
            assert await conn.fetchval("SHOW default_transaction_read_only") == "off"  # the primary's is not
        async with core_db.read_connection() as conn:
            assert await conn.fetchval("SHOW default_transaction_read_only") == "on"
            assert await conn.fetchval("SELECT current_setting('application_name')") == _REPLICA

        reads = [
            "/api/v1/public/incidents?limit=5",
            "/api/v1/public/stats",
            "/api/v1/public/incidents.csv",
            "/open311/v2/requests.json",
        ]
        for path in reads:
            response = await replica_client.get(path)
            assert response.status_code == 200, (path, response.text)
        staff = await login(replica_client, analyst)
        weekly = await replica_client.get("/api/v1/analytics/weekly", headers=staff.headers)
        assert weekly.status_code == 200, weekly.text
        filed = await replica_client.post("/api/v1/reports", json=report_body(), headers={"Idempotency-Key": new_key()})
        assert filed.status_code == 201 and decode(filed)["status"] == "new"  # writes: the primary
        # The last statement each replica session ran (the weekly report's, the export streamed last).
        assert (await replica_client.get("/api/v1/public/incidents.csv?district=NW")).status_code == 200
        async with core_db.connection() as conn:
            last = await conn.fetch(
                "SELECT query FROM pg_stat_activity WHERE datname = $1 AND application_name = $2", DB_NAME, _REPLICA
            )
        queries = [r["query"].strip() for r in last]
        assert any(q.startswith("COPY (") for q in queries), queries  # the public CSV export
        assert any("grouping(d.id)" in q or "WITH duty AS" in q for q in queries), queries  # the weekly report
    async with core_db.connection() as conn:
        assert await _replica_sessions(conn) == 0  # closed with the app that opened it
