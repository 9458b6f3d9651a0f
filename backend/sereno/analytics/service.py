"""Analytics for a tenant: hotspot maps, the 7-day forecast per cell and patrol allocation, from the database.

What the API routes and the ``sereno analytics`` commands call. The study region of a tenant is the cells of
its service area (or, without one, the cells with past incidents); times given as aware datetimes are read in
the tenant's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import asyncpg
import numpy as np
import shapely

from sereno.analytics.allocation import DEFAULT_SHIFTS, Allocation, Shift, allocate_units, shift_shares
from sereno.analytics.events import EventSet, day_number
from sereno.analytics.forecast import DEFAULT_PARAMS, ForecastParams, forecast_surface
from sereno.analytics.grid import StudyRegion, grid_for, region_from_events, region_from_polygon
from sereno.analytics.hotspots import cell_counts, kde_surface, surface_geojson
from sereno.analytics.queries import TenantArea, load_tenant_area, load_tenant_events

__all__ = [
    "TenantAllocation",
    "TenantForecast",
    "hotspots_geojson",
    "tenant_allocation",
    "tenant_forecast",
]


@dataclass(frozen=True)
class TenantForecast:
    region: StudyRegion
    surface: np.ndarray  # expected incidents per cell over the horizon, shape (ny, nx)
    origin: float  # local days since 1970
    horizon_days: float
    n_history: int
    events: EventSet

    def geojson(
        self, *, shape: Literal["cells", "points"] = "cells", top: int | None = None
    ) -> dict[str, Any]:
        return surface_geojson(self.surface, region=self.region, shape=shape, top=top)


@dataclass(frozen=True)
class TenantAllocation:
    forecast: TenantForecast
    allocation: Allocation
    cells: np.ndarray  # flat grid index of each cell the allocation saw (the region's cells)
    cell_sector: np.ndarray  # index into allocation.sectors of each of those cells (-1: none)

    def watched_geojson(self) -> dict[str, Any]:
        """The watched cells of every shift as polygons with ``shift``, ``sector`` and ``demand``."""
        grid, alloc = self.forecast.region.grid, self.allocation
        demand = self.forecast.surface.ravel()[self.cells]
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [grid.ring(int(self.cells[i]))]},
                "properties": {
                    "shift": shift.name,
                    "sector": alloc.sectors[self.cell_sector[i]],
                    "demand": round(float(demand[i]), 4),
                },
            }
            for shift, chosen in zip(alloc.shifts, alloc.watched_cells, strict=True)
            for i in chosen
        ]
        return {"type": "FeatureCollection", "features": features}


def _local_day(value: datetime | None, tz: str) -> float | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    return day_number(value)


def _region(area: TenantArea, events: EventSet, *, cell_m: float) -> StudyRegion:
    if area.service_area_wkt:
        geometry = shapely.from_wkt(area.service_area_wkt)
        west, south, east, north = geometry.bounds
        grid = grid_for(lon=np.array([west, east]), lat=np.array([south, north]), cell_m=cell_m)
        return region_from_polygon(grid, geometry)
    if not len(events):
        raise LookupError("the tenant has neither a service area nor incidents to map")
    return region_from_events(grid_for(lon=events.lon, lat=events.lat, cell_m=cell_m), events)


def _cell_sectors(region: StudyRegion, sectors: list[tuple[int, str, str, str | None]]) -> np.ndarray:
    """Index into ``sectors`` of each region cell's centre (-1 outside every sector)."""
    lon, lat = region.grid.centres(region.cells)
    out = np.full(len(lon), -1, dtype=int)
    for j, (_, _, _, wkt) in enumerate(sectors):
        if wkt:
            inside = shapely.contains_xy(shapely.from_wkt(wkt), lon, lat)
            out[(out < 0) & inside] = j
    return out


