"""``sereno import incidents``: historical incidents from a CSV file (plain or gzip)."""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

__all__ = ["import_group"]


def _open(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, target = value.partition("=")
        if not sep or not key or not target:
            raise click.BadParameter(f"expected NAME=VALUE, got '{value}'", param_hint=option)
        pairs[key] = target
    return pairs


@click.group("import")
def import_group() -> None:
    """Import records from other systems."""


@import_group.command("incidents")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug, e.g. tru.")
@click.option(
    "--category", "default_category", help="Category code for rows without one (single-type files)."
)
@click.option(
    "--category-map", multiple=True, help="RAW=code: the file's category value to ours (repeatable)."
)
@click.option("--column", multiple=True, help="FIELD=column, FIELD in source_id, time, lat, lon, category.")
@click.option("--time-zone", help="Zone of times without an offset (default: the tenant's).")
@click.option("--batch", default=2000, show_default=True, help="Rows per statement.")
@click.option("--max-errors-shown", default=30, show_default=True)
def import_incidents(
    file: Path,
    tenant_slug: str,
    default_category: str | None,
    category_map: tuple[str, ...],
    column: tuple[str, ...],
    time_zone: str | None,
    batch: int,
    max_errors_shown: int,
) -> None:
    """Import historical incidents from FILE (CSV with a header; .gz allowed). Bad rows are reported with
    their line numbers and skipped; rows whose source id was imported before are skipped, so running the
    same file again adds nothing."""
    from sereno.cli import _settings
    from sereno.core import db
    from sereno.incidents import importer

    settings = _settings()
    overrides = _pairs(column, "--column")
    mapping = _pairs(category_map, "--category-map")
    with _open(file) as handle:
        header = next(csv.reader(handle), [])
        total = sum(1 for _ in handle)
    try:
        columns = importer.detect_columns(header, overrides)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    console = Console(stderr=True)

    async def run() -> tuple[int, int, list[importer.RowError]]:
        await db.start_pool(settings)
        try:
            async with db.connection() as conn:
                tenant = await conn.fetchrow("SELECT id, time_zone FROM tenant WHERE slug = $1", tenant_slug)
                if tenant is None:
                    raise click.ClickException(f"unknown tenant '{tenant_slug}'")
                categories = {
                    r["code"]: (r["id"], r["default_priority"])
                    for r in await conn.fetch(
                        "SELECT id, code, default_priority FROM category WHERE tenant = $1", tenant["id"]
                    )
                }
            if default_category and default_category not in categories:
                raise click.ClickException(f"unknown category '{default_category}'")
            tz = ZoneInfo(time_zone or tenant["time_zone"])
            inserted = already = 0
            errors: list[importer.RowError] = []
            with _open(file) as handle, Progress(
                TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=console,
            ) as progress:  # fmt: skip
                task = progress.add_task("rows", total=total)
                pending: list[importer.ParsedRow] = []

                async def flush() -> None:
                    nonlocal inserted, already
                    async with db.transaction() as conn:
                        result = await importer.write_batch(
                            conn, tenant_id=tenant["id"], rows=pending, now=datetime.now(UTC)
                        )
                    inserted += result.inserted
                    already += result.already
                    errors.extend(result.errors)
                    progress.advance(task, len(pending))
                    pending.clear()

                for item in importer.parse_rows(
                    handle, columns=columns, tz=tz, categories=categories, category_map=mapping,
                    default_category=default_category,
                ):  # fmt: skip
                    if isinstance(item, importer.RowError):
                        errors.append(item)
                        progress.advance(task)
                        continue
                    pending.append(item)
                    if len(pending) >= batch:
                        await flush()
                if pending:
                    await flush()
            return inserted, already, sorted(errors, key=lambda e: e.line)
        finally:
            await db.stop_pool()

    inserted, already, errors = asyncio.run(run())
    for error in errors[:max_errors_shown]:
        click.echo(f"line {error.line}: {error.message}", err=True)
    if len(errors) > max_errors_shown:
        click.echo(f"... and {len(errors) - max_errors_shown} more rows with errors", err=True)
    click.echo(f"{inserted} imported, {already} already there, {len(errors)} rejected (of {total} rows)")
