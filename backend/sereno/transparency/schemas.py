"""The public contract: built only from the public projection, never from incident rows, so that a private
field cannot reach it by accident."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

__all__ = [
    "PublicLocation",
    "PublicIncidentItem",
    "PublicIncidentPage",
    "FeedQuery",
    "Count",
    "Duration",
    "PublicStats",
    "PublicationRules",
]


class PublicLocation(msgspec.Struct, frozen=True):
    lat: float
    lon: float
    # Side of the grid cell the point stands for (the incident is somewhere around it, not at it).
    precision_m: int


class PublicIncidentItem(msgspec.Struct, frozen=True, kw_only=True):
    id: str  # the public reference code (Open311's service_request_id)
    category: str
    category_name: str
    district: str | None  # patrol sector code
    district_name: str | None
    month: str  # YYYY-MM, always
    date: date | None  # absent when only the month may be published
    hour_band: str | None  # "18:00-21:00", for incidents not against persons
    status: str  # resolved, closed
    outcome: str
    outcome_name: str
    response_min: int | None  # report → first unit on scene, minutes
    resolution_min: int | None  # report → resolved, minutes
    location: PublicLocation | None  # None: published with its district only (fewer than k around it)
    published_at: datetime


class PublicIncidentPage(msgspec.Struct, frozen=True):
    items: list[PublicIncidentItem]
    next_cursor: str | None


class FeedQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Filters shared by the feed, its exports and the statistics (already validated)."""

    categories: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


class Count(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    key: str  # category or district code, YYYY-MM, ISO weekday 1-7, hour band "00:00-03:00"
    # None: fewer than k (suppressed, like Chicago's aggregates under 3), but more than zero.
    count: int | None
    name: str | None = None
    sensitive: bool = False


class Duration(msgspec.Struct, frozen=True):
    n: int
    median_min: float | None
    p90_min: float | None


class PublicationRules(msgspec.Struct, frozen=True, kw_only=True):
    """How the data was anonymized, for the page and for re-users of the open data."""

    delay_h: float  # hours between resolution and publication
    cell_m: int  # side of a grid cell; a merged (coarse) cell is coarse_m
    coarse_m: int
    k: int  # fewest incidents a published cell or count may stand for
    time_person: str  # time shown for crimes against persons: date or month
    time_other: str  # hour_band, date or month


class PublicStats(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    rules: PublicationRules
    date_from: date | None
    date_to: date | None
    generated_at: datetime
    k: int  # counts under k are shown as null
    total: int  # confirmed incidents published (sensitive included)
    by_category: list[Count]
    by_month: list[Count]
    by_district: list[Count]
    by_weekday: list[Count]
    by_hour_band: list[Count]
    response: Duration  # report → first unit on scene
    resolution: Duration  # report → resolved
    confirmed: int
    unfounded: int
    confirmed_share: float | None
