"""The grid self-exciting forecast: it finds planted hotspots, weighs recent events more, and beats counts
over the prior year when the hotspot moves."""

from __future__ import annotations

import numpy as np
import pytest
from sereno.analytics.backtest import run_backtest
from sereno.analytics.forecast import decayed_counts, forecast_surface

from tests.support.analytics import at_metres as _lonlat
from tests.support.analytics import events, hotspot_events, merge, square_region, uniform_events

REGION = square_region()
GRID = REGION.grid


def test_a_planted_hotspot_is_the_top_cell_of_the_forecast():
    rng = np.random.default_rng(1)
    history = merge(
        uniform_events(2_000, start=0, end=365, rng=rng),
        hotspot_events(150, x=2100, y=900, start=0, end=365, rng=rng),
    )
    surface = forecast_surface(history, grid=GRID, origin=365.0)
    assert int(np.argmax(surface)) == int(GRID.cell_of(*_lonlat(2100, 900)))


def test_forecast_is_expected_events_over_the_horizon():
    rng = np.random.default_rng(2)
    history = uniform_events(3_650, start=0, end=3650, rng=rng)  # one event a day for ten years
    week = forecast_surface(history, grid=GRID, origin=3650.0, horizon_days=7)
    assert week.sum() == pytest.approx(7, rel=0.1)


def test_recent_events_weigh_more_than_old_ones():
    two = events([10.0, 300.0], [500, 2500], [500, 2500])  # an old event, then a recent one
    counts = decayed_counts(two, grid=GRID, origin=310.0, tau_days=30)
    old, recent = int(GRID.cell_of(*_lonlat(500, 500))), int(GRID.cell_of(*_lonlat(2500, 2500)))
    assert counts.ravel()[recent] > counts.ravel()[old] > 0
    surface = forecast_surface(two, grid=GRID, origin=310.0).ravel()
    assert surface[recent] > surface[old]


def test_only_events_before_the_origin_are_used():
    future = events([50.0], [1500], [1500])
    assert forecast_surface(future, grid=GRID, origin=40.0).sum() == 0


def test_forecast_beats_prior_year_counts_on_a_moving_hotspot():
    # Uniform noise everywhere, plus a hotspot that moves to a new place every 60 days. Counts over the
    # prior year rank the last six places alike; the forecast puts the current one first (its recent events
    # weigh more), so it wins in the top cells (1% of the area = the 2 top cells here).
    rng = np.random.default_rng(3)
    places = rng.uniform(300, 2700, size=(14, 2))
    parts = [uniform_events(1_500, start=0, end=840, rng=rng)]
    for i, (x, y) in enumerate(places):
        parts.append(hotspot_events(60, x=x, y=y, start=60 * i, end=60 * (i + 1), rng=rng))
    result = run_backtest(merge(*parts), test_from=480.0, test_to=840.0, region=REGION)
    forecast, prior_year, _ = (score.mean_hit_rate for score in result.scores)
    assert result.scores[1].name == "prior-year counts"
    assert forecast[0] > 3 * prior_year[0]
