"""``sereno open311 key create|list|revoke``: API keys for Open311 client applications."""

from __future__ import annotations

from typing import TypeVar

import click

from sereno.core.cli_support import run_with_pool, tenant_id

__all__ = ["open311"]

T = TypeVar("T")


@click.group()
def open311() -> None:
    """Open311 GeoReport v2 (/open311/v2/)."""


@open311.group()
def key() -> None:
    """API keys of client applications (required to POST requests)."""


@key.command("create")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug, e.g. tru.")
@click.option("--name", required=True, help='The application\'s name, e.g. "App X".')
def key_create(tenant_slug: str, name: str) -> None:
    """Issue a key; it is printed once and only its hash is kept."""
    from sereno.transparency.open311 import keys

    async def work() -> tuple[int, str]:
        return await keys.create_client(tenant_id=await tenant_id(tenant_slug), name=name[:120])

    client_id, api_key = run_with_pool(work)
    click.echo(f"client {client_id} ({name}) for {tenant_slug}; api_key (shown once, keep it safe):")
    click.echo(api_key)


@key.command("list")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug, e.g. tru.")
def key_list(tenant_slug: str) -> None:
    """The tenant's client applications (key prefixes only)."""
    from sereno.transparency.open311 import keys

    async def work():
        return await keys.list_clients(tenant_id=await tenant_id(tenant_slug))

    for c in run_with_pool(work):
        click.echo(f"{c.id}\t{c.key_prefix}…\t{'active' if c.active else 'revoked'}\t{c.name}")


@key.command("revoke")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug, e.g. tru.")
@click.option("--id", "client_id", required=True, type=int, help="The client's id (see `key list`).")
def key_revoke(tenant_slug: str, client_id: int) -> None:
    """Turn a key off at once."""
    from sereno.transparency.open311 import keys

    async def work() -> bool:
        return await keys.revoke_client(tenant_id=await tenant_id(tenant_slug), client_id=client_id)

    if not run_with_pool(work):
        raise click.ClickException(f"no active client {client_id} in {tenant_slug}")
    click.echo(f"client {client_id} revoked")
