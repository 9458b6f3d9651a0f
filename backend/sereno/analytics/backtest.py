"""Rolling-origin evaluation of hotspot forecasts: hit rate and PAI at fixed coverages, against baselines.

At each origin (every ``step_days`` across the test period) every method is fitted on the events before the
origin only and ranks the study region's cells for the next ``horizon_days``; the top 1%, 5% and 10% of the
region's cells are flagged. For each coverage:

- **hit rate** = share of the period's events that fell in flagged cells (events outside the study region
  count as misses, for every method alike);
- **PAI** (Predictive Accuracy Index, Chainey, Tompson & Uhlig 2008, Security Journal 21) = hit rate ÷ area
  share flagged, where the area share is flagged cells ÷ study-region cells. A perfect forecast that puts all
  events in the flagged cells scores 1 ÷ area share; a random one scores about 1.

Ties at the cut-off (common for count baselines: many cells with one event) are resolved by their
expectation under random tie-breaking: the tied cells share the remaining slots, each contributing that
fraction of its events. Means over origins are reported (origins with no events are skipped).

Methods: the forecasts named in ``forecasts``: ``sepp`` (:mod:`sereno.analytics.forecast`) and ``glm``
(:mod:`sereno.analytics.forecast_glm`, fitted once on training origins before the test period, falling back to
``sepp`` with too little history); then the baselines ``prior-year counts`` (events per cell in the 365 days
before the origin) and ``retrospective KDE`` (a Gaussian KDE of the whole history; bandwidth 100 m, the best of
0–300 m on the 2018 validation year, so the baseline is as strong as we could make it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sereno.analytics.events import EventSet
from sereno.analytics.forecast import DEFAULT_PARAMS, ForecastParams, forecast_surface
from sereno.analytics.forecast_glm import DEFAULT_GLM_PARAMS, GlmParams, fit_glm, has_enough_history
from sereno.analytics.grid import Grid, StudyRegion, grid_for, region_from_events, smooth

__all__ = [
    "COVERAGES",
    "FORECASTS",
    "BacktestResult",
    "MethodScore",
    "baseline_methods",
    "hit_rates",
    "run_backtest",
]

COVERAGES = (0.01, 0.05, 0.10)
BASELINE_KDE_BANDWIDTH_M = 100.0
FORECASTS = ("sepp", "glm")
Method = Callable[[EventSet, float], np.ndarray]


def flagged_count(n_cells: int, coverage: float) -> int:
    return max(1, round(coverage * n_cells))


def hit_rates(
    score: np.ndarray,
    actual: np.ndarray,
    *,
    region: StudyRegion,
    coverages: tuple[float, ...] = COVERAGES,
    total: float | None = None,
) -> np.ndarray:
    """Share of the ``actual`` events (a per-cell count surface) in the top ``coverage`` share of the
    region's cells ranked by ``score``, for each coverage. ``total`` is the number of events including any
    outside the region (default: the surface's sum)."""
    cells = region.cells
    s = score.ravel()[cells]
    c = actual.ravel()[cells]
    total = float(actual.sum()) if total is None else float(total)
    if total <= 0:
        return np.full(len(coverages), np.nan)
    ranked = np.sort(s)[::-1]
    out = []
    for coverage in coverages:
        k = flagged_count(len(cells), coverage)
        cut = ranked[k - 1]
        above, tied = s > cut, s == cut
        share = (k - above.sum()) / tied.sum()
        out.append((c[above].sum() + share * c[tied].sum()) / total)
    return np.array(out)


def baseline_methods(*, grid: Grid, kde_bandwidth_m: float = BASELINE_KDE_BANDWIDTH_M) -> dict[str, Method]:
    def prior_year(history: EventSet, origin: float) -> np.ndarray:
        return grid.counts(history.between(origin - 365.0, origin))

    def retrospective_kde(history: EventSet, origin: float) -> np.ndarray:
        return smooth(grid.counts(history.between(-np.inf, origin)), grid=grid, bandwidth_m=kde_bandwidth_m)

    return {
        "prior-year counts": prior_year,
        f"retrospective KDE ({kde_bandwidth_m:g} m)": retrospective_kde,
    }


@dataclass(frozen=True)
class MethodScore:
    name: str
    hit_rates: np.ndarray  # origins × coverages (NaN rows: origins without events)
    baseline: bool = False

    @property
    def mean_hit_rate(self) -> np.ndarray:
        return np.nanmean(self.hit_rates, axis=0)


@dataclass(frozen=True)
class BacktestResult:
    region: StudyRegion
    coverages: tuple[float, ...]
    origins: np.ndarray
    horizon_days: float
    n_events: int
    n_history: int
    scores: list[MethodScore] = field(default_factory=list)

    def area_shares(self) -> np.ndarray:
        n = self.region.n_cells
        return np.array([flagged_count(n, c) / n for c in self.coverages])

    def mean_pai(self, score: MethodScore) -> np.ndarray:
        return score.mean_hit_rate / self.area_shares()

    def ratio_to_best_baseline(self, *, coverage: float = 0.05, method: str | None = None) -> float:
        """PAI of a forecast (``method``, by name; the first row by default) ÷ the best baseline's PAI at
        ``coverage``."""
        i = self.coverages.index(coverage)
        ours = next(s for s in self.scores if method is None or s.name == method)
        best = max(self.mean_pai(s)[i] for s in self.scores if s.baseline)
        return float(self.mean_pai(ours)[i] / best)


def run_backtest(
    events: EventSet,
    *,
    test_from: float,
    test_to: float,
    cell_m: float = 200.0,
    horizon_days: float = 7.0,
    step_days: float = 7.0,
    params: ForecastParams = DEFAULT_PARAMS,
    forecasts: tuple[str, ...] = ("sepp",),
    glm_params: GlmParams = DEFAULT_GLM_PARAMS,
    region: StudyRegion | None = None,
    coverages: tuple[float, ...] = COVERAGES,
    baseline_kde_bandwidth_m: float = BASELINE_KDE_BANDWIDTH_M,
    on_origin: Callable[[int, int], None] | None = None,
) -> BacktestResult:
    """Evaluate the forecast and the baselines at origins ``test_from, test_from + step, ...`` while a full
    horizon fits before ``test_to`` (days, exclusive). The study region defaults to the cells with at least
    one event before ``test_from``. ``on_origin(done, total)`` is called after each origin (progress)."""
    history = events.between(-np.inf, test_from)
    if not len(history):
        raise ValueError("no events before the test period to learn from")
    if region is None:
        grid = grid_for(lon=events.lon, lat=events.lat, cell_m=cell_m)
        region = region_from_events(grid, history)
    grid = region.grid
    origins = np.arange(test_from, test_to - horizon_days + 1e-9, step_days)
    if not len(origins):
        raise ValueError("the test period is shorter than one horizon")
    methods: dict[str, Method] = {}
    for name in forecasts:
        methods.update(_forecast_method(name, events, region, test_from, horizon_days, params, glm_params))
    baselines = baseline_methods(grid=grid, kde_bandwidth_m=baseline_kde_bandwidth_m)
    methods.update(baselines)
    rates = {name: [] for name in methods}
    n_events = 0
    for done, origin in enumerate(origins, start=1):
        past = events.between(-np.inf, origin)
        target = events.between(origin, origin + horizon_days)
        n_events += len(target)
        actual = grid.counts(target)
        for name, method in methods.items():
            rates[name].append(
                hit_rates(method(past, origin), actual, region=region, coverages=coverages, total=len(target))
            )
        if on_origin is not None:
            on_origin(done, len(origins))
    return BacktestResult(
        region=region,
        coverages=coverages,
        origins=origins,
        horizon_days=horizon_days,
        n_events=n_events,
        n_history=len(history),
        scores=[
            MethodScore(name=name, hit_rates=np.array(r), baseline=name in baselines)
            for name, r in rates.items()
        ],
    )


def _forecast_method(
    name: str,
    events: EventSet,
    region: StudyRegion,
    test_from: float,
    horizon_days: float,
    params: ForecastParams,
    glm_params: GlmParams,
) -> dict[str, Method]:
    def sepp(history: EventSet, origin: float) -> np.ndarray:
        return forecast_surface(
            history, grid=region.grid, origin=origin, horizon_days=horizon_days, params=params
        )

    if name == "sepp":
        return {"forecast (grid SEPP)": sepp}
    if name != "glm":
        raise ValueError(f"unknown forecast {name!r} (one of {', '.join(FORECASTS)})")
    if not has_enough_history(events, origin=test_from, params=glm_params):
        return {"forecast (Poisson GLM; too little history: SEPP)": sepp}
    # Fitted once, on training origins whose targets end before the test period.
    model = fit_glm(events, region=region, until=test_from, horizon_days=horizon_days, params=glm_params)
    return {"forecast (Poisson GLM)": lambda h, o: model.surface(h, region=region, origin=o)}
