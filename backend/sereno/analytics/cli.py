"""``sereno analytics``: backtest the hotspot forecast (CSV or a tenant's incidents) and print a forecast."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sereno.analytics.backtest import FORECASTS, BacktestResult, run_backtest
from sereno.analytics.events import EventSet, day_number, load_csv, to_datetime
from sereno.analytics.forecast import DEFAULT_PARAMS
from sereno.analytics.forecast_glm import DEFAULT_GLM_PARAMS

__all__ = ["analytics"]


@click.group()
def analytics() -> None:
    """Hotspot forecasts: backtests and the next week's forecast."""


def _tenant_events(slug: str, categories: tuple[str, ...]) -> EventSet:
    from sereno.analytics.queries import load_tenant_area, load_tenant_events
    from sereno.cli import _settings
    from sereno.core import db as core_db

    settings = _settings()

    async def _run() -> EventSet:
        await core_db.start_pool(settings)
        try:
            async with core_db.connection() as conn:
                area = await load_tenant_area(conn, tenant_slug=slug)
                return await load_tenant_events(conn, area=area, categories=categories)
        finally:
            await core_db.stop_pool()

    try:
        return asyncio.run(_run())
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None


def result_table(result: BacktestResult) -> Table:
    table = Table(title=f"Rolling-origin backtest: {len(result.origins)} origins, {result.n_events:,} events")
    table.add_column("method")
    for c in result.coverages:
        table.add_column(f"hit {c:.0%}", justify="right")
        table.add_column(f"PAI {c:.0%}", justify="right")
    for score in result.scores:
        cells = []
        for hit, pai in zip(score.mean_hit_rate, result.mean_pai(score), strict=True):
            cells += [f"{hit:.1%}", f"{pai:.2f}"]
        table.add_row(score.name, *cells)
    return table


@analytics.command("backtest")
@click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False), help="CSV (or .csv.gz).")
@click.option("--tenant", "tenant_slug", help="A tenant's incidents from the database.")
@click.option("--category", "categories", multiple=True, help="Category (repeatable; default all).")
@click.option("--test-from", type=click.DateTime(["%Y-%m-%d"]), default="2019-01-01", show_default=True)
@click.option("--test-to", type=click.DateTime(["%Y-%m-%d"]), default="2019-12-31", show_default=True)
@click.option("--cell-m", type=float, default=200.0, show_default=True)
@click.option("--horizon-days", type=float, default=7.0, show_default=True)
@click.option("--step-days", type=float, default=7.0, show_default=True)
@click.option(
    "--method",
    type=click.Choice([*FORECASTS, "both"]),
    default="both",
    show_default=True,
    help="Forecast(s) to score against the baselines.",
)
def backtest(
    csv_path: str | None,
    tenant_slug: str | None,
    categories: tuple[str, ...],
    test_from: datetime,
    test_to: datetime,
    cell_m: float,
    horizon_days: float,
    step_days: float,
    method: str,
) -> None:
    """Rolling-origin backtest: hit rate and PAI at 1/5/10% coverage, forecast vs baselines.

    The test period includes --test-to (a full last day); origins every --step-days while a whole horizon
    fits in it."""
    if bool(csv_path) == bool(tenant_slug):
        raise click.UsageError("give exactly one of --csv and --tenant")
    console = Console()
    started = time.perf_counter()
    events = (
        load_csv(csv_path, categories=categories) if csv_path else _tenant_events(tenant_slug, categories)
    )
    source = csv_path or f"tenant {tenant_slug}"
    forecasts = FORECASTS if method == "both" else (method,)
    console.print(f"{len(events):,} events from {source}")
    if "sepp" in forecasts:
        console.print(f"grid SEPP: {DEFAULT_PARAMS.describe()}")
    if "glm" in forecasts:
        console.print(f"GLM: {DEFAULT_GLM_PARAMS.describe()}")
    end = day_number(test_to) + 1
    with Progress(
        TextColumn("origins"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("origins", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            result = run_backtest(
                events,
                test_from=day_number(test_from),
                test_to=end,
                cell_m=cell_m,
                horizon_days=horizon_days,
                step_days=step_days,
                forecasts=forecasts,
                on_origin=step,
            )
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    console.print(result_table(result))
    last = to_datetime(float(result.origins[-1])).date()
    console.print(result.region.describe())
    console.print(
        f"origins: {len(result.origins)} (every {step_days:g} days from {test_from:%Y-%m-%d} to {last}), "
        f"horizon {horizon_days:g} days; events in the test windows: {result.n_events:,}; "
        f"history before the test period: {result.n_history:,}"
    )
    console.print(
        f"PAI = hit rate ÷ share of the study region's area flagged ({result.region.area_km2:,.1f} km²)"
    )
    for score in result.scores:
        if not score.baseline:
            ratio = result.ratio_to_best_baseline(coverage=0.05, method=score.name)
            console.print(f"{score.name}: PAI@5% ÷ better baseline's: {ratio:.3f}")
    console.print(f"runtime: {time.perf_counter() - started:.1f} s")


@analytics.command("forecast")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--category", "categories", multiple=True)
@click.option("--horizon-days", type=float, default=7.0, show_default=True)
@click.option("--cell-m", type=float, default=200.0, show_default=True)
@click.option("--top", type=int, default=20, show_default=True)
def forecast(
    tenant_slug: str, categories: tuple[str, ...], horizon_days: float, cell_m: float, top: int
) -> None:
    """The next days' forecast for a tenant: the top cells."""
    from sereno.analytics.service import tenant_forecast
    from sereno.cli import _settings
    from sereno.core import db as core_db

    settings = _settings()

    async def _run():
        await core_db.start_pool(settings)
        try:
            async with core_db.connection() as conn:
                return await tenant_forecast(
                    conn,
                    tenant_slug=tenant_slug,
                    origin=datetime.now(UTC),
                    categories=categories,
                    horizon_days=horizon_days,
                    cell_m=cell_m,
                )
        finally:
            await core_db.stop_pool()

    try:
        result = asyncio.run(_run())
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    table = Table(title=f"Forecast for the next {horizon_days:g} days ({result.n_history:,} past incidents)")
    for name in ("rank", "cell centre (lat, lon)", "expected incidents"):
        table.add_column(name, justify="right")
    for feature in result.geojson(shape="points", top=top)["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        props = feature["properties"]
        table.add_row(str(props["rank"]), f"{lat:.5f}, {lon:.5f}", f"{props['value']:.3f}")
    console = Console()
    console.print(table)
    console.print(result.region.describe())
