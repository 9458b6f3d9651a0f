"""Patrol allocation: minimums, totals, the busier sector, shifts and the covered share."""

from __future__ import annotations

import numpy as np
import pytest
from sereno.analytics.allocation import (
    DEFAULT_SHIFTS,
    allocate_units,
    apportion,
    priority_weights,
    shift_shares,
)

SECTORS = ["S1", "S2", "S3"]
# Twelve cells, four per sector; S1 is the busiest, S3 the quietest.
CELL_SECTOR = np.repeat([0, 1, 2], 4)
DEMAND = np.array([5, 3, 1, 1, 2, 1, 0.5, 0.5, 0.5, 0.2, 0.2, 0.1])


def test_apportion_gives_minimums_then_largest_remainders():
    assert apportion(np.array([6, 3, 1]), units=10, minimum=1).tolist() == [5, 3, 2]
    assert apportion(np.array([0, 0, 0]), units=4, minimum=1).tolist() == [2, 1, 1]


def test_apportion_refuses_fewer_units_than_the_minimums():
    with pytest.raises(ValueError, match="cannot give"):
        apportion(np.array([1, 1, 1]), units=2, minimum=1)


def test_allocation_keeps_minimums_and_totals_and_favours_the_busier_sector():
    result = allocate_units(cell_demand=DEMAND, cell_sector=CELL_SECTOR, sectors=SECTORS, units=9)
    assert result.units.shape == (3, 3)
    assert (result.units.sum(axis=1) == 9).all()
    assert (result.units >= 1).all()
    assert (result.units[:, 0] > result.units[:, 1]).all() and (
        result.units[:, 1] >= result.units[:, 2]
    ).all()
    assert result.demand.sum() == pytest.approx(DEMAND.sum())


def test_covered_share_is_the_forecast_in_cells_the_units_can_watch():
    one_cell_each = allocate_units(
        cell_demand=DEMAND, cell_sector=CELL_SECTOR, sectors=SECTORS, units=3, cells_per_unit=1, shares=None
    )
    # One unit per sector watches its sector's top cell: 5 + 2 + 0.5 of 15.
    assert one_cell_each.covered_share == pytest.approx(7.5 / DEMAND.sum())
    everything = allocate_units(
        cell_demand=DEMAND, cell_sector=CELL_SECTOR, sectors=SECTORS, units=3, cells_per_unit=4
    )
    assert everything.covered_share == pytest.approx(1.0)
    assert 0 <= one_cell_each.covered_share_by_shift.min() <= 1


def test_cells_outside_every_sector_are_never_covered():
    sectors = CELL_SECTOR.copy()
    sectors[0] = -1  # the busiest cell lies outside every sector
    result = allocate_units(cell_demand=DEMAND, cell_sector=sectors, sectors=SECTORS, units=30)
    assert result.covered_share == pytest.approx((DEMAND.sum() - 5) / DEMAND.sum())


def test_shift_shares_follow_the_hours_of_past_events():
    hours = np.array([7.0, 8.0, 15.0, 23.5, 2.0, 3.0])
    assert shift_shares(hours, shifts=DEFAULT_SHIFTS).tolist() == pytest.approx([2 / 6, 1 / 6, 3 / 6])
    weighted = shift_shares(hours, weights=np.array([4, 4, 1, 1, 1, 1]), shifts=DEFAULT_SHIFTS)
    assert weighted[0] == pytest.approx(8 / 12)


def test_a_busier_shift_gets_its_units_where_its_demand_is():
    by_shift = np.vstack([DEMAND, DEMAND[::-1], DEMAND])  # the afternoon is busiest in S3
    result = allocate_units(cell_demand=by_shift, cell_sector=CELL_SECTOR, sectors=SECTORS, units=9)
    assert result.units[1, 2] > result.units[0, 2]
    assert result.rows()[0]["units"] == {s.name: int(u) for s, u in zip(DEFAULT_SHIFTS, result.units[:, 0])}


def test_priority_weights_default_to_four_three_two_one():
    assert priority_weights(np.array([1, 2, 3, 4, 9])).tolist() == [4, 3, 2, 1, 1]
