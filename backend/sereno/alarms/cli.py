"""``sereno alarms partner|key|device|mapping``: partners that raise alarms, their keys and devices."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import click

from sereno.core.cli_support import run_with_pool as _run_with_pool
from sereno.core.cli_support import tenant_id as _tenant_id
from sereno.core.errors import AppError

T = TypeVar("T")

__all__ = ["alarms"]


def _run(work: Callable[[], Awaitable[T]]) -> T:
    """Run with the pool open; a refusal (unknown partner, two keys already, outside the city) is a CLI error."""
    try:
        return _run_with_pool(work)
    except AppError as exc:
        details = ", ".join(f"{k}={v}" for k, v in exc.params.items())
        raise click.ClickException(f"{exc.code}{f' ({details})' if details else ''}") from None


async def _secret() -> bytes:
    from sereno.app import _load_secret
    from sereno.cli import _settings

    return await _load_secret(_settings())


def _show_key(key_id: int, fingerprint: str, key: str) -> None:
    click.echo(f"key {key_id} (fingerprint {fingerprint}); signing key, shown once, keep it safe:")
    click.echo(key)


@click.group()
def alarms() -> None:
    """Partner silent alarms and sensors (/api/v1/alarms)."""


@alarms.group()
def partner() -> None:
    """Payment processors, alarm companies and sensor networks."""


@partner.command("create")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug, e.g. tru.")
@click.option("--name", required=True, help='The partner\'s name, e.g. "Procesadora".')
@click.option("--kind", type=click.Choice(["alarm", "sensor"]), default="alarm", show_default=True)
@click.option("--callback-url", default="", help="Where status callbacks are POSTed (optional).")
def partner_create(tenant_slug: str, name: str, kind: str, callback_url: str) -> None:
    """Register a partner and issue its first key."""
    from sereno.alarms import partners

    async def work():
        return await partners.create_partner(tenant_id=await _tenant_id(tenant_slug), name=name, kind=kind,
                                             callback_url=callback_url, secret=await _secret())

    partner_id, info, key = _run(work)
    click.echo(f"partner {partner_id} ({name}, {kind}) for {tenant_slug}")
    _show_key(info.id, info.fingerprint, key)


@alarms.group()
def key() -> None:
    """Signing keys: rotate (a second valid key), revoke, list."""


@key.command("rotate")
@click.option("--partner", "partner_id", required=True, type=int)
def key_rotate(partner_id: int) -> None:
    """Issue a second valid key; revoke the old one once the partner uses the new one."""
    from sereno.alarms import partners

    async def work():
        return await partners.issue_key(partner_id=partner_id, secret=await _secret())

    info, key_value = _run(work)
    _show_key(info.id, info.fingerprint, key_value)


@key.command("revoke")
@click.option("--partner", "partner_id", required=True, type=int)
@click.option("--key-id", required=True, type=int, help="See `sereno alarms key list`.")
def key_revoke(partner_id: int, key_id: int) -> None:
    """Stop accepting a key at once."""
    from sereno.alarms import partners

    if not _run(lambda: partners.revoke_key(partner_id=partner_id, key_id=key_id)):
        raise click.ClickException(f"no valid key {key_id} for partner {partner_id}")
    click.echo(f"key {key_id} revoked")


@key.command("list")
@click.option("--partner", "partner_id", required=True, type=int)
def key_list(partner_id: int) -> None:
    from sereno.alarms import partners

    for k in _run(lambda: partners.list_keys(partner_id=partner_id)):
        click.echo(f"{k.id}\t{k.fingerprint}\t{'valid' if k.valid else 'revoked'}")


@alarms.group()
def device() -> None:
    """Devices at fixed places: POS terminals, panels, sensors, cameras."""


@device.command("add")
@click.option("--partner", "partner_id", required=True, type=int)
@click.option("--device-id", required=True, help="The partner's id of the device.")
@click.option("--name", required=True, help="The merchant's or site's name.")
@click.option("--lat", required=True, type=float)
@click.option("--lon", required=True, type=float)
@click.option("--phone", default="", help="The site's contact phone.")
@click.option("--heartbeat-s", default=0, type=int, help="Expected heartbeat/test interval; 0: none.")
def device_add(partner_id: int, device_id: str, name: str, lat: float, lon: float, phone: str,
               heartbeat_s: int) -> None:
    """Register (or update) a device."""
    from sereno.alarms import partners

    device_pk = _run(lambda: partners.add_device(partner_id=partner_id, device_id=device_id, name=name, lat=lat,
                                                 lon=lon, now=datetime.now(UTC), phone=phone,
                                                 heartbeat_s=heartbeat_s))
    click.echo(f"device {device_id} registered (id {device_pk})")


@alarms.group()
def mapping() -> None:
    """The tenant's category, priority and confidence threshold per event type."""


@mapping.command("set")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--event-type", required=True)
@click.option("--category", required=True, help="A category code, e.g. robbery_assault.")
@click.option("--priority", required=True, type=click.IntRange(1, 4))
@click.option("--min-confidence", default=0.0, type=click.FloatRange(0, 1))
def mapping_set(tenant_slug: str, event_type: str, category: str, priority: int, min_confidence: float) -> None:
    from sereno.alarms import partners
    from sereno.tenants import service as tenants

    async def work() -> None:
        tenant_id = await _tenant_id(tenant_slug)
        await tenants.get_category(tenant_id=tenant_id, code=category)
        await partners.set_mapping(tenant_id=tenant_id, event_type=event_type, category_code=category,
                                   priority=priority, min_confidence=min_confidence)

    _run(work)
    click.echo(f"{event_type} → {category} P{priority} (auto-dispatch from confidence {min_confidence})")
