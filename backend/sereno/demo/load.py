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
import math
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
import shapely

from sereno.accounts.service import hash_password
from sereno.demo.cities import CATEGORY_SHARES, CITIES, DemoCity
from sereno.tenants.seed import CATEGORIES, seed_categories

__all__ = [
    "DEMO_PASSWORD", "DEMO_USERNAMES", "CitySummary", "DemoAlreadyLoaded", "DemoSummary", "load_demo",
]

DEMO_PASSWORD = "sereno-demo-2026"
# Role → username stem; the account is ``<stem>.<slug>`` (``despacho.tru``).
DEMO_USERNAMES = {
    "officer": "agente",
    "dispatcher": "despacho",
    "supervisor": "supervisor",
    "analyst": "analista",
    "admin": "admin",
}
HISTORY = timedelta(days=730)
LIMA = ZoneInfo("America/Lima")
# Serialises concurrent loads (several API processes starting at once with if_empty=True).
_LOCK_KEY = 0x5E4E_0DE3_0001

# Reports per hour of the day (local time), relative: an evening peak, a trough before dawn.
_HOURS_DEFAULT = (
    3, 2, 1.5, 1, 1, 1, 1.5, 2.5, 3.5, 4, 4.5, 5, 5.5, 5.5, 5.5, 6, 6.5, 7.5, 8.5, 9, 9, 8.5, 7, 5,
)
_HOURS_NIGHT = (8, 7, 5, 3, 1.5, 1, .5, .5, .5, .5, .5, 1, 1, 1, 1, 1, 1.5, 2, 3, 4, 6, 8, 9, 9)
_HOURS_TRAFFIC = (1.5, 1, 1, .8, .8, 1.5, 3, 6, 7, 5, 4, 4, 5, 5, 4.5, 5, 6, 7.5, 8, 7, 5, 4, 3, 2)
# Monday..Sunday, relative.
_WEEKDAYS_DEFAULT = (0.9, 0.9, 0.95, 1.0, 1.2, 1.4, 1.15)
_WEEKDAYS_NIGHT = (0.6, 0.6, 0.7, 0.8, 1.5, 2.0, 1.2)
_PROFILE = {"noise_disturbance": "night", "accident": "traffic"}
_SOURCES = (("app", 0.60), ("phone", 0.20), ("operator", 0.10), ("field", 0.10))
# Cumulative: about 2 % unfounded, 1 % cancelled by the reporter, 1.5 % duplicates; the rest run their course.
_TERMINAL = ((0.02, "unfounded"), (0.03, "cancelled"), (0.045, "duplicate"))


class DemoAlreadyLoaded(Exception):
    """A demo tenant exists already (and ``if_empty`` was not asked for)."""


class CitySummary(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    tenant_id: int
    sectors: int
    categories: int
    accounts: int
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
        city.slug, city.name, city.code_prefix, f"SRID=4326;POLYGON(({ring}))", city.emergency_phone,
    )
    sectors = await conn.fetch(
        _INSERT_SECTORS,
        tenant_id,
        [s.code for s in city.sectors], [s.name for s in city.sectors],
        [s.lon for s in city.sectors], [s.lat for s in city.sectors],
    )
    await seed_categories(conn, tenant_id)
    category_ids = {r["code"]: r["id"] for r in await conn.fetch(
        "SELECT code, id FROM category WHERE tenant = $1", tenant_id)}
    staff = {r["role"]: r["id"] for r in await conn.fetch(
        _INSERT_STAFF, tenant_id,
        [f"{stem}.{city.slug}" for stem in DEMO_USERNAMES.values()],
        [f"{stem.capitalize()} demo {city.code_prefix}" for stem in DEMO_USERNAMES.values()],
        list(DEMO_USERNAMES), password_hash,
    )}

    drafts = _draft_incidents(city, now=now, rng=rng)
    drafts.sort(key=lambda d: d.reported_at)
    ids = sorted(r[0] for r in await conn.fetch(
        "SELECT nextval(pg_get_serial_sequence('incident', 'id')) FROM generate_series(1, $1)", len(drafts)))
    # Numbers come from the live sequence, so reports filed after the demo continue the numbering.
    numbers = sorted(r[0] for r in await conn.fetch(
        "SELECT sereno_next_report_number($1) FROM generate_series(1, $2)", tenant_id, len(drafts)))
    for draft, incident_id, number in zip(drafts, ids, numbers, strict=True):
        draft.id = incident_id
        draft.code = f"{city.code_prefix}-{draft.reported_at.astimezone(LIMA).year}-{number:06d}"

    incidents, events, contacts = [], [], []
    for draft in drafts:
        incident, timeline, contact = _history(draft, city=city, now=now, rng=rng, staff=staff)
        incidents.append((draft.id, draft.code, category_ids[draft.category], *incident))
        events.extend((tenant_id, draft.id, *event) for event in timeline)
        if contact is not None:
            contacts.append((tenant_id, draft.id, *contact))

    await conn.execute(_INSERT_INCIDENTS, tenant_id, *map(list, zip(*incidents, strict=True)))
    await conn.copy_records_to_table(
        "incident_event", records=events,
        columns=("tenant_id", "incident", "at", "actor_type", "actor_id", "kind", "data", "public"),
    )
    await conn.copy_records_to_table(
        "reporter_contact", records=contacts,
        columns=("tenant_id", "incident", "name", "phone", "email", "callback_wanted"),
    )
    return CitySummary(
        slug=city.slug, tenant_id=tenant_id, sectors=len(sectors), categories=len(category_ids),
        accounts=len(staff), incidents=len(incidents), events=len(events), contacts=len(contacts),
    )


