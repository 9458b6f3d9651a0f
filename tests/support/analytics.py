"""Generated incident sets for the analytics tests: uniform noise, planted and moving hotspots, in metres
around a Lima-like origin so that cells and bandwidths read as on a real city."""

from __future__ import annotations

import math

import numpy as np
from sereno.analytics.events import EventSet
from sereno.analytics.grid import Grid, StudyRegion

__all__ = [
    "LAT0",
    "LON0",
    "SIDE_M",
    "at_metres",
    "events",
    "hotspot_events",
    "merge",
    "square_region",
    "uniform_events",
]

LAT0, LON0 = -12.05, -77.04
SIDE_M = 3000.0  # the generated city is 3 km × 3 km
_M = 111_320.0


def at_metres(x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of points ``x`` m east and ``y`` m north of the origin."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return LON0 + x / (_M * math.cos(math.radians(LAT0))), LAT0 + y / _M


def events(t, x, y, **kwargs) -> EventSet:
    lon, lat = at_metres(x, y)
    return EventSet(t=np.asarray(t, dtype=float), lon=lon, lat=lat, **kwargs)


def uniform_events(n: int, *, start: float, end: float, rng: np.random.Generator) -> EventSet:
    return events(rng.uniform(start, end, n), rng.uniform(0, SIDE_M, n), rng.uniform(0, SIDE_M, n))


def hotspot_events(
    n: int, *, x: float, y: float, start: float, end: float, rng: np.random.Generator, spread_m: float = 40.0
) -> EventSet:
    return events(rng.uniform(start, end, n), rng.normal(x, spread_m, n), rng.normal(y, spread_m, n))


def merge(*sets: EventSet) -> EventSet:
    return EventSet(
        t=np.concatenate([s.t for s in sets]),
        lon=np.concatenate([s.lon for s in sets]),
        lat=np.concatenate([s.lat for s in sets]),
    )


def square_region(cell_m: float = 200.0) -> StudyRegion:
    """The study region covering exactly the generated 3 km square (every cell counts)."""
    n = int(SIDE_M // cell_m)
    lon0, lat0 = at_metres(0.0, 0.0)
    grid = Grid(cell_m=cell_m, lon0=float(lon0), lat0=float(lat0), nx=n, ny=n)
    return StudyRegion(grid=grid, mask=np.ones(grid.shape, dtype=bool), basis="the generated square")
