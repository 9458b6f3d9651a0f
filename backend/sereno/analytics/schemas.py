"""The weekly committee report (staff only)."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = [
    "Compared",
    "ClockCount",
    "MonthCount",
    "Durations",
    "StepTimes",
    "Callbacks",
    "UnitLoad",
    "WeeklyReport",
]


class Compared(msgspec.Struct, frozen=True, kw_only=True):
    """A count in the period against the average of the four periods before it and the same period a year
    earlier (52 weeks back)."""

    key: str  # category or sector code
    name: str
    current: int
    previous_avg: float
    last_year: int
    change_pct: float | None  # against previous_avg; None when that is 0


class ClockCount(msgspec.Struct, frozen=True):
    key: int  # hour 0-23, or ISO weekday 1-7
    name: str
    current: int
    previous_avg: float


class MonthCount(msgspec.Struct, frozen=True):
    month: str  # YYYY-MM
    count: int


class Durations(msgspec.Struct, frozen=True):
    n: int
    median_min: float | None
    p90_min: float | None


class StepTimes(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # "all", P1..P4, or a sector code
    name: str
    incidents: int
    to_dispatch: Durations
    to_scene: Durations
    to_resolve: Durations


class Callbacks(msgspec.Struct, frozen=True, kw_only=True):
    due: int
    on_time: int
    late: int
    overdue: int  # due in the period, past due and still not done
    compliance: float | None  # on_time / due


class UnitLoad(msgspec.Struct, frozen=True, kw_only=True):
    call_sign: str
    agency: str
    duty_h: float
    busy_h: float
    busy_share: float | None
    cases: int


class DepartmentService(msgspec.Struct, frozen=True, kw_only=True):
    """How a department answered the citizens' complaints, suggestions and questions received in the period."""

    key: str  # department code, or "all"
    name: str
    received: int
    answered: int  # answered or closed with a reason, so far
    on_time: int  # of those, by the deadline
    overdue: int  # still open past the deadline
    on_time_share: float | None  # on_time / received
    median_answer_h: float | None


class WeeklyReport(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    tenant_name: str
    period_from: datetime
    period_to: datetime
    time_zone: str
    generated_at: datetime
    total: int
    previous_avg: float
    last_year: int
    by_category: list[Compared]
    by_sector: list[Compared]
    by_hour: list[ClockCount]
    by_weekday: list[ClockCount]
    by_month: list[MonthCount]
    times: list[StepTimes]  # "all" first, then by priority, then by sector
    callbacks: Callbacks
    unfounded: int
    unfounded_share: float | None
    resolved_share: float | None
    units: list[UnitLoad]
    duty_h: float
    busy_h: float
    busy_share: float | None
    participation: list[DepartmentService]  # "all" first, then by department