def _draft_incidents(city: DemoCity, *, now: datetime, rng: random.Random) -> list[_Draft]:
    area = shapely.Polygon(city.service_area)
    shapely.prepare(area)
    codes = _allocate(CATEGORY_SHARES, city.incidents)
    rng.shuffle(codes)
    priority = {c.code: c.default_priority for c in CATEGORIES}
    times = _TimeSampler(now=now, rng=rng)
    place = _PlaceSampler(city, area, rng)
    source_names, source_weights = zip(*_SOURCES, strict=True)
    drafts = []
    for code in codes:
        roll = rng.random()
        terminal = next((name for limit, name in _TERMINAL if roll < limit), "")
        drafts.append(_Draft(
            category=code,
            priority=_priority(priority[code], code, rng),
            source=rng.choices(source_names, source_weights)[0],
            reported_at=times.sample(_PROFILE.get(code, "default")),
            lon_lat=place.sample(),
            terminal=terminal,
        ))
    # A duplicate is a second report of an incident already reported: same category, a few metres and
    # minutes later. Its category was drawn with the others, so shares stay as allocated.
    by_category: dict[str, list[_Draft]] = {}
    for draft in drafts:
        if not draft.terminal:
            by_category.setdefault(draft.category, []).append(draft)
    for draft in drafts:
        if draft.terminal == "duplicate":
            candidates = by_category.get(draft.category)
            if not candidates:
                draft.terminal = "cancelled"
                continue
            primary = rng.choice(candidates)
            draft.primary = primary
            draft.priority = primary.priority
            draft.reported_at = primary.reported_at + timedelta(minutes=rng.uniform(2, 25))
            draft.lon_lat = place.near(primary.lon_lat, metres=rng.uniform(5, 60))
    return drafts


def _allocate(shares: dict[str, float], total: int) -> list[str]:
    """Exactly ``total`` category codes in the given shares (largest remainder), unshuffled."""
    exact = {code: share * total / sum(shares.values()) for code, share in shares.items()}
    counts = {code: int(value) for code, value in exact.items()}
    by_remainder = sorted(exact, key=lambda code: exact[code] - counts[code], reverse=True)
    for code in by_remainder[: total - sum(counts.values())]:
        counts[code] += 1
    return [code for code, count in counts.items() for _ in range(count)]


def _priority(default: int, code: str, rng: random.Random) -> int:
    # Triage adjusts the default: a robbery reported after the fact is no longer "in progress".
    if code == "robbery_assault":
        return rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]
    if code == "other" and rng.random() < 0.3:
        return 4
    if code in {"fire", "medical_emergency", "domestic_violence", "sexual_offence"}:
        return default
    return min(4, default + 1) if rng.random() < 0.15 else default


