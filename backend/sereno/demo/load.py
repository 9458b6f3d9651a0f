"""Load the demo: two municipalities with sectors, categories, staff accounts and two years of incidents.

Incidents are synthetic but shaped like real intake: more in the evening and at weekends, clustered around
a few hotspots per city, mostly closed with an outcome, each with a timeline the console and the citizen app
can show. Everything is written with set-based statements (``unnest`` and ``COPY``), one transaction per
city, so a full load takes a second or two.

The spatial SQL lives here rather than in ``core/geo.py`` because only the demo builds sectors from seed
points; live code never does.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg
import msgspec

from sereno.accounts.service import hash_password
from sereno.demo._history import LIMA, draft_incidents, history
from sereno.demo.cities import CITIES, DemoCity
from sereno.demo._operations import record_operations
from sereno.demo._participation import load_participation
from sereno.demo.units import load_units
from sereno.tenants.seed import seed_categories

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERNAMES",
    "CitySummary",
    "DemoAlreadyLoaded",
    "DemoSummary",
    "load_demo",
]

DEMO_PASSWORD = "sereno-demo-2026"
# Role → username stem; the account is ``<stem>.<slug>`` (``despacho.tru``).
DEMO_USERNAMES = {
    "officer": "agente",
    "dispatcher": "despacho",
    "supervisor": "supervisor",
    "analyst": "analista",
    "admin": "admin",
    "clerk": "atencion",
}
# Serialises concurrent loads (several API processes starting at once with if_empty=True).
_LOCK_KEY = 0x5E4E_0DE3_0001


class DemoAlreadyLoaded(Exception):
    """A demo tenant exists already (and ``if_empty`` was not asked for)."""


class CitySummary(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    tenant_id: int
    sectors: int
    categories: int
    accounts: int
    units: int = 0
    incidents: int
    events: int
    contacts: int


class DemoSummary(msgspec.Struct, frozen=True, kw_only=True):
    # False when ``if_empty`` found the demo already there and nothing was written.
    loaded: bool
    cities: tuple[CitySummary, ...] = ()
    seconds: float = 0.0


async def load_demo(
    *, db: asyncpg.Pool | asyncpg.Connection, if_empty: bool, now: datetime, seed: int = 7
) -> DemoSummary:
    """Write the demo tenants and their history (two years before ``now``) into a migrated database.

    ``db`` is a pool (one connection is taken from it) or a connection (not inside a transaction: each city
    is committed on its own). With ``if_empty`` nothing happens when the tenant ``tru`` exists; without it an
    existing demo tenant raises :class:`DemoAlreadyLoaded`. The same ``seed`` and ``now`` give the same data.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    started = time.perf_counter()
    async with _connection(db) as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            slugs = [city.slug for city in CITIES]
            rows = await conn.fetch("SELECT slug FROM tenant WHERE slug = ANY($1)", slugs)
            existing = {r["slug"] for r in rows}
            if if_empty and CITIES[0].slug in existing:
                return DemoSummary(loaded=False)
            if existing:
                raise DemoAlreadyLoaded(f"demo tenant(s) already loaded: {', '.join(sorted(existing))}")
            # argon2 is slow on purpose: hash once, off the event loop, and share the hash.
            password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD)
            summaries = []
            for index, city in enumerate(CITIES):
                rng = random.Random(seed * 1000 + index)
                async with conn.transaction():
                    summary = await _load_city(conn, city, now=now, rng=rng, password_hash=password_hash)
                summaries.append(summary)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return DemoSummary(loaded=True, cities=tuple(summaries), seconds=round(time.perf_counter() - started, 3))


