"""Hotspot maps: counts per grid cell and kernel density surfaces, and their GeoJSON for the console.

The KDE is a binned Gaussian kernel density (events counted per cell, then smoothed with
``scipy.ndimage.gaussian_filter``): with cells of 150–250 m and bandwidths of a cell or more, binning changes
the surface by less than the bandwidth's own uncertainty, and it costs O(events + cells) instead of O(events ×
cells). Surface values are expected events per cell (the smoothing keeps the total), so counts and KDE maps of
the same period share one scale. This is the "retrospective" hotspot map of Chainey, Tompson & Uhlig (2008),
"The utility of hotspot mapping for predicting spatial patterns of crime", Security Journal 21, which the
backtest uses as a baseline.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from sereno.analytics.events import EventSet
from sereno.analytics.grid import Grid, StudyRegion, smooth

__all__ = ["cell_counts", "kde_surface", "surface_geojson"]


def cell_counts(
    events: EventSet,
    *,
    grid: Grid,
    start: float = -np.inf,
    end: float = np.inf,
    categories: tuple[str, ...] = (),
) -> np.ndarray:
    """Events per cell with ``start <= t < end`` (days) in the given categories (all when empty)."""
    return grid.counts(events.of_categories(categories).between(start, end))


def kde_surface(
    events: EventSet,
    *,
    grid: Grid,
    bandwidth_m: float = 250.0,
    start: float = -np.inf,
    end: float = np.inf,
    categories: tuple[str, ...] = (),
) -> np.ndarray:
    """Gaussian kernel density of the events, as expected events per cell (shape ``(ny, nx)``)."""
    counts = cell_counts(events, grid=grid, start=start, end=end, categories=categories)
    return smooth(counts, grid=grid, bandwidth_m=bandwidth_m)


def surface_geojson(
    surface: np.ndarray,
    *,
    region: StudyRegion,
    shape: Literal["cells", "points"] = "cells",
    min_value: float = 1e-6,
    top: int | None = None,
    decimals: int = 4,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the region's cells whose value is at least ``min_value`` (the ``top``
    highest only, when given), highest first.

    ``shape="cells"`` gives square polygons with ``value`` and ``rank`` (for a choropleth);
    ``shape="points"`` gives cell centres with ``value`` and ``weight`` = value ÷ the maximum, in 0–1, which is
    what Leaflet.heat takes as the intensity of ``[lat, lng, intensity]``. The collection's ``properties``
    state the cell size and the study region's area."""
    grid = region.grid
    cells = region.cells
    values = surface.ravel()[cells]
    keep = values >= min_value
    cells, values = cells[keep], values[keep]
    order = np.argsort(-values, kind="stable")
    if top is not None:
        order = order[:top]
    cells, values = cells[order], values[order]
    peak = float(values[0]) if len(values) else 1.0
    lons, lats = grid.centres(cells)
    features = []
    for rank, (cell, value, lon, lat) in enumerate(zip(cells, values, lons, lats, strict=True), start=1):
        props: dict[str, Any] = {"cell": int(cell), "value": round(float(value), decimals), "rank": rank}
        if shape == "points":
            props["weight"] = round(float(value) / peak, 4) if peak > 0 else 0.0
            geometry = {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}
        else:
            geometry = {"type": "Polygon", "coordinates": [grid.ring(int(cell))]}
        features.append({"type": "Feature", "id": int(cell), "geometry": geometry, "properties": props})
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "cell_m": grid.cell_m,
            "region_cells": region.n_cells,
            "region_km2": round(region.area_km2, 3),
            "total": round(float(surface.ravel()[region.cells].sum()), decimals),
        },
    }