class _TimeSampler:
    """Report times in local time: weighted weekday (and a mild season), weighted hour, uniform minute."""

    def __init__(self, *, now: datetime, rng: random.Random) -> None:
        # The last day is left out so that every sampled timeline has run its course before ``now``.
        self.start, self.end = now - HISTORY, now - timedelta(days=1)
        self.rng = rng
        first = self.start.astimezone(LIMA).date()
        last = self.end.astimezone(LIMA).date()
        self.days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        self.day_weights = {
            name: _cumulative([weekdays[d.weekday()] * _season(d) for d in self.days])
            for name, weekdays in (("default", _WEEKDAYS_DEFAULT), ("night", _WEEKDAYS_NIGHT))
        }
        self.hour_weights = {
            "default": _cumulative(_HOURS_DEFAULT),
            "night": _cumulative(_HOURS_NIGHT),
            "traffic": _cumulative(_HOURS_TRAFFIC),
        }

    def sample(self, profile: str) -> datetime:
        day_weights = self.day_weights.get(profile, self.day_weights["default"])
        while True:
            day = self.rng.choices(self.days, cum_weights=day_weights)[0]
            hour = self.rng.choices(range(24), cum_weights=self.hour_weights[profile])[0]
            local = datetime(day.year, day.month, day.day, hour, tzinfo=LIMA) + timedelta(
                seconds=self.rng.randrange(3600))
            if self.start <= local <= self.end:
                return local


def _season(day: date) -> float:
    # Summer and the December holidays are busier on the Peruvian coast.
    return 1.15 if day.month in (12, 1, 2) else 1.0


