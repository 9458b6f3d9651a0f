"""Demo patrol units: a dozen around each city, on duty at plausible spots, and a gentle random walk that keeps
their positions fresh while the demo runs (``SERENO_DEMO_MOVE_UNITS``)."""

from __future__ import annotations

import math
import random
from datetime import datetime

import asyncpg

from sereno.core import db
from sereno.demo.cities import DemoCity

__all__ = ["UNITS", "load_units", "move_units"]

# (call sign, agency, kind)
UNITS: tuple[tuple[str, str, str], ...] = (
    ("SZ-01", "serenazgo", "car"),
    ("SZ-02", "serenazgo", "car"),
    ("SZ-03", "serenazgo", "car"),
    ("SZ-04", "serenazgo", "motorcycle"),
    ("SZ-05", "serenazgo", "motorcycle"),
    ("SZ-06", "serenazgo", "foot"),
    ("SZ-07", "serenazgo", "bicycle"),
    ("PNP-01", "police", "car"),
    ("PNP-02", "police", "car"),
    ("PNP-03", "police", "motorcycle"),
    ("AMB-01", "medical", "ambulance"),
    ("BOM-01", "fire", "engine"),
)


def _near(lon: float, lat: float, rng: random.Random, sigma_m: float) -> tuple[float, float]:
    east, north = rng.gauss(0, sigma_m), rng.gauss(0, sigma_m)
    return lon + east / (111_320 * math.cos(math.radians(lat))), lat + north / 110_540


async def load_units(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    city: DemoCity,
    now: datetime,
    rng: random.Random,
    officer_id: int,
) -> int:
    """Units on duty at the sectors' centres (inside the service area); the demo officer rides the first."""
    for index, (call_sign, agency, kind) in enumerate(UNITS):
        sector = city.sectors[index % len(city.sectors)]
        lon, lat = _near(sector.lon, sector.lat, rng, 150)
        unit_id = await conn.fetchval(
            """INSERT INTO unit (tenant, call_sign, agency, kind, status, emergency, location, position_accuracy_m,
                                 position_device_at, position_received_at, on_duty_since, version)
               SELECT $1, $2, $3, $4, 'available', false,
                      CASE WHEN ST_Covers(t.service_area, ST_SetSRID(ST_MakePoint($5, $6), 4326))
                           THEN ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography
                           ELSE ST_PointOnSurface(t.service_area)::geography END,
                      12, $7, $7, $7, 1
               FROM tenant t WHERE t.id = $1 RETURNING id""",
            tenant_id,
            call_sign,
            agency,
            kind,
            lon,
            lat,
            now,
        )
        if index == 0:
            await conn.execute(
                "INSERT INTO unit_member (unit, account, since) VALUES ($1, $2, $3)", unit_id, officer_id, now
            )
    return len(UNITS)


_MOVE = """
UPDATE unit u SET location = moved.location, position_received_at = $2, position_device_at = $2,
                  position_accuracy_m = 10
FROM (
    SELECT u2.id,
           CASE WHEN ST_Covers(t.service_area, p.point) THEN p.point::geography ELSE u2.location END AS location
    FROM unit u2 JOIN tenant t ON t.id = u2.tenant,
         LATERAL (SELECT ST_Project(u2.location, 40 + random() * 120, radians(random() * 360))::geometry AS point) p
    WHERE u2.status = 'available' AND NOT u2.emergency AND u2.location IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM unit_member m WHERE m.unit = u2.id)
) moved
WHERE u.id = moved.id AND u.tenant = ANY($1::int[])
"""


async def move_units(*, now: datetime) -> None:
    """Unmanned demo units patrol a little (units with a real officer report their own positions)."""
    async with db.connection() as conn:
        tenants = [r["id"] for r in await conn.fetch("SELECT id FROM tenant WHERE slug IN ('tru', 'mir')")]
        await conn.execute(_MOVE, tenants, now)
