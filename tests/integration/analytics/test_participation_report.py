"""The weekly report's section on citizens' complaints, suggestions and questions, against figures worked out by
hand: per department, received, answered, answered by the deadline, still open past it, median hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sereno.core import db as core_db
from tests.support.builders import create_city
from tests.support.fixtures import decode
from tests.support.staff import create_staff, login

LIMA = ZoneInfo("America/Lima")
CITY = {"slug": "prp", "name": "Ciudad Participativa", "prefix": "PRP"}
WEEK = {"from": "2026-10-05", "to": "2026-10-11"}
_INSERT = """
INSERT INTO participation_request (tenant, code, kind, topic, department, status, description, tracking_token_hash,
                                   received_at, due_at, updated_at, answered_at, answer)
SELECT $1, $2, 'complaint', t.id, t.department, $4, 'x', 'h', $5::timestamptz, $5::timestamptz + interval '72 hours', $5::timestamptz, $6::timestamptz, ''
FROM participation_topic t WHERE t.tenant = $1 AND t.code = $3
"""


@pytest.fixture(scope="module")
async def analyst(client):
    async with core_db.connection() as conn:
        tenant_id = await create_city(conn, **CITY)
        monday = datetime(2026, 10, 5, 9, tzinfo=LIMA)
        rows = [  # (topic, status, received, hours to the answer or None); deadlines are 72 h
            ("street_light_out", "answered", monday, 10),
            ("street_light_out", "answered", monday + timedelta(days=1), 100),  # late
            ("street_light_out", "in_progress", monday + timedelta(days=2), None),  # open, now past its deadline
            ("rubbish_not_collected", "dismissed", monday + timedelta(days=3), 2),
            ("street_light_out", "answered", monday - timedelta(days=20), 5),  # before the week: not counted
        ]
        for n, (topic, status, received, hours) in enumerate(rows):
            answered = None if hours is None else received + timedelta(hours=hours)
            await conn.execute(_INSERT, tenant_id, f"PRP-PC-2026-{n:06d}", topic, status, received, answered)
        member = await create_staff(conn, tenant_id=tenant_id, role="analyst")
    return await login(client, member)


async def test_departments_answers_against_their_deadlines(client, analyst):
    report = decode(await client.get("/api/v1/analytics/weekly", params=WEEK, headers=analyst.headers))
    assert "participation" in report, report
    by_key = {d["key"]: d for d in report["participation"]}
    assert report["participation"][0]["key"] == "all"
    assert by_key["all"] == {"key": "all", "name": "todas las áreas", "received": 4, "answered": 3, "on_time": 2,
                             "overdue": 1, "on_time_share": 0.5, "median_answer_h": 10.0}  # fmt: skip
    assert by_key["public_lighting"] == {"key": "public_lighting", "name": "Alumbrado público", "received": 3,
                                         "answered": 2, "on_time": 1, "overdue": 1, "on_time_share": 0.333,
                                         "median_answer_h": 55.0}  # fmt: skip
    assert (by_key["solid_waste"]["on_time"], by_key["solid_waste"]["median_answer_h"]) == (1, 2.0)


async def test_the_printable_report_has_the_participation_table(client, analyst):
    document = await client.get("/api/v1/analytics/weekly.html", params=WEEK, headers=analyst.headers)
    assert "Reclamos, sugerencias y consultas de vecinos" in document.text
    assert "Alumbrado público" in document.text and "1 (33 %)" in document.text
