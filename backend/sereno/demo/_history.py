"""Synthetic incident histories for the demo: when, where, which category, and each case's timeline.

Shaped like real intake: more in the evening and at weekends, clustered around a few hotspots per city,
mostly closed with an outcome. Pure Python and deterministic for a given seed; :mod:`sereno.demo.load`
writes the result with set-based statements.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import msgspec
import shapely

from sereno.demo._samplers import HISTORY, LIMA, PROFILE, PlaceSampler, TimeSampler
from sereno.demo.cities import CATEGORY_SHARES, DemoCity
from sereno.tenants.seed import CATEGORIES

__all__ = ["Draft", "draft_incidents", "history", "HISTORY", "LIMA"]


# Reports per hour of the day (local time), relative: an evening peak, a trough before dawn.
_SOURCES = (("app", 0.60), ("phone", 0.20), ("operator", 0.10), ("field", 0.10))
# Cumulative: about 2 % unfounded, 1 % cancelled by the reporter, 1.5 % duplicates; the rest run their course.
_TERMINAL = ((0.02, "unfounded"), (0.03, "cancelled"), (0.045, "duplicate"))


def draft_incidents(city: DemoCity, *, now: datetime, rng: random.Random) -> list[Draft]:
    area = shapely.Polygon(city.service_area)
    shapely.prepare(area)
    codes = _allocate(CATEGORY_SHARES, city.incidents)
    rng.shuffle(codes)
    priority = {c.code: c.default_priority for c in CATEGORIES}
    times = TimeSampler(now=now, rng=rng)
    place = PlaceSampler(city, area, rng)
    source_names, source_weights = zip(*_SOURCES, strict=True)
    drafts = []
    for code in codes:
        roll = rng.random()
        terminal = next((name for limit, name in _TERMINAL if roll < limit), "")
        drafts.append(
            Draft(
                category=code,
                priority=_priority(priority[code], code, rng),
                source=rng.choices(source_names, source_weights)[0],
                reported_at=times.sample(PROFILE.get(code, "default")),
                lon_lat=place.sample(),
                terminal=terminal,
            )
        )
    # A duplicate is a second report of an incident already reported: same category, a few metres and
    # minutes later. Its category was drawn with the others, so shares stay as allocated.
    by_category: dict[str, list[Draft]] = {}
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


@dataclass(slots=True)
class Draft:
    """An incident before it has an id: what was reported, where, when, and how it ended if not normally."""

    category: str
    priority: int
    source: str
    reported_at: datetime
    lon_lat: tuple[float, float]
    # "" for the normal course (resolved, then closed); otherwise unfounded, cancelled or duplicate.
    terminal: str
    primary: Draft | None = None
    id: int = 0
    code: str = ""


# Outcome mix of attended incidents, by category; the default covers the rest.
# The field app's vocabulary (incidents.lifecycle.OUTCOMES); about 2% unfounded, as the seed's city reports.
_OUTCOMES: dict[str, tuple[tuple[str, float], ...]] = {
    "default": (
        ("resolved_on_scene", 0.66),
        ("referred_other", 0.12),
        ("arrest", 0.08),
        ("no_one_found", 0.12),
        ("unfounded", 0.02),
    ),
    "robbery_assault": (
        ("resolved_on_scene", 0.45),
        ("referred_police", 0.25),
        ("arrest", 0.15),
        ("no_one_found", 0.13),
        ("unfounded", 0.02),
    ),
    "drug_activity": (
        ("referred_police", 0.35),
        ("arrest", 0.25),
        ("resolved_on_scene", 0.2),
        ("no_one_found", 0.17),
        ("unfounded", 0.03),
    ),
    "suspicious_activity": (
        ("resolved_on_scene", 0.6),
        ("no_one_found", 0.25),
        ("referred_police", 0.1),
        ("arrest", 0.02),
        ("unfounded", 0.03),
    ),
    "noise_disturbance": (("resolved_on_scene", 0.85), ("no_one_found", 0.13), ("unfounded", 0.02)),
    "accident": (("resolved_on_scene", 0.5), ("referred_other", 0.48), ("unfounded", 0.02)),
    "medical_emergency": (("resolved_on_scene", 0.5), ("referred_other", 0.49), ("unfounded", 0.01)),
    "fire": (("resolved_on_scene", 0.6), ("referred_other", 0.39), ("unfounded", 0.01)),
    "domestic_violence": (("referred_police", 0.7), ("arrest", 0.15), ("resolved_on_scene", 0.15)),
    "sexual_offence": (("referred_police", 0.75), ("arrest", 0.15), ("resolved_on_scene", 0.1)),
    "minors_at_risk": (("referred_other", 0.8), ("resolved_on_scene", 0.2)),
}
# What a citizen might type; sensitive categories get a neutral line (the real text is never public anyway).
_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "robbery_assault": (
        "Arrebato de celular a transeúnte",
        "Asalto a mano armada en la vía pública",
        "Robo en tienda, los sujetos huyeron en moto",
    ),
    "suspicious_activity": (
        "Sujetos merodeando vehículos estacionados",
        "Persona observando casas desde hace rato",
        "Moto sin placa dando vueltas por la cuadra",
    ),
    "noise_disturbance": (
        "Fiesta con música a alto volumen",
        "Gresca entre vecinos en la calle",
        "Local nocturno con ruido fuera de horario",
    ),
    "accident": (
        "Choque entre auto y mototaxi",
        "Atropello a peatón en el cruce",
        "Choque múltiple en la avenida",
    ),
    "fire": ("Humo saliendo de una vivienda", "Quema de basura en la berma"),
    "medical_emergency": ("Persona desvanecida en la vereda", "Adulto mayor caído, necesita ayuda"),
    "vandalism": ("Pintas en la fachada del colegio", "Rompieron las lunas de un auto"),
    "drug_activity": ("Venta de droga en el parque", "Consumo de drogas en la esquina"),
    "other": ("Perro suelto agresivo", "Poste de alumbrado caído", "Vehículo abandonado hace días"),
}
_SENSITIVE_DESCRIPTION = "Reporte reservado"
_NOTES = (
    "Se conversó con los involucrados",
    "Se patrulló la zona, sin novedad",
    "Se coordinó con la comisaría",
)
_FIRST_NAMES = ("Rosa", "Luis", "Carmen", "Jorge", "Ana", "Miguel", "Lucía", "Pedro", "Elena", "Raúl")
_SURNAMES = (
    "Quispe",
    "Flores",
    "Rojas",
    "Torres",
    "Díaz",
    "Mendoza",
    "Castillo",
    "Vargas",
    "Ramos",
    "Chávez",
)
_CONTACT_SHARE = {"app": 0.2, "phone": 0.7, "operator": 0.3, "field": 0.0}
# Median minutes at each step, by priority.
_TRIAGE_MIN = {2: 2.5, 3: 6.0, 4: 12.0}
_DISPATCH_MIN = {1: 0.5, 2: 2.5, 3: 8.0}
_TRAVEL_MIN = {1: 7.0, 2: 11.0, 3: 16.0}
_ON_SCENE_MIN = {"medical_emergency": 45.0, "fire": 60.0, "accident": 40.0, "noise_disturbance": 15.0}

_Row = tuple  # a positional row, in the column order of the statement that writes it


def history(
    draft: Draft, *, city: DemoCity, now: datetime, rng: random.Random, staff: dict[str, int]
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
        draft.source, rng.uniform(40, 150)
    )
    incident = (
        p,
        state["status"],
        draft.source,
        *draft.lon_lat,
        round(accuracy, 1),
        rng.choice(descriptions) if descriptions else _SENSITIVE_DESCRIPTION,
        not has_contact,
        occurred,
        draft.reported_at,
        at,
        state["resolved_at"],
        state["outcome"],
        draft.primary.id if draft.primary else None,
        state["version"],
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
