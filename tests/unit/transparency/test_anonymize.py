"""The anonymization rules on their own: masking, snapping, k-anonymous levels, coarse time."""

from __future__ import annotations

import math
import random
from datetime import datetime

from sereno.transparency.anonymize import Grid, public_cell, public_time, publication_levels

GRID = Grid(cell_m=250, lat0=-8.1)
KEY = b"test-key-0123456789abcdef"


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(-8.1))
    dy = (a[1] - b[1]) * 111_320
    return math.hypot(dx, dy)


def _random_points(n: int, seed: int = 7) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(rng.uniform(-79.05, -79.01), rng.uniform(-8.13, -8.09)) for _ in range(n)]


def test_grid_cells_are_the_configured_size_in_metres():
    corner = GRID.centre((0, 0))
    east = GRID.centre((1, 0))
    north = GRID.centre((0, 1))
    assert abs(_metres(corner, east) - 250) < 3
    assert abs(_metres(corner, north) - 250) < 1


def test_a_point_lies_in_the_cell_it_is_snapped_to():
    for lon, lat in _random_points(200):
        centre = GRID.centre(GRID.cell(lon, lat))
        assert _metres((lon, lat), centre) <= 250 / math.sqrt(2) + 1


def test_masking_is_stable_per_incident_and_depends_on_the_secret_key():
    lon, lat = -79.03, -8.11
    first = public_cell(lon, lat, key=KEY, incident_id=42, grid=GRID, donut_cells=(0.5, 1.0))
    again = public_cell(lon, lat, key=KEY, incident_id=42, grid=GRID, donut_cells=(0.5, 1.0))
    assert first == again
    others = {
        public_cell(lon, lat, key=bytes([i]) * 16, incident_id=42, grid=GRID, donut_cells=(0.5, 1.0))
        for i in range(20)
    }
    assert len(others) > 3  # another instance's key moves the same incident elsewhere


def test_published_points_are_at_least_half_a_cell_from_the_truth_for_most_incidents():
    points = _random_points(2000)
    far = 0
    for incident_id, (lon, lat) in enumerate(points):
        cell = public_cell(lon, lat, key=KEY, incident_id=incident_id, grid=GRID, donut_cells=(0.5, 1.0))
        far += _metres((lon, lat), GRID.centre(cell)) >= 125
    assert far / len(points) > 0.75  # ~85% expected; plain snapping would give ~21%


def test_the_wider_donut_for_crimes_against_persons_moves_nearly_every_point_a_cell_or_more():
    points = _random_points(1000, seed=3)
    distances = [
        _metres((lon, lat), GRID.centre(public_cell(lon, lat, key=KEY, incident_id=i, grid=GRID, donut_cells=(1.0, 1.5))))
        for i, (lon, lat) in enumerate(points)
    ]
    assert sum(d >= 125 for d in distances) / len(distances) > 0.97
    assert max(distances) < 1.5 * 250 + 250  # never further than the donut plus one cell


def test_masked_cells_stay_inside_the_service_area_when_they_can():
    def inside(lon: float, lat: float) -> bool:
        return lon >= -79.04  # the sea starts west of this line

    for i in range(300):
        cell = public_cell(-79.039, -8.1, key=KEY, incident_id=i, grid=GRID, donut_cells=(0.5, 1.0), inside=inside)
        assert inside(*GRID.centre(cell))


def test_when_no_direction_stays_inside_the_true_cell_is_used():
    cell = public_cell(-79.03, -8.1, key=KEY, incident_id=1, grid=GRID, donut_cells=(0.5, 1.0), inside=lambda *_: False)
    assert cell == GRID.cell(-79.03, -8.1)


def test_cells_with_k_incidents_are_published_as_cells():
    cells = [(10, 10)] * 3 + [(20, 20)] * 5
    assert publication_levels(cells, k=3, coarse_factor=4) == ["cell"] * 8


def test_small_cells_merge_into_their_coarse_cell_when_the_leftovers_reach_k():
    # (0,0), (1,1), (2,3) share the coarse cell (0,0); each alone is under k.
    cells = [(0, 0), (1, 1), (2, 3)]
    assert publication_levels(cells, k=3, coarse_factor=4) == ["coarse"] * 3


def test_what_stays_under_k_even_coarse_is_published_by_district_only():
    cells = [(0, 0), (1, 1), (40, 40), None]
    assert publication_levels(cells, k=3, coarse_factor=4) == ["district"] * 4


def test_a_coarse_cell_never_counts_incidents_already_published_finely():
    # The coarse cell holds 3 fine ones (published as a cell) and 1 straggler: the straggler would be alone.
    cells = [(0, 0)] * 3 + [(1, 1)]
    assert publication_levels(cells, k=3, coarse_factor=4) == ["cell"] * 3 + ["district"]


def test_no_published_cell_ever_holds_fewer_than_k():
    rng = random.Random(11)
    cells = [(rng.randrange(30), rng.randrange(30)) for _ in range(600)]
    levels = publication_levels(cells, k=3, coarse_factor=4)
    fine: dict = {}
    coarse: dict = {}
    for cell, level in zip(cells, levels, strict=True):
        if level == "cell":
            fine[cell] = fine.get(cell, 0) + 1
        elif level == "coarse":
            key = Grid.coarse(cell, 4)
            coarse[key] = coarse.get(key, 0) + 1
    assert fine and coarse
    assert min(fine.values()) >= 3 and min(coarse.values()) >= 3


def test_time_detail_hour_band_keeps_the_date_and_a_three_hour_band():
    t = public_time(datetime(2026, 10, 14, 19, 42), "hour_band")
    assert (t.month.isoformat(), t.day.isoformat(), t.hour_band, t.weekday) == ("2026-10-01", "2026-10-14", 6, 3)


def test_time_detail_date_drops_the_hour_and_month_drops_the_day():
    assert public_time(datetime(2026, 10, 14, 19, 42), "date").hour_band is None
    only_month = public_time(datetime(2026, 10, 14, 19, 42), "month")
    assert (only_month.day, only_month.hour_band, only_month.weekday) == (None, None, None)
    assert only_month.month.isoformat() == "2026-10-01"
