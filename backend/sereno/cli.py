"""The ``sereno`` command: server, worker, migrations, demo data, accounts, configuration."""

from __future__ import annotations

import asyncio
import getpass
import sys
from datetime import UTC, datetime

import click

from sereno.alarms.cli import alarms
from sereno.analytics.cli import analytics
from sereno.settings import ConfigError, describe_variables, get_settings
from sereno.incidents.cli import import_group
from sereno.transparency.open311.cli import open311

__all__ = ["main"]


def _settings():
    try:
        settings = get_settings()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None
    if not settings.db.url:
        raise click.ClickException("DATABASE_URL is not set (scripts/run starts a local cluster and sets it)")
    return settings


@click.group()
def main() -> None:
    """Sereno: citizen reporting, dispatch and transparency for municipalities."""


main.add_command(open311)
main.add_command(alarms)
main.add_command(import_group)
main.add_command(analytics)


@main.command()
@click.option("--host", default=None, help="Bind address (default SERENO_HOST).")
@click.option("--port", default=None, type=int, help="Port (default SERENO_PORT).")
@click.option("--workers", default=None, type=int, help="HTTP worker processes (default SERENO_WORKERS).")
def run(host: str | None, port: int | None, workers: int | None) -> None:
    """Start the API, the apps and (by default) the outbox worker."""
    import uvicorn

    from sereno.core.observability import log_config

    settings = _settings()
    uvicorn.run(
        "sereno.app:create_app",
        factory=True,
        host=host or settings.server.host,
        port=port or settings.server.port,
        workers=workers or settings.server.workers,
        log_level=settings.server.log_level,
        log_config=log_config(level=settings.server.log_level, json=settings.server.log_format == "json"),
        # Behind a trusted proxy uvicorn puts the real client in the scope, so rate limits and login
        # throttling count citizens, not the proxy; from anyone else X-Forwarded-For is ignored (spoofable).
        proxy_headers=bool(settings.server.trusted_proxies),
        forwarded_allow_ips=settings.server.trusted_proxies or None,
    )


@main.command()
def worker() -> None:
    """Run the outbox worker alone (set SERENO_WORKER_IN_PROCESS=false on the API processes)."""
    from sereno.app import run_worker

    asyncio.run(run_worker(_settings()))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("migrate")
def db_migrate() -> None:
    """Apply every pending migration (PostGIS included)."""
    _settings()
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = asyncio.run(run_forwards(app_name="sereno"))
    if not result.success:
        raise click.ClickException(f"migration failed: {result.message}")
    click.echo("database is up to date")


@main.group()
def demo() -> None:
    """Demo cities (Trujillo, Miraflores) with history."""


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the demo tenant already exists.")
def demo_load(if_empty: bool) -> None:
    """Load the demo cities, staff accounts and two years of historical incidents."""
    settings = _settings()
    from sereno.core import db as core_db
    from sereno.demo.load import DemoAlreadyLoaded, load_demo

    async def _run():
        await core_db.start_pool(settings)
        try:
            return await load_demo(db=core_db.pool(), if_empty=if_empty, now=datetime.now(UTC))
        finally:
            await core_db.stop_pool()

    try:
        summary = asyncio.run(_run())
    except DemoAlreadyLoaded as exc:
        raise click.ClickException(f"demo data already loaded ({exc}); use --if-empty to skip") from None
    if not summary.loaded:
        click.echo("demo data already present: nothing to do")
        return
    for city in summary.cities:
        click.echo(
            f"{city.slug}: {city.sectors} sectors, {city.categories} categories, {city.accounts} staff accounts, "
            f"{city.units} units, "
            f"{city.incidents} incidents ({city.events} timeline events)"
        )
    click.echo(f"demo loaded in {summary.seconds:.1f} s")


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("create")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug, e.g. tru.")
@click.option("--username", required=True)
@click.option("--name", "full_name", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["officer", "dispatcher", "supervisor", "analyst", "admin", "clerk"])
)
@click.option("--agency", default="serenazgo", type=click.Choice(["serenazgo", "police", "fire", "medical"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(
    tenant_slug: str, username: str, full_name: str, role: str, agency: str, password_stdin: bool
) -> None:
    """Create a staff account (there are no default passwords outside the demo)."""
    settings = _settings()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat password: "):
            raise click.ClickException("passwords differ")
    from sereno.accounts.service import create_account
    from sereno.core import db as core_db
    from sereno.tenants.service import get_tenant

    async def _run() -> int:
        await core_db.start_pool(settings)
        try:
            tenant = await get_tenant(slug=tenant_slug)
            return await create_account(
                tenant_id=tenant.id,
                username=username,
                full_name=full_name,
                role=role,
                agency=agency,
                password=password,
            )
        finally:
            await core_db.stop_pool()

    try:
        account_id = asyncio.run(_run())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created account {account_id} ({username}, {role})")


@main.command("config")
def config() -> None:
    """Print every configuration variable with its default (Markdown table)."""
    click.echo("| Variable | Default | Meaning |\n|---|---|---|")
    for var, default, doc in describe_variables():
        click.echo(f"| `{var}` | {f'`{default}`' if default else ''} | {doc} |")
