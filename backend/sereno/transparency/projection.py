"""Keeping the public projection in step with the incidents: run by the worker every few minutes.

Each run publishes what became publishable (resolved with a confirmed outcome, the publication delay over),
withdraws what no longer is (reopened), follows resolved → closed, and recomputes the publication level of
every incident in the months it touched, so that no published cell ever holds fewer than k incidents.
Only columns that may be published, or are needed to coarsen them, are read from the incident.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import shapely
from shapely import prepared

from sereno.core import db, outbox
from sereno.core.clock import Clock
from sereno.incidents.lifecycle import CONFIRMED_OUTCOMES
from sereno.settings import PublicSettings
from sereno.transparency import anonymize, cache, queries
from sereno.transparency.anonymize import Grid, Policy

__all__ = ["REFRESH_TOPIC", "policy_from", "refresh", "handlers", "RefreshResult"]

REFRESH_TOPIC = "transparency.refresh"
_BATCH = 5000


def policy_from(settings: PublicSettings) -> Policy:
    return Policy(
        delay_h=settings.delay_h,
        cell_m=settings.cell_m,
        k=settings.k,
        time_person=settings.time_person,
        time_other=settings.time_other,
    )


class RefreshResult(dict):
    """Counts of one run: published, withdrawn, restated (resolved → closed), relevelled."""


async def refresh(*, policy: Policy, key: bytes, now: datetime) -> RefreshResult:
    """Bring every tenant's projection up to date (idempotent; safe to run concurrently: the transaction takes
    an advisory lock per tenant)."""
    totals = RefreshResult(published=0, withdrawn=0, restated=0, relevelled=0)
    async with db.connection() as conn:
        tenants = await conn.fetch(queries.TENANTS)
    for tenant in tenants:
        while True:
            async with db.transaction() as conn:
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('public_incident'), $1)", tenant["id"]
                )
                counts = await _refresh_tenant(conn, tenant=tenant, policy=policy, key=key, now=now)
            if any(counts.values()):
                cache.forget_version(tenant["id"])
            for name, value in counts.items():
                totals[name] += value
            if counts["published"] < _BATCH:
                break
    return totals


async def _refresh_tenant(
    conn: asyncpg.Connection, *, tenant: asyncpg.Record, policy: Policy, key: bytes, now: datetime
) -> dict[str, int]:
    tenant_id = tenant["id"]
    confirmed = list(CONFIRMED_OUTCOMES)
    gone = await conn.fetch(queries.WITHDRAW, tenant_id, confirmed)
    touched: set[date] = {r["month"] for r in gone}
    withdrawn = len(gone)
    rows = await conn.fetch(
        queries.PUBLISHABLE, tenant_id, confirmed, now - timedelta(hours=policy.delay_h), _BATCH
    )
    if rows:
        grid = Grid(cell_m=policy.cell_m, lat0=tenant["lat0"])
        area = prepared.prep(shapely.from_wkb(tenant["area"]))

        def within(lon: float, lat: float) -> bool:
            return area.contains(shapely.Point(lon, lat))

        tz = ZoneInfo(tenant["time_zone"])
        columns = [_publishable(row, grid=grid, tz=tz, policy=policy, key=key, inside=within) for row in rows]
        await conn.execute(queries.INSERT, tenant_id, now, *map(list, zip(*columns, strict=True)))
        touched |= {c[6] for c in columns}
    restatused = int((await conn.execute(queries.RESTATUS, tenant_id, now)).split()[-1])
    relevelled = await _relevel(
        conn, tenant_id=tenant_id, months=touched, grid_lat0=tenant["lat0"], policy=policy, now=now
    )
    if rows or withdrawn or restatused or relevelled:
        await conn.execute(queries.BUMP_VERSION, tenant_id, now)
    return {"published": len(rows), "withdrawn": withdrawn, "restated": restatused, "relevelled": relevelled}


def _publishable(row, *, grid: Grid, tz: ZoneInfo, policy: Policy, key: bytes, inside) -> tuple:
    """The projection's columns for one incident, in the order of queries.INSERT's arrays."""
    person = row["against_person"]
    detail = policy.time_person if person else policy.time_other
    unfounded = row["status"] == "unfounded" or row["outcome"] == "unfounded"
    listed = not row["sensitive"] and not unfounded
    local = row["occurred_at"].astimezone(tz)
    when = anonymize.public_time(local, "hour_band")  # stored whole for statistics; items show ``detail``
    cell = None
    if row["lon"] is not None and listed:
        cell = anonymize.public_cell(
            row["lon"],
            row["lat"],
            key=key,
            incident_id=row["id"],
            grid=grid,
            donut_cells=policy.person_mask_cells if person else policy.mask_cells,
            inside=inside,
        )
    on_scene = row["on_scene_at"]
    return (
        row["id"],
        row["code"] if listed else None,
        row["category_id"],
        row["sensitive"],
        listed,
        row["sector_id"],
        when.month,
        when.day,
        when.hour_band,
        when.weekday,
        detail if listed else "month",
        row["ended_at"].astimezone(tz).date(),
        row["status"],
        "unfounded" if unfounded else row["outcome"],
        int((on_scene - row["reported_at"]).total_seconds()) if on_scene else None,
        None if unfounded else max(0, int((row["ended_at"] - row["reported_at"]).total_seconds())),
        cell[0] if cell else None,
        cell[1] if cell else None,
    )


async def _relevel(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    months: set[date],
    grid_lat0: float,
    policy: Policy,
    now: datetime,
) -> int:
    """Recompute the level and point of every item in ``months``; returns how many changed."""
    if not months:
        return 0
    grid = Grid(cell_m=policy.cell_m, lat0=grid_lat0)
    by_month: dict[date, list[asyncpg.Record]] = defaultdict(list)
    for row in await conn.fetch(queries.MONTH_CELLS, tenant_id, sorted(months)):
        by_month[row["month"]].append(row)
    ids, levels, lons, lats = [], [], [], []
    for rows in by_month.values():
        cells = [(r["cell_x"], r["cell_y"]) if r["cell_x"] is not None else None for r in rows]
        for row, cell, level in zip(
            rows,
            cells,
            anonymize.publication_levels(cells, k=policy.k, coarse_factor=policy.coarse_factor),
            strict=True,
        ):
            if level == row["level"]:
                continue
            if level == "cell":
                point = grid.centre(cell)
            elif level == "coarse":
                point = grid.centre(Grid.coarse(cell, policy.coarse_factor), policy.coarse_factor)
            else:
                point = (None, None)
            ids.append(row["id"])
            levels.append(level)
            lons.append(point[0])
            lats.append(point[1])
    if ids:
        await conn.execute(queries.SET_LEVELS, now, ids, levels, lons, lats)
    return len(ids)


def handlers(settings: PublicSettings, *, key: bytes, clock: Clock) -> dict[str, outbox.Handler]:
    policy = policy_from(settings)

    async def refresh_due(message: outbox.OutboxMessage) -> None:
        await refresh(policy=policy, key=key, now=clock.now())
        async with db.transaction() as conn:
            await outbox.enqueue(
                conn, topic=REFRESH_TOPIC, payload={}, tenant_id=None, delay_s=settings.refresh_s
            )

    return {REFRESH_TOPIC: refresh_due}
