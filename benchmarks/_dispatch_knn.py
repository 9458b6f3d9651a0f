"""Phase (1) of benchmarks/dispatch.py: a city full of units, and the nearest-available-unit query against it.

The units are one bulk INSERT (unnest) with a mix of agencies, statuses and position ages like a busy shift's;
the query is ``sereno.dispatch.queries.NEAREST_AVAILABLE`` with the parameters ``dispatch.nearest.nearest_units`` gives it.
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from datetime import UTC, datetime, timedelta

import asyncpg
from _common import percentile, summary
from sereno.core.geo import point_ewkt
from sereno.dispatch.policy import policy_for
from sereno.dispatch.queries import NEAREST_AVAILABLE
from sereno.settings import DispatchSettings

from tests.support.builders import EAST, NORTH, SOUTH, TEST_CITY, WEST

__all__ = ["KEEP_CLEAR_M", "create_units", "measure_nearest", "metres_between"]

# The officer unit of phase (2) stands alone: no bulk unit within this distance of its spot.
KEEP_CLEAR_M = 150.0

_AGENCIES = {"serenazgo": 0.45, "police": 0.35, "medical": 0.12, "fire": 0.08}
_KINDS = {"serenazgo": ("car", "motorcycle", "foot", "bicycle"), "police": ("car", "motorcycle"),
          "medical": ("ambulance",), "fire": ("engine",)}
# Units on duty: about half free, the rest busy or briefly out of service.
_STATUSES = {"available": 0.55, "assigned": 0.08, "en_route": 0.10, "on_scene": 0.20, "out_of_service": 0.07}
_EMERGENCY = 0.003
# Position ages: most phones report every 15-30 s; some are stale (> stale_position_s, still recommended
# after the fresh ones); a few are silent (> silent_unit_s, never recommended).
_AGES = ((0.93, 0, 30), (0.05, 200, 1500), (0.02, 2000, 7200))
# Categories of incoming incidents (which decide the agencies searched for).
_CATEGORIES = {"robbery_assault": 0.35, "suspicious_activity": 0.20, "medical_emergency": 0.15,
               "accident": 0.15, "domestic_violence": 0.10, "fire": 0.05}

_INSERT = """
INSERT INTO unit (tenant, call_sign, agency, kind, status, emergency, location, position_accuracy_m,
                  position_device_at, position_received_at, on_duty_since, version)
SELECT $1, u.call_sign, u.agency, u.kind, u.status, u.emergency, ST_GeogFromText(u.wkt), u.accuracy,
       u.received_at, u.received_at, $2, 1
FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::text[], $9::real[],
            $10::timestamptz[])
    AS u(call_sign, agency, kind, status, emergency, wkt, accuracy, received_at)
