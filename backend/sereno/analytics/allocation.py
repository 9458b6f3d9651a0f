"""Patrol allocation: how many units each sector needs per shift, from the forecast.

The model, in four steps (pure functions, no database):

1. **Demand.** The forecast per cell (:func:`sereno.analytics.forecast.forecast_surface`) is computed on events
   weighted by priority (P1 4, P2 3, P3 2, P4 1 by default: :func:`priority_weights`), so a cell's demand is
   its expected priority-weighted incidents over the horizon. A sector's demand is the sum over its cells.
2. **Shifts.** Demand is split across shifts (default 06–14, 14–22, 22–06, local time) by each shift's share of
   the weighted historical events by hour of day (:func:`shift_shares`); a caller with a forecast per shift
   may pass one demand row per shift instead.
3. **Units.** In every shift each sector first gets ``min_per_sector`` units; the remaining units are
   apportioned in proportion to sector demand by the largest-remainder (Hamilton) method, ties going to the
   busier sector. Each shift's units add up to exactly ``units``.
4. **Expected coverage.** A unit on patrol can keep ``cells_per_unit`` cells under watch (default 10 cells of
   200 m = 0.4 km²), and a sector's units watch its highest-demand cells first. The *expected share of
   forecast incidents covered* is the demand in watched cells ÷ all demand, per shift and over the horizon:
   the share of forecast (priority-weighted) incidents that will happen where a unit is patrolling. Demand
   in cells outside every sector counts in the denominator (nobody patrols there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEFAULT_PRIORITY_WEIGHTS",
    "DEFAULT_SHIFTS",
    "Allocation",
    "Shift",
    "allocate_units",
    "apportion",
    "priority_weights",
    "shift_shares",
]

DEFAULT_PRIORITY_WEIGHTS: Mapping[int, float] = {1: 4.0, 2: 3.0, 3: 2.0, 4: 1.0}


@dataclass(frozen=True)
class Shift:
    name: str
    start_hour: float
    end_hour: float  # may be lower than start_hour: the shift crosses midnight

    def contains(self, hour: np.ndarray) -> np.ndarray:
        hour = np.asarray(hour)
        if self.start_hour <= self.end_hour:
            return (hour >= self.start_hour) & (hour < self.end_hour)
        return (hour >= self.start_hour) | (hour < self.end_hour)


DEFAULT_SHIFTS = (Shift("06–14", 6, 14), Shift("14–22", 14, 22), Shift("22–06", 22, 6))


def priority_weights(
    priorities: np.ndarray, *, weights: Mapping[int, float] = DEFAULT_PRIORITY_WEIGHTS
) -> np.ndarray:
    """The weight of each event from its priority (unknown priorities weigh 1)."""
    return np.array([weights.get(int(p), 1.0) for p in np.asarray(priorities)], dtype=float)


def shift_shares(
    hours: np.ndarray, *, weights: np.ndarray | None = None, shifts: Sequence[Shift] = DEFAULT_SHIFTS
) -> np.ndarray:
    """Each shift's share of the (weighted) events by local hour of day; equal shares without events."""
    w = np.ones(len(hours)) if weights is None else np.asarray(weights, dtype=float)
    totals = np.array([w[s.contains(hours)].sum() for s in shifts])
    if totals.sum() <= 0:
        return np.full(len(shifts), 1 / len(shifts))
    return totals / totals.sum()


def apportion(demand: np.ndarray, *, units: int, minimum: int = 0) -> np.ndarray:
    """``minimum`` units each, then the rest in proportion to ``demand`` by largest remainders."""
    demand = np.asarray(demand, dtype=float)
    n = len(demand)
    if units < minimum * n:
        raise ValueError(f"{units} units cannot give {n} sectors {minimum} each")
    rest = units - minimum * n
    allotted = np.full(n, minimum, dtype=int)
    if rest == 0 or n == 0:
        return allotted
    weights = demand if demand.sum() > 0 else np.ones(n)
    quotas = rest * weights / weights.sum()
    whole = np.floor(quotas).astype(int)
    left = rest - int(whole.sum())
    # Largest remainder first; on equal remainders the busier sector, then the first listed.
    order = np.lexsort((np.arange(n), -weights, -(quotas - whole)))
    whole[order[:left]] += 1
    return allotted + whole


