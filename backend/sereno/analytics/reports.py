"""The weekly committee report: what the mayor's security committee decides patrols from (incidents by type,
place, hour, weekday and month, response times, callbacks, unfounded reports, units' load).

One statement per section, all aggregated by PostgreSQL (the report over a million incidents stays within a
few hundred milliseconds: see benchmarks/report.py); this module only names and arranges the rows.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from sereno.analytics import report_queries as q
from sereno.analytics.schemas import (
    Callbacks,
    ClockCount,
    Compared,
    DepartmentService,
    Durations,
    MonthCount,
    StepTimes,
    UnitLoad,
    WeeklyReport,
)
from sereno.core import db
from sereno.tenants.schemas import TenantInfo

__all__ = ["default_period", "weekly_report"]

_TREND_MONTHS = 24
_WEEKDAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def default_period(*, now: datetime, time_zone: str) -> tuple[datetime, datetime]:
    """The last seven whole days in the tenant's time zone, ending at today's midnight."""
    tz = ZoneInfo(time_zone)
    end = datetime.combine(now.astimezone(tz).date(), time(), tz)
    return end - timedelta(days=7), end


def local_period(*, first: date, last: date, time_zone: str) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in the tenant's time zone."""
    tz = ZoneInfo(time_zone)
    return datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _durations(row: asyncpg.Record, step: str) -> Durations:
    return Durations(
        n=row[f"n_{step}"], median_min=_minutes(row[f"{step}_p50"]), p90_min=_minutes(row[f"{step}_p90"])
    )


_PARALLEL = 3  # statements of one report in flight at once (each on its own pooled connection)


