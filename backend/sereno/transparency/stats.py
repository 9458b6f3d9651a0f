"""The public statistics: counts by category, month, district, weekday and hour band, response and
resolution times, and the share of confirmed reports, from the projection, with counts under k suppressed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sereno.core import db
from sereno.settings import PublicSettings
from sereno.tenants.schemas import TenantInfo
from sereno.transparency import queries
from sereno.transparency.anonymize import COARSE_FACTOR, HOUR_BAND_H
from sereno.transparency.schemas import Count, Duration, FeedQuery, PublicationRules, PublicStats
from sereno.transparency.service import filter_args, hour_band_label, names

__all__ = ["stats"]

_WEEKDAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


async def stats(
    *, tenant: TenantInfo, query: FeedQuery, lang: str, settings: PublicSettings, now: datetime
) -> PublicStats:
    table = await names(tenant.id)
    first = query.date_from.replace(day=1) if query.date_from else None
    async with db.read_connection() as conn:
        rows = await conn.fetch(
            queries.STATS, *filter_args(tenant.id, query, table)[:3], first, query.date_to
        )
    k = settings.k
    dims: dict[str, dict[str, float]] = {}
    for r in rows:
        if r["key"] is not None and r["n"] is not None:
            dims.setdefault(r["dim"], {})[r["key"]] = r["n"]

    def count(n: float | None) -> int | None:
        n = int(n or 0)
        return n if n == 0 or n >= k else None

    def counts(
        dim: str, name: Callable[[str], str | None], order: list[str] | None = None, **flags
    ) -> list[Count]:
        values = dims.get(dim, {})
        keys = order if order is not None else sorted(values, key=lambda key: -values[key])
        return [
            Count(key=key, name=name(key), count=count(values.get(key)), **flags.get(key, {})) for key in keys
        ]

    category_rows = []
    for key in sorted(dims.get("category", {}), key=lambda key: -dims["category"][key]):
        code, name_es, name_en, sensitive = table.categories[int(key)]
        n = dims["category"][key]
        category_rows.append(
            Count(key=code, name=name_en if lang == "en" else name_es, count=count(n), sensitive=sensitive)
        )
    months = sorted(dims.get("month", {}))
    # Every district, those with nothing published as 0, so a page can list them all.
    by_sector = dims.get("district", {})
    districts = [
        Count(key=code, name=name, count=count(by_sector.get(str(sector_id))))
        for sector_id, (code, name) in sorted(
            table.sectors.items(), key=lambda s: (-by_sector.get(str(s[0]), 0), s[1][0])
        )
    ]

    def duration(name: str) -> Duration:
        values = dims.get(name, {})
        n = int(values.get("n", 0))
        if n < k:
            return Duration(n=n, median_min=None, p90_min=None)
        return Duration(n=n, median_min=round(values["p50"] / 60, 1), p90_min=round(values["p90"] / 60, 1))

    outcomes = dims.get("outcome", {})
    confirmed, unfounded = int(outcomes.get("confirmed", 0)), int(outcomes.get("unfounded", 0))
    return PublicStats(
        tenant=tenant.slug,
        rules=PublicationRules(
            delay_h=settings.delay_h,
            cell_m=int(settings.cell_m),
            coarse_m=int(settings.cell_m) * COARSE_FACTOR,
            k=k,
            time_person=settings.time_person,
            time_other=settings.time_other,
        ),
        date_from=query.date_from,
        date_to=query.date_to,
        generated_at=now,
        k=k,
        total=confirmed,
        by_category=category_rows,
        by_month=counts("month", lambda key: None, months),
        by_district=districts,
        by_weekday=counts(
            "weekday", lambda key: _WEEKDAYS[lang][int(key) - 1], [str(d) for d in range(1, 8)]
        ),
        by_hour_band=[
            Count(key=hour_band_label(b), count=count(dims.get("hour_band", {}).get(str(b))))
            for b in range(24 // HOUR_BAND_H)
        ],
        response=duration("response"),
        resolution=duration("resolution"),
        confirmed=confirmed,
        unfounded=unfounded,
        confirmed_share=round(confirmed / (confirmed + unfounded), 4) if confirmed + unfounded else None,
    )
