"""Test data in one place: a small test city, report bodies and photos."""

from __future__ import annotations

import io
import uuid
from typing import Any

import asyncpg
from PIL import Image

from sereno.participation.seed import seed_participation
from sereno.tenants.seed import seed_categories

__all__ = ["TEST_CITY", "create_city", "report_body", "jpeg_bytes", "png_bytes", "INSIDE", "OUTSIDE"]

# A 4 km square around central Trujillo, split into four sectors (NW, NE, SW, SE).
WEST, EAST, SOUTH, NORTH = -79.05, -79.01, -8.13, -8.09
MID_LON, MID_LAT = (WEST + EAST) / 2, (SOUTH + NORTH) / 2
INSIDE = {"lat": -8.1000, "lon": -79.0400}  # north-west sector
OUTSIDE = {"lat": -12.1200, "lon": -77.0300}  # Miraflores, Lima

TEST_CITY = {"slug": "tst", "name": "Ciudad de Prueba", "prefix": "TST"}


def _box(west: float, south: float, east: float, north: float) -> str:
    return (
        f"SRID=4326;MULTIPOLYGON((({west} {south},{east} {south},{east} {north},{west} {north},{west} {south})))"
    )


async def create_city(conn: asyncpg.Connection, *, slug: str, name: str, prefix: str) -> int:
    tenant_id = await conn.fetchval(
        """INSERT INTO tenant (slug, name, code_prefix, service_area, default_language, time_zone, emergency_phone)
           VALUES ($1, $2, $3, ST_GeomFromEWKT($4), 'es', 'America/Lima', '105') RETURNING id""",
        slug, name, prefix, _box(WEST, SOUTH, EAST, NORTH),
    )
    sectors = {
        "NW": (WEST, MID_LAT, MID_LON, NORTH),
        "NE": (MID_LON, MID_LAT, EAST, NORTH),
        "SW": (WEST, SOUTH, MID_LON, MID_LAT),
        "SE": (MID_LON, SOUTH, EAST, MID_LAT),
    }
    for code, box in sectors.items():
        await conn.execute(
            "INSERT INTO sector (tenant, code, name, area) VALUES ($1, $2, $3, ST_GeomFromEWKT($4))",
            tenant_id, code, f"Sector {code}", _box(*box),
        )
    await seed_categories(conn, tenant_id)
    await seed_participation(conn, tenant_id)
    return tenant_id


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "robbery_assault",
        "description": "Dos personas en moto arrebataron un celular frente al mercado.",
        "location": {**INSIDE, "accuracy_m": 12.5},
        "anonymous": True,
    }
    body.update(overrides)
    return body


def new_key() -> str:
    return str(uuid.uuid4())


def jpeg_bytes(size: tuple[int, int] = (640, 480), color: tuple[int, int, int] = (200, 60, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def png_bytes(size: tuple[int, int] = (320, 240)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buf, "PNG")
    return buf.getvalue()