@contextlib.asynccontextmanager
async def _connection(db: asyncpg.Pool | asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            yield conn
    else:
        yield db


async def _load_city(
    conn: asyncpg.Connection, city: DemoCity, *, now: datetime, rng: random.Random, password_hash: str
) -> CitySummary:
    ring = ", ".join(f"{lon!r} {lat!r}" for lon, lat in (*city.service_area, city.service_area[0]))
    tenant_id = await conn.fetchval(
        """INSERT INTO tenant (slug, name, code_prefix, service_area, default_language, time_zone,
                              emergency_phone)
           VALUES ($1, $2, $3, ST_Multi(ST_GeomFromEWKT($4)), 'es', 'America/Lima', $5) RETURNING id""",
        city.slug,
        city.name,
        city.code_prefix,
        f"SRID=4326;POLYGON(({ring}))",
        city.emergency_phone,
    )
    sectors = await conn.fetch(
        _INSERT_SECTORS,
        tenant_id,
        [s.code for s in city.sectors],
        [s.name for s in city.sectors],
        [s.lon for s in city.sectors],
        [s.lat for s in city.sectors],
    )
    await seed_categories(conn, tenant_id)
    category_ids = {
        r["code"]: r["id"]
        for r in await conn.fetch("SELECT code, id FROM category WHERE tenant = $1", tenant_id)
    }
    staff = {
        r["role"]: r["id"]
        for r in await conn.fetch(
            _INSERT_STAFF,
            tenant_id,
            [f"{stem}.{city.slug}" for stem in DEMO_USERNAMES.values()],
            [f"{stem.capitalize()} demo {city.code_prefix}" for stem in DEMO_USERNAMES.values()],
            list(DEMO_USERNAMES),
            password_hash,
        )
    }

    units = await load_units(
        conn, tenant_id=tenant_id, city=city, now=now, rng=rng, officer_id=staff["officer"]
    )

    drafts = draft_incidents(city, now=now, rng=rng)
    drafts.sort(key=lambda d: d.reported_at)
    ids = sorted(
        r[0]
        for r in await conn.fetch(
            "SELECT nextval(pg_get_serial_sequence('incident', 'id')) FROM generate_series(1, $1)",
            len(drafts),
        )
    )
    # Numbers come from the live sequence, so reports filed after the demo continue the numbering.
    numbers = sorted(
        r[0]
        for r in await conn.fetch(
            "SELECT sereno_next_report_number($1) FROM generate_series(1, $2)", tenant_id, len(drafts)
        )
    )
    for draft, incident_id, number in zip(drafts, ids, numbers, strict=True):
        draft.id = incident_id
        draft.code = f"{city.code_prefix}-{draft.reported_at.astimezone(LIMA).year}-{number:06d}"

    incidents, events, contacts = [], [], []
    for draft in drafts:
        incident, timeline, contact = history(draft, city=city, now=now, rng=rng, staff=staff)
        incidents.append((draft.id, draft.code, category_ids[draft.category], *incident))
        events.extend((tenant_id, draft.id, *event) for event in timeline)
        if contact is not None:
            contacts.append((tenant_id, draft.id, *contact))

    await conn.execute(_INSERT_INCIDENTS, tenant_id, *map(list, zip(*incidents, strict=True)))
    await conn.copy_records_to_table(
        "incident_event",
        records=events,
        columns=("tenant_id", "incident", "at", "actor_type", "actor_id", "kind", "data", "public"),
    )
    await conn.copy_records_to_table(
        "reporter_contact",
        records=contacts,
        columns=("tenant_id", "incident", "name", "phone", "email", "callback_wanted"),
    )
    await record_operations(conn, tenant_id=tenant_id, now=now)
    await load_participation(conn, tenant_id=tenant_id, city=city, now=now, rng=rng, clerk_id=staff["clerk"])
    return CitySummary(
        slug=city.slug,
        tenant_id=tenant_id,
        sectors=len(sectors),
        categories=len(category_ids),
        accounts=len(staff),
        units=units,
        incidents=len(incidents),
        events=len(events),
        contacts=len(contacts),
    )


_INSERT_SECTORS = """
WITH seed AS (
    SELECT s.code, s.name, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS point
    FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[]) AS s(code, name, lon, lat)
), area AS (
    SELECT service_area AS geom FROM tenant WHERE id = $1
), cell AS (
    SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(seed.point), 0.0, area.geom))).geom AS geom
    FROM seed, area GROUP BY area.geom
)
INSERT INTO sector (tenant, code, name, area)
SELECT $1, seed.code, seed.name,
       ST_Multi(ST_CollectionExtract(ST_Intersection(ST_SetSRID(cell.geom, 4326), area.geom), 3))
FROM seed JOIN cell ON ST_Contains(cell.geom, seed.point) CROSS JOIN area
RETURNING id
"""

_INSERT_STAFF = """
INSERT INTO staff_account (tenant, username, full_name, role, agency, password_hash)
SELECT $1, a.username, a.full_name, a.role, 'serenazgo', $5
FROM unnest($2::text[], $3::text[], $4::text[]) AS a(username, full_name, role)
RETURNING id, role
"""

# Each incident's sector is found by containment here, in the same statement that inserts it.
_INSERT_INCIDENTS = """
INSERT INTO incident (id, tenant, code, category, priority, status, source, location, accuracy_m, sector,
                      description, anonymous, tracking_token_hash, occurred_at, reported_at, updated_at,
                      resolved_at, outcome, duplicate_of, version)
SELECT r.id, $1, r.code, r.category, r.priority, r.status, r.source, p.point::geography, r.accuracy_m,
       (SELECT s.id FROM sector s WHERE s.tenant = $1 AND ST_Covers(s.area, p.point) ORDER BY s.id LIMIT 1),
       r.description, r.anonymous, NULL, r.occurred_at, r.reported_at, r.updated_at,
       r.resolved_at, r.outcome, r.duplicate_of, r.version
FROM unnest($2::int8[], $3::text[], $4::int4[], $5::int2[], $6::text[], $7::text[], $8::float8[],
            $9::float8[], $10::float4[], $11::text[], $12::bool[], $13::timestamptz[], $14::timestamptz[],
            $15::timestamptz[], $16::timestamptz[], $17::text[], $18::int8[], $19::int4[])
    AS r(id, code, category, priority, status, source, lon, lat, accuracy_m, description, anonymous,
         occurred_at, reported_at, updated_at, resolved_at, outcome, duplicate_of, version)
CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS point) AS p
"""