def _cumulative(weights: list[float] | tuple[float, ...]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


class _PlaceSampler:
    """Points inside the service area (rejection-sampled): Gaussian around a hotspot, or uniform."""

    def __init__(self, city: DemoCity, area: shapely.Polygon, rng: random.Random) -> None:
        self.area, self.rng = area, rng
        self.bounds = area.bounds
        self.hotspots = list(city.hotspots)
        weights = [h.weight for h in city.hotspots]
        scale = (1 - city.background_share) / sum(weights)
        self.weights = _cumulative([w * scale for w in weights] + [city.background_share])

    def sample(self) -> tuple[float, float]:
        pick = self.rng.choices(range(len(self.hotspots) + 1), cum_weights=self.weights)[0]
        if pick < len(self.hotspots):
            spot = self.hotspots[pick]
            for _ in range(50):
                east, north = self.rng.gauss(0, spot.sigma_m), self.rng.gauss(0, spot.sigma_m)
                point = _offset((spot.lon, spot.lat), east, north)
                if self._inside(point):
                    return point
        while True:
            min_lon, min_lat, max_lon, max_lat = self.bounds
            point = (round(self.rng.uniform(min_lon, max_lon), 6), round(self.rng.uniform(min_lat, max_lat), 6))
            if self._inside(point):
                return point

    def near(self, origin: tuple[float, float], *, metres: float) -> tuple[float, float]:
        angle = self.rng.uniform(0, 2 * math.pi)
        point = _offset(origin, metres * math.cos(angle), metres * math.sin(angle))
        return point if self._inside(point) else origin

    def _inside(self, point: tuple[float, float]) -> bool:
        return bool(shapely.contains_xy(self.area, *point))


def _offset(origin: tuple[float, float], east_m: float, north_m: float) -> tuple[float, float]:
    lon, lat = origin
    return (
        round(lon + east_m / (111_320 * math.cos(math.radians(lat))), 6),
        round(lat + north_m / 110_574, 6),
    )


@dataclass(slots=True)
class _Draft:
    """An incident before it has an id: what was reported, where, when, and how it ended if not normally."""

    category: str
    priority: int
    source: str
    reported_at: datetime
    lon_lat: tuple[float, float]
    # "" for the normal course (resolved, then closed); otherwise unfounded, cancelled or duplicate.
    terminal: str
    primary: _Draft | None = None
    id: int = 0
    code: str = ""


# Outcome mix of attended incidents, by category; the default covers the rest.
_OUTCOMES: dict[str, tuple[tuple[str, float], ...]] = {
    "default": (("attended", 0.55), ("no_action_needed", 0.25), ("referred", 0.12), ("arrest", 0.08)),
    "robbery_assault": (("attended", 0.45), ("referred", 0.25), ("arrest", 0.15), ("no_action_needed", 0.15)),
    "drug_activity": (("referred", 0.35), ("arrest", 0.25), ("attended", 0.2), ("no_action_needed", 0.2)),
    "suspicious_activity": (
        ("no_action_needed", 0.45), ("attended", 0.4), ("referred", 0.1), ("arrest", 0.05),
    ),
    "noise_disturbance": (("attended", 0.7), ("no_action_needed", 0.3)),
    "accident": (("attended", 0.5), ("referred", 0.5)),
    "medical_emergency": (("attended", 0.5), ("referred", 0.5)),
    "fire": (("attended", 0.6), ("referred", 0.4)),
    "domestic_violence": (("referred", 0.7), ("arrest", 0.15), ("attended", 0.15)),
    "sexual_offence": (("referred", 0.75), ("arrest", 0.15), ("attended", 0.1)),
    "minors_at_risk": (("referred", 0.8), ("attended", 0.2)),
}
# What a citizen might type; sensitive categories get a neutral line (the real text is never public anyway).
_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "robbery_assault": ("Arrebato de celular a transeúnte", "Asalto a mano armada en la vía pública",
                        "Robo en tienda, los sujetos huyeron en moto"),
    "suspicious_activity": ("Sujetos merodeando vehículos estacionados",
                            "Persona observando casas desde hace rato",
                            "Moto sin placa dando vueltas por la cuadra"),
    "noise_disturbance": ("Fiesta con música a alto volumen", "Gresca entre vecinos en la calle",
                          "Local nocturno con ruido fuera de horario"),
    "accident": ("Choque entre auto y mototaxi", "Atropello a peatón en el cruce",
                 "Choque múltiple en la avenida"),
    "fire": ("Humo saliendo de una vivienda", "Quema de basura en la berma"),
    "medical_emergency": ("Persona desvanecida en la vereda", "Adulto mayor caído, necesita ayuda"),
    "vandalism": ("Pintas en la fachada del colegio", "Rompieron las lunas de un auto"),
    "drug_activity": ("Venta de droga en el parque", "Consumo de drogas en la esquina"),
    "other": ("Perro suelto agresivo", "Poste de alumbrado caído", "Vehículo abandonado hace días"),
}
_SENSITIVE_DESCRIPTION = "Reporte reservado"
_NOTES = (
    "Se conversó con los involucrados", "Se patrulló la zona, sin novedad", "Se coordinó con la comisaría",
)
_FIRST_NAMES = ("Rosa", "Luis", "Carmen", "Jorge", "Ana", "Miguel", "Lucía", "Pedro", "Elena", "Raúl")
_SURNAMES = ("Quispe", "Flores", "Rojas", "Torres", "Díaz", "Mendoza", "Castillo", "Vargas", "Ramos",
             "Chávez")
_CONTACT_SHARE = {"app": 0.2, "phone": 0.7, "operator": 0.3, "field": 0.0}
# Median minutes at each step, by priority.
_TRIAGE_MIN = {2: 2.5, 3: 6.0, 4: 12.0}
_DISPATCH_MIN = {1: 0.5, 2: 2.5, 3: 8.0}
_TRAVEL_MIN = {1: 7.0, 2: 11.0, 3: 16.0}
_ON_SCENE_MIN = {"medical_emergency": 45.0, "fire": 60.0, "accident": 40.0, "noise_disturbance": 15.0}

_Row = tuple  # a positional row, in the column order of the statement that writes it