async def weekly_report(
    *, tenant: TenantInfo, start: datetime, end: datetime, now: datetime, lang: str
) -> WeeklyReport:
    """Build the report; its statements run side by side on a few pooled connections."""
    period = (tenant.id, start, end)
    gate = asyncio.Semaphore(_PARALLEL)

    async def fetch(sql: str, *args) -> list[asyncpg.Record]:
        async with gate, db.read_connection() as conn:
            return await conn.fetch(sql, *args)

    local_end = end.astimezone(ZoneInfo(tenant.time_zone))
    first_month = (local_end.replace(day=1) - timedelta(days=31 * (_TREND_MONTHS - 1))).replace(day=1)
    (
        category_rows,
        sector_rows,
        count_rows,
        clock_rows,
        trend_rows,
        time_rows,
        (cb,),
        (outcomes,),
        unit_rows,
        participation_rows,
    ) = await asyncio.gather(
        fetch("SELECT id, code, name_es, name_en FROM category WHERE tenant = $1", tenant.id),
        fetch("SELECT id, code, name FROM sector WHERE tenant = $1", tenant.id),
        fetch(q.COUNTS, *period, end - start),
        fetch(q.CLOCK, *period, end - start, tenant.time_zone),
        fetch(q.TREND, tenant.id, first_month, end, tenant.time_zone),
        fetch(q.TIMES, *period),
        fetch(q.CALLBACKS, *period, now),
        fetch(q.OUTCOMES, *period),
        fetch(q.UNITS, *period, now),
        fetch(q.PARTICIPATION, *period, now),
    )
    categories = {r["id"]: (r["code"], r["name_en"] if lang == "en" else r["name_es"]) for r in category_rows}
    sectors = {r["id"]: (r["code"], r["name"]) for r in sector_rows}
    names = {"category": categories, "sector": sectors}

    counts: dict[tuple[str, int | None], list[int]] = {}
    for r in count_rows:
        counts.setdefault((r["dim"], r["key"]), [0, 0, 0])[r["period"]] = r["n"]

    def compared(dim: str) -> list[Compared]:
        rows = []
        for (d, key), (current, previous, last_year) in counts.items():
            if d != dim:
                continue
            code, name = names[dim].get(key, ("-", "sin sector" if lang == "es" else "no sector"))
            avg = previous / 4
            change = round(100 * (current - avg) / avg, 1) if avg else None
            rows.append(Compared(key=code, name=name, current=current, previous_avg=avg, last_year=last_year,
                                 change_pct=change))  # fmt: skip
        return sorted(rows, key=lambda c: (-c.current, -c.previous_avg, c.key))

    hours = {h: [0, 0] for h in range(24)}
    weekdays = {d: [0, 0] for d in range(1, 8)}
    for r in clock_rows:
        column = 0 if r["current"] else 1
        hours[r["hour"]][column] += r["n"]
        weekdays[r["weekday"]][column] += r["n"]

    trend = [MonthCount(month=r["month"], count=r["n"]) for r in trend_rows]

    times = []
    for r in sorted(
        time_rows,
        key=lambda r: ({"all": 0, "priority": 1, "sector": 2}[r["dim"]], r["key"] or 0),
    ):
        if r["dim"] == "all":
            key, name = "all", "todas" if lang == "es" else "all"
        elif r["dim"] == "priority":
            key = name = f"P{r['key']}"
        else:
            key, name = sectors.get(r["key"], ("-", "-"))
        times.append(
            StepTimes(
                key=key,
                name=name,
                incidents=r["n"],
                to_dispatch=_durations(r, "dispatch"),
                to_scene=_durations(r, "scene"),
                to_resolve=_durations(r, "resolve"),
            )
        )

    units = [
        UnitLoad(
            call_sign=r["call_sign"],
            agency=r["agency"],
            duty_h=round(r["duty_s"] / 3600, 1),
            busy_h=round(r["busy_s"] / 3600, 1),
            busy_share=round(r["busy_s"] / r["duty_s"], 3) if r["duty_s"] else None,
            cases=r["cases"],
        )
        for r in unit_rows
    ]
    duty = sum(u.duty_h for u in units)
    busy = sum(u.busy_h for u in units)
    total = outcomes["total"]
    by_category = compared("category")
    return WeeklyReport(
        tenant=tenant.slug,
        tenant_name=tenant.name,
        period_from=start,
        period_to=end,
        time_zone=tenant.time_zone,
        generated_at=now,
        total=total,
        previous_avg=sum(c.previous_avg for c in by_category),
        last_year=sum(c.last_year for c in by_category),
        by_category=by_category,
        by_sector=compared("sector"),
        by_hour=[ClockCount(h, f"{h:02d}:00", c, p / 4) for h, (c, p) in hours.items()],
        by_weekday=[ClockCount(d, _WEEKDAYS[lang][d - 1], c, p / 4) for d, (c, p) in weekdays.items()],
        by_month=trend,
        times=times,
        callbacks=Callbacks(
            due=cb["due"],
            on_time=cb["on_time"],
            late=cb["late"],
            overdue=cb["overdue"],
            compliance=round(cb["on_time"] / cb["due"], 3) if cb["due"] else None,
        ),
        unfounded=outcomes["unfounded"],
        unfounded_share=round(outcomes["unfounded"] / total, 4) if total else None,
        resolved_share=round(outcomes["resolved"] / total, 4) if total else None,
        units=units,
        duty_h=round(duty, 1),
        busy_h=round(busy, 1),
        busy_share=round(busy / duty, 3) if duty else None,
        participation=_participation(participation_rows, lang),
    )


def _participation(rows: list[asyncpg.Record], lang: str) -> list[DepartmentService]:
    def service(r: asyncpg.Record) -> DepartmentService:
        everyone = "todas las áreas" if lang == "es" else "all departments"
        return DepartmentService(
            key="all" if r["total"] else r["code"],
            name=everyone if r["total"] else r["name_en" if lang == "en" else "name_es"],
            received=r["received"],
            answered=r["answered"],
            on_time=r["on_time"],
            overdue=r["overdue"],
            on_time_share=round(r["on_time"] / r["received"], 3) if r["received"] else None,
            median_answer_h=None if r["answer_p50_s"] is None else round(r["answer_p50_s"] / 3600, 1),
        )

    return sorted((service(r) for r in rows), key=lambda s: (s.key != "all", -s.received, s.key))
