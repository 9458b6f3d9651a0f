"""A projected square grid over a city and the study region (the cells that count) on it.

Cells are ``cell_m`` metres square in a local equirectangular projection around the grid's centre latitude
(flat earth is exact to well under 1% across a city). Surfaces are NumPy arrays of shape ``(ny, nx)``; the
flat index of cell ``(ix, iy)`` is ``iy * nx + ix``. The study region is either the cells holding at least
one historical event or the cells whose centre lies in a tenant's service area; its area (number of cells ×
cell area) is the denominator of every coverage share and PAI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.ndimage import gaussian_filter

from sereno.analytics.events import EventSet

__all__ = ["Grid", "StudyRegion", "grid_for", "region_from_events", "region_from_polygon", "smooth"]

_M_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Grid:
    """``nx`` × ``ny`` cells of ``cell_m`` metres; ``(lon0, lat0)`` is the south-west corner of cell (0, 0)."""

    cell_m: float
    lon0: float
    lat0: float
    nx: int
    ny: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.ny, self.nx

    @property
    def dlat(self) -> float:
        return self.cell_m / _M_PER_DEGREE

    @property
    def dlon(self) -> float:
        lat_mid = self.lat0 + self.ny * self.dlat / 2
        return self.cell_m / (_M_PER_DEGREE * math.cos(math.radians(lat_mid)))

    @property
    def cell_km2(self) -> float:
        return (self.cell_m / 1000) ** 2

    def cell_of(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Flat cell index of each point; -1 for points off the grid."""
        ix = np.floor((np.asarray(lon) - self.lon0) / self.dlon).astype(np.int64)
        iy = np.floor((np.asarray(lat) - self.lat0) / self.dlat).astype(np.int64)
        inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        return np.where(inside, iy * self.nx + ix, -1)

    def centres(self, cells: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(lon, lat) of the centres of ``cells`` (flat indices; all cells by default)."""
        cells = np.arange(self.nx * self.ny) if cells is None else np.asarray(cells)
        iy, ix = np.divmod(cells, self.nx)
        return self.lon0 + (ix + 0.5) * self.dlon, self.lat0 + (iy + 0.5) * self.dlat

    def ring(self, cell: int) -> list[list[float]]:
        """The closed GeoJSON ring (lon, lat) of one cell, counter-clockwise."""
        iy, ix = divmod(int(cell), self.nx)
        w, s = self.lon0 + ix * self.dlon, self.lat0 + iy * self.dlat
        e, n = w + self.dlon, s + self.dlat
        return [[round(x, 6), round(y, 6)] for x, y in ((w, s), (e, s), (e, n), (w, n), (w, s))]

    def counts(self, events: EventSet, *, weights: np.ndarray | None = None) -> np.ndarray:
        """Events (or their ``weights``) summed per cell, as a ``(ny, nx)`` float array."""
        cells = self.cell_of(events.lon, events.lat)
        on = cells >= 0
        w = None if weights is None else np.asarray(weights, dtype=float)[on]
        return (
            np.bincount(cells[on], weights=w, minlength=self.nx * self.ny).astype(float).reshape(self.shape)
        )


def grid_for(*, lon: np.ndarray, lat: np.ndarray, cell_m: float = 200.0, margin_cells: int = 4) -> Grid:
    """The smallest grid covering the points (with a margin so kernels are not cut at the edge)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if not len(lon):
        raise ValueError("no points to build a grid on")
    dlat = cell_m / _M_PER_DEGREE
    lat0 = float(lat.min()) - margin_cells * dlat
    ny = math.ceil((float(lat.max()) - lat0) / dlat) + margin_cells + 1
    dlon = Grid(cell_m=float(cell_m), lon0=0.0, lat0=lat0, nx=1, ny=ny).dlon
    lon0 = float(lon.min()) - margin_cells * dlon
    nx = math.ceil((float(lon.max()) - lon0) / dlon) + margin_cells + 1
    return Grid(cell_m=float(cell_m), lon0=lon0, lat0=lat0, nx=nx, ny=ny)


@dataclass(frozen=True)
class StudyRegion:
    """The cells of ``grid`` that count (``mask``, shape ``(ny, nx)``) and how they were chosen."""

    grid: Grid
    mask: np.ndarray
    basis: str

    @property
    def n_cells(self) -> int:
        return int(self.mask.sum())

    @property
    def area_km2(self) -> float:
        return self.n_cells * self.grid.cell_km2

    @property
    def cells(self) -> np.ndarray:
        """Flat indices of the region's cells."""
        return np.flatnonzero(self.mask.ravel())

    def describe(self) -> str:
        return (
            f"study region: {self.n_cells:,} cells of {self.grid.cell_m:g} m = {self.area_km2:,.1f} km² "
            f"({self.basis})"
        )


def region_from_events(grid: Grid, events: EventSet) -> StudyRegion:
    """The cells holding at least one of ``events`` (pass the history, never the test period)."""
    return StudyRegion(grid=grid, mask=grid.counts(events) > 0, basis="cells with at least one past event")


def region_from_polygon(grid: Grid, area: shapely.Geometry | str) -> StudyRegion:
    """The cells whose centre lies in ``area`` (a shapely geometry or WKT in lon/lat)."""
    geometry = shapely.from_wkt(area) if isinstance(area, str) else area
    lon, lat = grid.centres()
    inside = shapely.contains_xy(geometry, lon, lat)
    return StudyRegion(grid=grid, mask=inside.reshape(grid.shape), basis="cells in the service area")


def smooth(surface: np.ndarray, *, grid: Grid, bandwidth_m: float) -> np.ndarray:
    """Gaussian smoothing of a per-cell surface (mass outside the grid is lost; grids carry a margin)."""
    if bandwidth_m <= 0:
        return surface
    return gaussian_filter(surface, sigma=bandwidth_m / grid.cell_m, mode="constant", truncate=4.0)
