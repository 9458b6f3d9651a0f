"""The Poisson GLM forecast: the fit recovers known coefficients, features and fits never read the future, and
a city with little history gets the self-exciting forecast instead."""

from __future__ import annotations

import numpy as np
import pytest
from sereno.analytics.backtest import run_backtest
from sereno.analytics.forecast import forecast_surface
from sereno.analytics.forecast_glm import (
    cell_features,
    feature_names,
    fit_glm,
    fit_poisson,
    glm_forecast_surface,
    training_origins,
)

from tests.support.analytics import at_metres, events, hotspot_events, merge, square_region, uniform_events

REGION = square_region()
GRID = REGION.grid


def _city(years: float, per_year: int, rng: np.random.Generator):
    end = 365.0 * years
    return merge(
        uniform_events(int(per_year * years), start=0, end=end, rng=rng),
        hotspot_events(int(per_year * years / 5), x=2100, y=900, start=0, end=end, rng=rng),
    )


def test_poisson_fit_recovers_known_coefficients():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(60_000, 3))
    truth = np.array([-0.7, 0.5, -0.3, 0.8])
    y = rng.poisson(np.exp(truth[0] + x @ truth[1:]))
    assert fit_poisson(x, y) == pytest.approx(truth, abs=0.03)


def test_ridge_penalty_shrinks_coefficients_but_not_the_intercept():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(5_000, 2))
    y = rng.poisson(np.exp(0.2 + x @ np.array([0.6, -0.4])))
    free, ridged = fit_poisson(x, y), fit_poisson(x, y, l2=1e7)
    assert np.all(np.abs(ridged[1:]) < np.abs(free[1:]))
    assert ridged[0] == pytest.approx(np.log(y.mean()), abs=0.01)  # all of the mean goes to the intercept


def test_features_ignore_events_at_or_after_the_origin():
    rng = np.random.default_rng(6)
    history = _city(3, 800, rng)
    origin = 900.0
    later = events([origin, origin + 0.5, origin + 30], [2100, 500, 1500], [900, 500, 1500])
    before = cell_features(history, grid=GRID, cells=REGION.cells, origin=origin)
    after = cell_features(merge(history, later), grid=GRID, cells=REGION.cells, origin=origin)
    assert before.shape == (REGION.n_cells, len(feature_names()))
    np.testing.assert_array_equal(before, after)


def test_fit_reads_no_event_at_or_after_its_cut_off():
    rng = np.random.default_rng(7)
    history = _city(3, 800, rng)
    until = 1000.0
    burst = hotspot_events(200, x=500, y=2500, start=until, end=until + 7, rng=rng)
    a = fit_glm(history, region=REGION, until=until)
    b = fit_glm(merge(history, burst), region=REGION, until=until)
    np.testing.assert_array_equal(a.coef, b.coef)
    assert training_origins(history, until=until, horizon_days=7, params=a.params).max() + 7 <= until


def test_with_enough_history_the_glm_forecast_finds_the_hotspot():
    rng = np.random.default_rng(8)
    history = _city(3, 800, rng)
    surface, method = glm_forecast_surface(history, region=REGION, origin=3 * 365.0)
    assert method == "glm"
    assert int(np.argmax(surface)) == int(GRID.cell_of(*at_metres(2100, 900)))


@pytest.mark.parametrize(("years", "per_year"), [(1.5, 800), (3, 100)])
def test_a_city_with_little_history_falls_back_to_the_self_exciting_forecast(years, per_year):
    rng = np.random.default_rng(9)
    history = _city(years, per_year, rng)
    origin = years * 365.0
    surface, method = glm_forecast_surface(history, region=REGION, origin=origin)
    assert method == "sepp"
    np.testing.assert_array_equal(surface, forecast_surface(history, grid=GRID, origin=origin))


def test_backtest_scores_both_forecasts_against_the_baselines_only():
    rng = np.random.default_rng(10)
    history = _city(3, 800, rng)
    result = run_backtest(
        history, test_from=2.5 * 365, test_to=3 * 365, region=REGION, forecasts=("sepp", "glm")
    )
    names = [score.name for score in result.scores]
    assert names[:2] == ["forecast (grid SEPP)", "forecast (Poisson GLM)"]
    assert [score.baseline for score in result.scores] == [False, False, True, True]
    glm = result.ratio_to_best_baseline(method="forecast (Poisson GLM)")
    best_baseline = max(result.mean_pai(s)[1] for s in result.scores[2:])
    assert glm == pytest.approx(result.mean_pai(result.scores[1])[1] / best_baseline)