@dataclass(frozen=True)
class Allocation:
    sectors: list[str]
    shifts: list[Shift]
    units: np.ndarray  # shifts × sectors
    demand: np.ndarray  # shifts × sectors: forecast priority-weighted incidents
    covered: np.ndarray  # shifts × sectors: the part of that demand in watched cells
    total: np.ndarray  # per shift: forecast in every cell, those outside all sectors included
    watched_cells: list[np.ndarray]  # per shift: indices (into the cell arrays) of the watched cells

    @property
    def covered_share(self) -> float:
        """Expected share of forecast incidents in watched cells, over all shifts."""
        total = self.total.sum()
        return float(self.covered.sum() / total) if total > 0 else 0.0

    @property
    def covered_share_by_shift(self) -> np.ndarray:
        totals = self.total
        return np.divide(self.covered.sum(axis=1), totals, out=np.zeros(len(totals)), where=totals > 0)

    def rows(self) -> list[dict[str, object]]:
        """One row per sector: units and demand per shift (for a table)."""
        return [
            {
                "sector": sector,
                "units": {s.name: int(self.units[k, j]) for k, s in enumerate(self.shifts)},
                "demand": {s.name: round(float(self.demand[k, j]), 3) for k, s in enumerate(self.shifts)},
            }
            for j, sector in enumerate(self.sectors)
        ]


def allocate_units(
    *,
    cell_demand: np.ndarray,
    cell_sector: np.ndarray,
    sectors: Sequence[str],
    units: int,
    shifts: Sequence[Shift] = DEFAULT_SHIFTS,
    shares: np.ndarray | None = None,
    min_per_sector: int = 1,
    cells_per_unit: int = 10,
) -> Allocation:
    """Units per sector per shift and the expected coverage (see the module docstring).

    ``cell_demand`` is the forecast per cell, either one row (split by ``shares``, equal by default) or one row
    per shift; ``cell_sector`` gives each cell's index into ``sectors`` (-1: no sector, never patrolled)."""
    cell_sector = np.asarray(cell_sector, dtype=int)
    demand = np.asarray(cell_demand, dtype=float)
    if demand.ndim == 1:
        shares = np.full(len(shifts), 1 / len(shifts)) if shares is None else np.asarray(shares, dtype=float)
        demand = shares[:, None] * demand[None, :]
    if demand.shape != (len(shifts), len(cell_sector)):
        raise ValueError("cell_demand must have one value per cell (or one row per shift)")
    n = len(sectors)
    in_sector = cell_sector >= 0
    units_table = np.zeros((len(shifts), n), dtype=int)
    sector_demand = np.zeros((len(shifts), n))
    covered = np.zeros((len(shifts), n))
    watched: list[np.ndarray] = []
    for k in range(len(shifts)):
        row = demand[k]
        sector_demand[k] = np.bincount(cell_sector[in_sector], weights=row[in_sector], minlength=n)
        units_table[k] = apportion(sector_demand[k], units=units, minimum=min_per_sector)
        # Within each sector, rank cells by demand; a cell is watched if its rank < units × cells_per_unit.
        cells = np.flatnonzero(in_sector)
        order = cells[np.lexsort((-row[cells], cell_sector[cells]))]
        sector_of = cell_sector[order]
        first = np.searchsorted(sector_of, np.arange(n))
        rank = np.arange(len(order)) - first[sector_of]
        chosen = order[rank < units_table[k][sector_of] * cells_per_unit]
        covered[k] = np.bincount(cell_sector[chosen], weights=row[chosen], minlength=n)
        watched.append(chosen)
    return Allocation(
        sectors=list(sectors),
        shifts=list(shifts),
        units=units_table,
        demand=sector_demand,
        covered=covered,
        total=demand.sum(axis=1),
        watched_cells=watched,
    )
