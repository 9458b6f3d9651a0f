"""PostGIS column types for Piccolo and the SQLAlchemy/GeoAlchemy2 side of spatial queries.

Piccolo owns the schema but has no PostGIS types (piccolo issue #314), so the two small column classes here
emit the PostGIS DDL. Spatial queries are written as SQLAlchemy Core expressions with GeoAlchemy2 functions,
compiled once for asyncpg (:mod:`sereno.core.sql`) and run on Piccolo's pool: one pool per process.

Points are ``geography(Point,4326)`` so distances are in metres (geometry ``<->`` on 4326 orders by degrees);
areas are ``geometry(MultiPolygon,4326)`` because containment on geometry is cheaper and exact enough at city
scale.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns.base import Column

__all__ = ["Geography", "Geometry", "point_ewkt"]


class _PostGISColumn(Column):
    kind = ""

    def __init__(self, geometry_type: str = "Point", srid: int = 4326, **kwargs: Any) -> None:
        self.geometry_type = geometry_type
        self.srid = srid
        # Passed through so that Piccolo's migration generator can record them.
        kwargs.update({"geometry_type": geometry_type, "srid": srid})
        super().__init__(**kwargs)

    @property
    def column_type(self) -> str:
        return f"{self.kind}({self.geometry_type},{self.srid})"


class Geography(_PostGISColumn):
    """A ``geography`` column; values are written as EWKT and read back as hex EWKB."""

    kind = "geography"


class Geometry(_PostGISColumn):
    """A ``geometry`` column (areas: service areas, sectors)."""

    kind = "geometry"


def point_ewkt(lon: float, lat: float) -> str:
    return f"SRID=4326;POINT({lon!r} {lat!r})"
