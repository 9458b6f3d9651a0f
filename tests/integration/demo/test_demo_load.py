"""The demo load: two plausible cities with two years of history, loaded once, in seconds."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import asyncpg
import pytest

from sereno.accounts.service import verify_password
from sereno.demo.cities import CATEGORY_SHARES, CITIES
from sereno.demo.load import DEMO_PASSWORD, DEMO_USERNAMES, DemoAlreadyLoaded, DemoSummary, load_demo

ADMIN_URL = os.environ.get(
    "TEST_DATABASE_URL",
    f"postgresql://postgres@127.0.0.1:{os.environ.get('SERENO_TEST_PG_PORT', '54330')}/sereno",
)
NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
# Sectors are clipped in floating point: their edges may stray from the service area by far less than this.
TOLERANCE_DEG = 1e-7


async def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PICCOLO_CONF": "sereno.piccolo_conf"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "piccolo.main", "migrations", "forwards", "sereno",
        env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


@pytest.fixture(scope="module")
async def demo_url() -> AsyncIterator[str]:
    """A scratch database, migrated; dropped at the end."""
    name = f"sereno_demo_test_{uuid.uuid4().hex[:10]}"
    url = urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await _migrate(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="module")
async def loaded(demo_url: str) -> AsyncIterator[tuple[asyncpg.Connection, DemoSummary]]:
    conn = await asyncpg.connect(demo_url)
    try:
        summary = await load_demo(db=conn, if_empty=True, now=NOW)
        yield conn, summary
    finally:
        await conn.close()


async def _counts(conn: asyncpg.Connection) -> dict[str, int]:
    tables = (
        "tenant", "sector", "category", "staff_account", "incident", "incident_event", "reporter_contact",
    )
    return {table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in tables}


async def test_load_writes_two_cities_in_well_under_twenty_seconds(loaded):
    conn, summary = loaded
    assert summary.loaded
    assert summary.seconds < 20
    assert [c.slug for c in summary.cities] == ["tru", "mir"]
    assert summary.cities[0].incidents == 3000 and summary.cities[1].incidents == 1500
    rows = await conn.fetch("SELECT slug, code_prefix, name, emergency_phone FROM tenant ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("tru", "TRU", "Municipalidad Provincial de Trujillo", "105"),
        ("mir", "MIR", "Municipalidad de Miraflores", "105"),
    ]


async def test_each_city_has_8_to_12_valid_sectors_that_tile_its_service_area(loaded):
    conn, _ = loaded
    rows = await conn.fetch(
        """SELECT t.slug, ST_IsValid(t.service_area) AS valid_area,
                  count(s.id) AS sectors,
                  bool_and(ST_IsValid(s.area) AND NOT ST_IsEmpty(s.area)) AS valid_sectors,
                  bool_and(ST_CoveredBy(s.area, ST_Buffer(t.service_area, $1))) AS inside,
                  sum(ST_Area(s.area)) / ST_Area(t.service_area) AS summed_share,
                  ST_Area(ST_Union(s.area)) / ST_Area(t.service_area) AS union_share
           FROM tenant t JOIN sector s ON s.tenant = t.id GROUP BY t.id ORDER BY t.id""",
        TOLERANCE_DEG,
    )
    assert [r["slug"] for r in rows] == ["tru", "mir"]
    for row in rows:
        assert row["valid_area"] and row["valid_sectors"], row["slug"]
        assert 8 <= row["sectors"] <= 12, row["slug"]
        assert row["inside"], row["slug"]
        # Covering the whole area without overlaps: the parts add up to the union, which is the whole.
        assert row["union_share"] == pytest.approx(1, abs=1e-6), row["slug"]
        assert row["summed_share"] == pytest.approx(1, abs=1e-6), row["slug"]


async def test_every_incident_lies_in_its_service_area_and_in_a_sector_that_covers_it(loaded):
    conn, _ = loaded
    stray = await conn.fetchval(
        """SELECT count(*) FROM incident i
           JOIN tenant t ON t.id = i.tenant
           LEFT JOIN sector s ON s.id = i.sector
           WHERE NOT ST_Covers(t.service_area, i.location::geometry)
              OR s.id IS NULL OR s.tenant <> i.tenant OR NOT ST_Covers(s.area, i.location::geometry)"""
    )
    assert stray == 0


async def test_category_shares_follow_the_share_table(loaded):
    conn, _ = loaded
    rows = await conn.fetch(
        """SELECT t.slug, c.code, count(*)::float8 / sum(count(*)) OVER (PARTITION BY t.slug) AS share
           FROM incident i JOIN tenant t ON t.id = i.tenant JOIN category c ON c.id = i.category
           GROUP BY t.slug, c.code"""
    )
    for city in CITIES:
        shares = {r["code"]: r["share"] for r in rows if r["slug"] == city.slug}
        assert shares.keys() == CATEGORY_SHARES.keys()
        for code, share in CATEGORY_SHARES.items():
            assert shares[code] == pytest.approx(share, abs=0.005), (city.slug, code)


async def test_history_spans_the_two_years_before_now_and_no_event_is_in_the_future(loaded):
    conn, _ = loaded
    row = await conn.fetchrow(
        """SELECT min(i.reported_at) AS first, max(i.reported_at) AS last,
                  (SELECT max(at) FROM incident_event) AS last_event,
                  count(*) FILTER (WHERE i.occurred_at > i.reported_at) AS occurred_after_report
           FROM incident i"""
    )
    assert NOW - timedelta(days=730) <= row["first"] < NOW - timedelta(days=700)
    assert NOW - timedelta(days=30) < row["last"] < NOW
    assert row["last_event"] <= NOW
    assert row["occurred_after_report"] == 0


async def test_timelines_start_at_the_report_run_forward_and_end_at_the_last_update(loaded):
    conn, _ = loaded
    broken = await conn.fetchval(
        """SELECT count(*) FROM incident i
           JOIN LATERAL (
               SELECT min(e.at) AS first, max(e.at) AS last,
                      bool_and(e.at >= e.previous) FILTER (WHERE e.previous IS NOT NULL) AS ordered,
                      (array_agg(e.kind ORDER BY e.id))[1] AS first_kind
               FROM (SELECT at, id, kind, lag(at) OVER (ORDER BY id) AS previous
                     FROM incident_event WHERE incident = i.id) e
           ) tl ON true
           WHERE tl.first <> i.reported_at OR tl.last <> i.updated_at OR tl.first_kind <> 'reported'
              OR NOT coalesce(tl.ordered, true)"""
    )
    assert broken == 0
    statuses = dict(await conn.fetch("SELECT status, count(*) FROM incident GROUP BY status"))
    total = sum(statuses.values())
    assert (statuses["closed"] + statuses.get("resolved", 0)) / total > 0.9
    assert 0.01 < statuses["unfounded"] / total < 0.03
    assert statuses["duplicate"] > 0 and statuses["cancelled"] > 0
    assert await conn.fetchval("SELECT count(*) FROM incident_event WHERE NOT public") > 0
    assert await conn.fetchval(
        "SELECT count(*) FROM incident d LEFT JOIN incident p ON p.id = d.duplicate_of "
        "WHERE d.status = 'duplicate' AND (p.id IS NULL OR p.category <> d.category)"
    ) == 0


async def test_report_codes_are_numbered_by_the_tenant_sequence_so_live_reports_continue(loaded):
    conn, _ = loaded
    for city in CITIES:
        tenant_id = await conn.fetchval("SELECT id FROM tenant WHERE slug = $1", city.slug)
        codes = [r["code"] for r in await conn.fetch(
            "SELECT code FROM incident WHERE tenant = $1 ORDER BY reported_at, id", tenant_id)]
        assert all(re.fullmatch(rf"{city.code_prefix}-20\d\d-\d{{6}}", code) for code in codes)
        assert [int(code[-6:]) for code in codes] == list(range(1, len(codes) + 1))
        assert await conn.fetchval("SELECT sereno_next_report_number($1)", tenant_id) == len(codes) + 1


async def test_loading_again_with_if_empty_changes_nothing(loaded, demo_url):
    conn, _ = loaded
    before = await _counts(conn)
    pool = await asyncpg.create_pool(demo_url, min_size=1, max_size=2)
    try:
        again = await load_demo(db=pool, if_empty=True, now=NOW + timedelta(days=1))
        with pytest.raises(DemoAlreadyLoaded):
            await load_demo(db=pool, if_empty=False, now=NOW)
    finally:
        await pool.close()
    assert not again.loaded
    assert await _counts(conn) == before


async def test_each_role_has_an_account_per_city_whose_demo_password_verifies(loaded):
    conn, _ = loaded
    rows = await conn.fetch(
        "SELECT t.slug, a.username, a.role, a.password_hash "
        "FROM staff_account a JOIN tenant t ON t.id = a.tenant"
    )
    accounts = {(r["slug"], r["role"]): r for r in rows}
    assert set(accounts) == {(city.slug, role) for city in CITIES for role in DEMO_USERNAMES}
    for (slug, role), row in accounts.items():
        assert row["username"] == f"{DEMO_USERNAMES[role]}.{slug}"
    # The loader hashes once and shares the hash; argon2 is slow, so each distinct hash is verified once.
    for password_hash in {r["password_hash"] for r in rows}:
        assert verify_password(password_hash, DEMO_PASSWORD)
        assert not verify_password(password_hash, DEMO_PASSWORD + "x")
