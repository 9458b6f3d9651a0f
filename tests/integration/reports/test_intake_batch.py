"""Reports arriving together share one statement and one commit, and each still gets its own answer: its
code, its replay, or its own error."""

from __future__ import annotations

import asyncio

import msgspec
import pytest
from sereno.core.clock import SystemClock
from sereno.core.errors import Unprocessable
from sereno.reports import batch, service
from sereno.reports.schemas import ReportCreate
from sereno.tenants import service as tenants

from tests.support.builders import OUTSIDE, TEST_CITY, new_key, report_body


@pytest.fixture
def batches(monkeypatch) -> list[int]:
    """The size of every batch statement (the real one runs)."""
    sizes, real = [], batch.file_reports

    async def recording(conn, rows):
        sizes.append(len(rows))
        return await real(conn, rows)

    monkeypatch.setattr(batch, "file_reports", recording)
    return sizes


async def _file_together(*requests: tuple[dict, str]) -> list:
    """Submit at once, as concurrent requests do; each result is (status, response) or the exception."""
    tenant = await tenants.get_tenant(slug=TEST_CITY["slug"])
    await tenants.get_category(tenant_id=tenant.id, code="robbery_assault")  # cached: no await in between

    def submit(body: dict, key: str):
        return service.submit_report(
            tenant=tenant,
            body=msgspec.convert(body, ReportCreate),
            idempotency_key=key,
            clock=SystemClock(),
            secret=b"batch-test-secret",
        )

    return await asyncio.gather(*(submit(body, key) for body, key in requests), return_exceptions=True)


async def test_reports_arriving_together_are_filed_in_one_statement_each_with_its_own_code(
    client, db, batches
):
    contact = {"name": "Ana", "phone": "+51 944 000 111", "callback_wanted": True}
    results = await _file_together(
        (report_body(description="batch one"), new_key()),
        (report_body(description="batch two", anonymous=False, contact=contact), new_key()),
        (report_body(description="batch three"), new_key()),
    )
    assert batches == [3]
    assert [status for status, _ in results] == [201, 201, 201]
    codes = [created.code for _, created in results]
    assert len(set(codes)) == 3
    rows = await db.fetch(
        """SELECT i.code, i.description, i.sector IS NOT NULL AS located, i.callback_due_at IS NOT NULL AS callback,
                  (SELECT count(*) FROM incident_event e WHERE e.incident = i.id AND e.kind = 'reported') AS events,
                  (SELECT count(*) FROM reporter_contact c WHERE c.incident = i.id) AS contacts,
                  (SELECT count(*) FROM outbox_event o WHERE o.topic = 'incident.reported'
                     AND (o.payload->>'incident_id')::bigint = i.id) AS side_effects
           FROM incident i WHERE i.code = ANY($1::text[]) ORDER BY i.description""",
        codes,
    )
    by_description = {r["description"]: r for r in rows}
    assert {r["code"] for r in rows} == set(codes) and all(r["located"] for r in rows)
    assert all(r["events"] == 1 and r["side_effects"] == 1 for r in rows)
    assert by_description["batch two"]["contacts"] == 1 and by_description["batch two"]["callback"]
    assert by_description["batch one"]["contacts"] == 0 and not by_description["batch one"]["callback"]
    assert [by_description[d]["code"] for d in ("batch one", "batch two", "batch three")] == codes


async def test_one_key_twice_in_a_batch_files_once_and_another_body_with_it_is_refused(client, db, batches):
    key, twin = new_key(), report_body(description="twin in a batch")
    results = await _file_together(
        (twin, key),
        (report_body(description="bystander"), new_key()),
        (twin, key),
        (report_body(description="other body, same key"), key),
    )
    assert batches == [4]
    (first_status, first), bystander, (again_status, again), reused = results
    assert (first_status, again_status, bystander[0]) == (201, 201, 201)
    assert again.code == first.code and again.tracking_token == first.tracking_token
    assert isinstance(reused, Unprocessable) and reused.code == "idempotency_key_reused"
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = 'twin in a batch'") == 1
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = 'other body, same key'") == 0


async def test_a_report_outside_the_area_is_refused_alone_in_its_batch(client, db, batches):
    results = await _file_together(
        (report_body(description="inside, batched"), new_key()),
        (report_body(description="outside, batched", location={**OUTSIDE}), new_key()),
    )
    assert batches == [2]
    assert results[0][0] == 201
    assert isinstance(results[1], Unprocessable) and results[1].code == "outside_service_area"


async def test_a_report_that_breaks_the_batch_statement_fails_alone_and_the_others_are_filed(
    client, db, batches
):
    results = await _file_together(
        (report_body(description="good before"), new_key()),
        (report_body(description="a NUL byte \x00 PostgreSQL refuses"), new_key()),
        (report_body(description="good after"), new_key()),
    )
    assert batches == [3]  # failed as a whole, then each alone
    assert results[0][0] == 201 and results[2][0] == 201
    assert isinstance(results[1], Exception)
    described = {
        r["description"]
        for r in await db.fetch("SELECT description FROM incident WHERE description LIKE 'good %'")
    }
    assert described == {"good before", "good after"}
