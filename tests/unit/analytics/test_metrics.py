"""Hit rate and PAI on data where the answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from sereno.analytics.backtest import hit_rates

from tests.support.analytics import square_region, uniform_events

REGION = square_region()  # 15 × 15 = 225 cells
N = REGION.n_cells


def _pai(hits: np.ndarray, coverages: tuple[float, ...]) -> np.ndarray:
    return hits / np.array([max(1, round(c * N)) / N for c in coverages])


def test_pai_of_a_perfect_forecast_is_one_over_the_area_share():
    actual = np.zeros(REGION.grid.shape)
    actual[3, 4], actual[7, 7], actual[10, 2] = 5, 2, 1  # three cells, fewer than 5% of 225 (11 cells)
    hits = hit_rates(actual, actual, region=REGION, coverages=(0.05, 0.10))
    assert hits.tolist() == [1.0, 1.0]
    assert _pai(hits, (0.05, 0.10)) == pytest.approx([N / 11, N / 22])


def test_pai_of_a_random_forecast_is_about_one():
    rng = np.random.default_rng(5)
    grid = REGION.grid
    actual = grid.counts(uniform_events(200_000, start=0, end=7, rng=rng))
    pais = [
        _pai(hit_rates(rng.random(grid.shape), actual, region=REGION), (0.01, 0.05, 0.10)) for _ in range(20)
    ]
    assert np.mean(pais, axis=0) == pytest.approx([1, 1, 1], abs=0.1)


def test_hit_rates_lie_between_zero_and_one_and_grow_with_coverage():
    rng = np.random.default_rng(9)
    for _ in range(20):
        actual = rng.poisson(0.3, REGION.grid.shape).astype(float)
        hits = hit_rates(
            rng.random(REGION.grid.shape), actual, region=REGION, coverages=(0.01, 0.05, 0.1, 1.0)
        )
        assert np.all((hits >= 0) & (hits <= 1))
        assert np.all(np.diff(hits) >= 0)
        assert hits[-1] == pytest.approx(1.0)


def test_events_outside_the_study_region_count_as_misses():
    actual = np.zeros(REGION.grid.shape)
    actual[0, 0] = 3
    hits = hit_rates(actual, actual, region=REGION, coverages=(0.01,), total=6)
    assert hits.tolist() == [0.5]


def test_ties_at_the_cut_off_count_by_their_expected_share():
    actual = np.zeros(REGION.grid.shape)
    actual[5, 5] = 10
    flat = np.ones(REGION.grid.shape)  # a forecast with no opinion flags a random 5%: expected hit = 11/225
    assert hit_rates(flat, actual, region=REGION, coverages=(0.05,))[0] == pytest.approx(11 / N)


def test_no_events_gives_no_hit_rate():
    empty = np.zeros(REGION.grid.shape)
    assert np.isnan(hit_rates(np.ones(REGION.grid.shape), empty, region=REGION)).all()