async def hotspots_geojson(
    conn: asyncpg.Connection,
    *,
    tenant_slug: str,
    start: datetime,
    end: datetime,
    categories: tuple[str, ...] = (),
    kind: Literal["kde", "counts"] = "kde",
    cell_m: float = 200.0,
    bandwidth_m: float = 250.0,
    shape: Literal["cells", "points"] = "cells",
) -> dict[str, Any]:
    """Counts or KDE per cell of the incidents in ``[start, end)`` as GeoJSON (see ``surface_geojson``)."""
    area = await load_tenant_area(conn, tenant_slug=tenant_slug)
    events = await load_tenant_events(conn, area=area, categories=categories, before=end)
    region = _region(area, events, cell_m=cell_m)
    lo, hi = _local_day(start, area.time_zone), _local_day(end, area.time_zone)
    if kind == "counts":
        surface = cell_counts(events, grid=region.grid, start=lo, end=hi)
    else:
        surface = kde_surface(events, grid=region.grid, bandwidth_m=bandwidth_m, start=lo, end=hi)
    collection = surface_geojson(surface, region=region, shape=shape)
    collection["properties"].update(kind=kind, bandwidth_m=bandwidth_m if kind == "kde" else None)
    return collection


async def tenant_forecast(
    conn: asyncpg.Connection,
    *,
    tenant_slug: str,
    origin: datetime,
    categories: tuple[str, ...] = (),
    horizon_days: float = 7.0,
    cell_m: float = 200.0,
    params: ForecastParams = DEFAULT_PARAMS,
    by_priority: bool = False,
) -> TenantForecast:
    """Expected incidents per cell in ``[origin, origin + horizon_days)`` from the incidents before
    ``origin``; priority-weighted (P1 4 … P4 1) when ``by_priority``."""
    area = await load_tenant_area(conn, tenant_slug=tenant_slug)
    return await _forecast(
        conn,
        area=area,
        origin=origin,
        categories=categories,
        horizon_days=horizon_days,
        cell_m=cell_m,
        params=params,
        by_priority=by_priority,
    )


async def _forecast(
    conn: asyncpg.Connection,
    *,
    area: TenantArea,
    origin: datetime,
    categories: tuple[str, ...],
    horizon_days: float,
    cell_m: float,
    params: ForecastParams,
    by_priority: bool,
) -> TenantForecast:
    events = await load_tenant_events(conn, area=area, categories=categories, before=origin)
    if not by_priority:
        events = EventSet(t=events.t, lon=events.lon, lat=events.lat, category=events.category)
    region = _region(area, events, cell_m=cell_m)
    day = _local_day(origin, area.time_zone)
    surface = forecast_surface(events, grid=region.grid, origin=day, horizon_days=horizon_days, params=params)
    return TenantForecast(
        region=region,
        surface=surface * region.mask,
        origin=day,
        horizon_days=horizon_days,
        n_history=len(events),
        events=events,
    )


async def tenant_allocation(
    conn: asyncpg.Connection,
    *,
    tenant_slug: str,
    origin: datetime,
    units: int,
    categories: tuple[str, ...] = (),
    shifts: tuple[Shift, ...] = DEFAULT_SHIFTS,
    min_per_sector: int = 1,
    cells_per_unit: int = 10,
    horizon_days: float = 7.0,
    cell_m: float = 200.0,
) -> TenantAllocation:
    """Units per sector per shift from the priority-weighted forecast (see :mod:`.allocation`)."""
    area = await load_tenant_area(conn, tenant_slug=tenant_slug)
    forecast = await _forecast(
        conn,
        area=area,
        origin=origin,
        categories=categories,
        horizon_days=horizon_days,
        cell_m=cell_m,
        params=DEFAULT_PARAMS,
        by_priority=True,
    )
    region = forecast.region
    history = forecast.events
    cell_sector = _cell_sectors(region, area.sectors)
    allocation = allocate_units(
        cell_demand=forecast.surface.ravel()[region.cells],
        cell_sector=cell_sector,
        sectors=[code for _, code, _, _ in area.sectors],
        units=units,
        shifts=shifts,
        shares=shift_shares(history.hour, weights=history.weight, shifts=shifts),
        min_per_sector=min_per_sector,
        cells_per_unit=cells_per_unit,
    )
    return TenantAllocation(
        forecast=forecast, allocation=allocation, cells=region.cells, cell_sector=cell_sector
    )
