"""Health, readiness, metrics and request ids."""

from __future__ import annotations

import json
import logging

from sereno.core.observability import JsonFormatter, request_id
from tests.support.fixtures import decode


async def test_readyz_checks_database_and_storage(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert decode(response) == {"status": "ready", "checks": {"database": "ok", "storage": "ok"}}
    assert (await client.get("/healthz")).status_code == 200


async def test_metrics_report_open_incidents_outbox_and_request_latencies(client, db):
    await client.get("/api/v1/categories")  # at least one request measured
    text = (await client.get("/metrics")).text
    open_p1 = await db.fetchval(
        "SELECT count(*) FROM incident WHERE priority = 1 AND status IN ('new','triaged','dispatched','en_route','on_scene')"
    )
    assert f'sereno_open_incidents{{priority="P1"}} {float(open_p1)}' in text
    assert "sereno_push_failing" in text
    assert 'sereno_requests_total{' in text and 'path="/api/v1/categories"' in text
    assert "sereno_request_duration_seconds_bucket{" in text
    pending = await db.fetch("SELECT topic, count(*) AS n FROM outbox_event WHERE done_at IS NULL GROUP BY topic")
    for row in pending:
        assert f'sereno_outbox_pending{{topic="{row["topic"]}"}} {float(row["n"])}' in text


async def test_every_response_carries_a_request_id_and_a_proxys_id_is_kept(client):
    made = await client.get("/api/v1/categories")
    assert len(made.headers["x-request-id"]) == 32
    kept = await client.get("/api/v1/categories", headers={"X-Request-ID": "proxy-abc-12345"})
    assert kept.headers["x-request-id"] == "proxy-abc-12345"
    junk = await client.get("/api/v1/categories", headers={"X-Request-ID": "<script>"})
    assert junk.headers["x-request-id"] != "<script>"


def test_json_log_lines_carry_the_request_id_and_the_error():
    token = request_id.set("req-123456")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.LogRecord("sereno.web", logging.ERROR, __file__, 1, "failed %s", ("x",), True)
            import sys

            record.exc_info = sys.exc_info()
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["message"] == "failed x" and line["level"] == "error" and line["request_id"] == "req-123456"
    assert "ValueError: boom" in line["error"] and line["ts"].endswith("Z")