"""


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance: plenty at city scale."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000 * math.hypot(x, math.radians(lat2 - lat1))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _point(rng: random.Random) -> tuple[float, float]:
    return WEST + rng.random() * (EAST - WEST), SOUTH + rng.random() * (NORTH - SOUTH)


async def create_units(conn: asyncpg.Connection, tenant_id: int, *, count: int,
                       keep_clear: tuple[float, float], rng: random.Random) -> dict:
    """``count`` units on duty spread over the test city; (lon, lat) ``keep_clear`` gets none nearby."""
    now = datetime.now(UTC)
    rows: list[tuple] = []
    while len(rows) < count:
        lon, lat = _point(rng)
        if metres_between(lon, lat, *keep_clear) < KEEP_CLEAR_M:
            continue
        agency = _pick(rng, _AGENCIES)
        _, low, high = rng.choices(_AGES, weights=[a[0] for a in _AGES])[0]
        rows.append((f"B{len(rows):05d}", agency, rng.choice(_KINDS[agency]), _pick(rng, _STATUSES),
                     rng.random() < _EMERGENCY, point_ewkt(round(lon, 6), round(lat, 6)),
                     round(rng.uniform(4, 30), 1), now - timedelta(seconds=rng.uniform(low, high))))
    started = time.perf_counter()
    columns = (list(col) for col in zip(*rows, strict=True))
    await conn.execute(_INSERT, tenant_id, now - timedelta(hours=3), *columns)
    await conn.execute("ANALYZE unit")
    seconds = time.perf_counter() - started
    mix = await conn.fetch("SELECT agency, status, count(*) AS n FROM unit WHERE tenant = $1 GROUP BY 1, 2",
                           tenant_id)
    return {"units": count, "insert_and_analyze_s": round(seconds, 2),
            "mix": {f"{r['agency']}/{r['status']}": r["n"] for r in mix}}


def _params(rng: random.Random, settings: DispatchSettings, tenant_id: int, limit: int) -> dict:
    lon, lat = _point(rng)
    now = datetime.now(UTC)
    category = _pick(rng, _CATEGORIES)
    return {"tenant_id": tenant_id, "lon": lon, "lat": lat,
            "stale_before": now - timedelta(seconds=settings.stale_position_s),
            "silent_before": now - timedelta(seconds=settings.silent_unit_s),
            "agencies": list(policy_for(TEST_CITY["slug"]).agencies_for(category)), "exclude": [],
            "limit": limit}


async def _timed(conn: asyncpg.Connection, params: list[dict]) -> tuple[list[float], list[float], int]:
    """Latencies of the query and, interleaved so that both see the same load on the machine, of a
    ``SELECT 1`` on the same connection (the round trip alone); and how many queries found no unit."""
    latencies, control, empty = [], [], 0
    for p in params:
        t = time.perf_counter()
        rows = await NEAREST_AVAILABLE.fetch(conn, **p)
        latencies.append((time.perf_counter() - t) * 1000)
        empty += not rows
        t = time.perf_counter()
        await conn.fetchval("SELECT 1")
        control.append((time.perf_counter() - t) * 1000)
    return latencies, control, empty


async def _explain(conn: asyncpg.Connection, params: dict, *, generic: bool = False) -> dict:
    """One EXPLAIN (ANALYZE, BUFFERS): its text, index lines, planning and execution time."""
    if generic:  # what a pooled connection runs once PostgreSQL prefers the prepared statement's generic plan
        await conn.execute("SET plan_cache_mode = force_generic_plan")
    try:
        lines = [r[0] for r in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + NEAREST_AVAILABLE.sql,
                                                *NEAREST_AVAILABLE.args(params))]
    finally:
        if generic:
            await conn.execute("RESET plan_cache_mode")
    times = {m[1].lower(): float(m[2]) for line in lines
             if (m := re.match(r"\s*(Planning|Execution) Time: ([\d.]+)", line))}
    return {"plan": lines, "index_lines": [ln.strip() for ln in lines if "Index" in ln and "Scan" in ln],
            "planning_ms": times.get("planning"), "execution_ms": times.get("execution")}


async def _server_times(conn: asyncpg.Connection, params: list[dict]) -> list[float]:
    out = []
    for p in params:
        sql = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + NEAREST_AVAILABLE.sql
        plan = json.loads(await conn.fetchval(sql, *NEAREST_AVAILABLE.args(p)))
        out.append(plan[0]["Execution Time"])
    return out


# The reference: the same rows ordered by computed distance instead of the KNN operator (so in no index
# order). Geography ``<->`` is the distance on the sphere; ST_Distance (distance_m) is on the spheroid, which
# differs by up to ~0.3 %, enough to swap two units at almost the same distance. Compare the order with the
# sphere, and the nearest unit with the spheroid.
_TARGET = re.search(r"ORDER BY unit\.location <-> (.*?)\s*\n", NEAREST_AVAILABLE.sql, flags=re.DOTALL)
assert _TARGET is not None, "NEAREST_AVAILABLE changed shape: update the brute-force reference"
_BRUTE = NEAREST_AVAILABLE.sql.replace(
    _TARGET[0], f"ORDER BY ST_Distance(unit.location, {_TARGET[1]}, false), unit.id\n")
_BRUTE_SPHEROID = NEAREST_AVAILABLE.sql.replace(_TARGET[0], "ORDER BY distance_m, unit.id\n")


async def _agrees_with_brute_force(conn: asyncpg.Connection, params: list[dict]) -> dict:
    same_order = same_nearest = 0
    for p in params:
        knn = [r["id"] for r in await NEAREST_AVAILABLE.fetch(conn, **p)]
        sphere = [r["id"] for r in await conn.fetch(_BRUTE, *NEAREST_AVAILABLE.args(p))]
        spheroid = [r["id"] for r in await conn.fetch(_BRUTE_SPHEROID, *NEAREST_AVAILABLE.args(p))]
        same_order += knn == sphere
        same_nearest += knn[:1] == spheroid[:1]
    return {"checked": len(params), "same_order_as_sphere_distance": same_order,
            "same_nearest_as_spheroid_distance": same_nearest}


async def measure_nearest(dsn: str, tenant_id: int, *, queries: int, rng: random.Random,
                          settings: DispatchSettings) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        # Warm-up: the first geography operation on a connection is slow, and asyncpg prepares on first use.
        first = time.perf_counter()
        await NEAREST_AVAILABLE.fetch(conn, **_params(rng, settings, tenant_id, 3))
        first_ms = (time.perf_counter() - first) * 1000
        await _timed(conn, [_params(rng, settings, tenant_id, 3) for _ in range(50)])

        auto, noop, auto_empty = await _timed(conn, [_params(rng, settings, tenant_id, 3)
                                                     for _ in range(queries)])
        recommend, _, _ = await _timed(conn, [_params(rng, settings, tenant_id, 24)
                                           for _ in range(queries // 4)])
        sample = _params(rng, settings, tenant_id, 3)
        custom = await _explain(conn, sample)
        generic = await _explain(conn, sample, generic=True)
        index = await conn.fetchval("SELECT indexdef FROM pg_indexes WHERE tablename = 'unit' "
                                    "AND indexdef ILIKE '%gist%' AND indexdef ILIKE '%(location)%'")
        server = await _server_times(conn, [_params(rng, settings, tenant_id, 3) for _ in range(200)])
        checked = [_params(rng, settings, tenant_id, 24) for _ in range(50)]
        agree = await _agrees_with_brute_force(conn, checked)
    finally:
        await conn.close()
    return {
        "queries": queries,
        "first_query_on_new_connection_ms": round(first_ms, 2),
        "auto_dispatch_limit_3": {**summary(auto, 3), "no_unit_found": auto_empty},
        "recommend_limit_24": summary(recommend, 3),
        "server_execution_ms_200_queries": summary(server, 3),
        "explain_custom_plan": custom,
        "explain_generic_plan": generic,
        "gist_index": index,
        "knn_vs_brute_force": agree,
        "select_1_control": summary(noop, 3),
        "goal_p99_ms": 5.0,
        "goal_met": (percentile(auto, 0.99) or math.inf) < 5.0,
    }