def _history(
    draft: _Draft, *, city: DemoCity, now: datetime, rng: random.Random, staff: dict[str, int]
) -> tuple[_Row, list[_Row], _Row | None]:
    """The incident's columns after ``id, code, category``; its timeline rows; its contact row or None."""
    citizen, system = ("citizen", None), ("system", None)
    dispatcher, officer, supervisor = (("staff", staff[r]) for r in ("dispatcher", "officer", "supervisor"))
    reporter = {"app": citizen, "field": officer}.get(draft.source, dispatcher)
    events: list[_Row] = []
    at = draft.reported_at
    state = {"status": "new", "outcome": None, "resolved_at": None, "version": 0}

    def minutes(median: float, lo: float, hi: float, spread: float = 0.6) -> timedelta:
        return timedelta(minutes=min(hi, max(lo, median * math.exp(rng.gauss(0, spread)))))

    def add(kind: str, actor: tuple[str, int | None], status: str | None = None, public: bool = True, **data):
        if status:
            state["status"], state["version"] = status, state["version"] + 1
            data = {"status": status, **data}
        events.append((at, actor[0], actor[1], kind, msgspec.json.encode(data).decode(), public))

    add("reported", reporter, "new", source=draft.source)
    p = draft.priority
    if draft.terminal == "cancelled":
        at += minutes(6, 1, 40)
        add("cancelled", reporter, "cancelled")
    elif draft.terminal == "duplicate":
        at += minutes(3, 0.5, 20)
        add("duplicate", dispatcher, "duplicate", duplicate_of=draft.primary.id)
    else:
        auto = p == 1  # P1 is triaged and dispatched by the system (auto-dispatch)
        at += minutes(0.3, 0.05, 1) if auto else minutes(_TRIAGE_MIN[p], 0.5, 60)
        add("triaged", system if auto else dispatcher, "triaged", priority=p)
        if draft.terminal == "unfounded":
            at += minutes(5, 1, 60)
            add("unfounded", dispatcher, "unfounded")
        else:
            outcomes = _OUTCOMES.get(draft.category, _OUTCOMES["default"])
            outcome = rng.choices([o for o, _ in outcomes], [w for _, w in outcomes])[0]
            if p <= 3:
                at += minutes(_DISPATCH_MIN[p], 0.1, 45)
                units = 1 if rng.random() < 0.8 else 2
                add("dispatched", system if auto else dispatcher, "dispatched", units=units)
                at += minutes(1.5, 0.2, 10)
                add("en_route", officer, "en_route")
                at += minutes(_TRAVEL_MIN[p] * city.travel_factor, 2, 90)
                add("on_scene", officer, "on_scene")
                at += minutes(_ON_SCENE_MIN.get(draft.category, 25), 5, 240)
                resolver = officer
            else:  # information only: a call back, no unit
                at += minutes(180, 15, 20 * 60, 0.8)
                resolver = dispatcher
            if rng.random() < 0.3:
                add("note", resolver, public=False, text=rng.choice(_NOTES))
            add("resolved", resolver, "resolved", outcome=outcome)
            state["outcome"], state["resolved_at"] = outcome, at
            closed = at + minutes(8 * 60, 30, 48 * 60, 0.8)
            # The supervisor's review of the last week is not always done yet: those stay resolved.
            pending = now - at < timedelta(days=7) and rng.random() < 0.6
            if closed <= now and not pending:
                at = closed
                add("closed", supervisor, "closed")

    occurred = draft.reported_at - timedelta(minutes=rng.uniform(0, 90 if p >= 2 else 10))
    descriptions = _DESCRIPTIONS.get(draft.category)
    has_contact = rng.random() < _CONTACT_SHARE[draft.source]
    # GPS for the app and the field, a geocoded address for calls.
    accuracy = {"app": rng.uniform(4, 35), "field": rng.uniform(4, 12)}.get(
        draft.source, rng.uniform(40, 150))
    incident = (
        p, state["status"], draft.source, *draft.lon_lat, round(accuracy, 1),
        rng.choice(descriptions) if descriptions else _SENSITIVE_DESCRIPTION,
        not has_contact, occurred, draft.reported_at, at, state["resolved_at"], state["outcome"],
        draft.primary.id if draft.primary else None, state["version"],
    )
    contact = None
    if has_contact:
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_SURNAMES)
        # Clearly fictional: "(demo)" in the name, an unassigned +51 000 range, the reserved example.org.
        contact = (
            f"{first} {last} (demo)",
            f"+51 000 {rng.randrange(1000):03d} {rng.randrange(1000):03d}",
            f"vecino.{draft.id}@example.org" if rng.random() < 0.4 else "",
            rng.random() < 0.3,
        )
    return incident, events, contact


# Sectors are the Voronoi cells of their seed points, clipped to the service area: they tile it exactly.
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
