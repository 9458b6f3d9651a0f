"""The console's queue: open incidents first, most urgent first and, within a priority, the longest waiting;
then the resolved ones (awaiting closure); closed ones never; at most ``limit`` of them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.support.builders import MID_LAT, MID_LON, create_city
from tests.support.fixtures import decode
from tests.support.incidents import insert_incident
from tests.support.staff import create_staff, login


async def test_the_queue_lists_open_incidents_by_priority_then_age_and_resolved_ones_last(client, db):
    tag = uuid.uuid4().hex[:5].upper()
    city = await create_city(db, slug=f"cola-{tag.lower()}", name=f"Cola {tag}", prefix=f"Q{tag}")
    dispatcher = await login(client, await create_staff(db, tenant_id=city, role="dispatcher"))
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    cases = {  # name: (status, priority, minutes after 09:00)
        "p3_new": ("new", 3, 60),
        "p1_new": ("new", 1, 65),
        "p1_resolved": ("resolved", 1, 0),
        "p1_triaged_earlier": ("triaged", 1, 30),
        "p1_closed": ("closed", 1, 10),
        "p2_new": ("new", 2, 61),
        "p3_resolved": ("resolved", 3, 5),
    }
    codes = {}
    for name, (status, priority, minutes) in cases.items():
        incident_id, codes[name] = await insert_incident(
            db, tenant_id=city, category="other", lon=MID_LON, lat=MID_LAT,
            reported_at=start + timedelta(minutes=minutes), status=status,
        )
        await db.execute("UPDATE incident SET priority = $2 WHERE id = $1", incident_id, priority)

    async def queue(limit: int) -> list[str]:
        response = await client.get(f"/api/v1/incidents?limit={limit}", headers=dispatcher.headers)
        assert response.status_code == 200, response.text
        by_code = {code: name for name, code in codes.items()}
        return [by_code[item["code"]] for item in decode(response)]

    assert await queue(10) == [
        "p1_triaged_earlier", "p1_new", "p2_new", "p3_new", "p1_resolved", "p3_resolved",
    ]
    assert await queue(3) == ["p1_triaged_earlier", "p1_new", "p2_new"]
