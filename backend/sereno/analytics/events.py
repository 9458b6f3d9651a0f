"""Incident sets for analytics: parallel NumPy arrays, loaded from a CSV file or built from database rows.

Times are float days since 1970-01-01 in the local time of the city (the Chicago file is local time; the
database loader converts to the tenant's zone), so that a 7-day horizon and an hour-of-day shift mean what a
dispatcher means by them.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np

__all__ = ["EventSet", "day_number", "load_csv", "to_datetime"]

_EPOCH = np.datetime64("1970-01-01T00:00", "m")
_TIME_COLUMNS = ("time", "date", "datetime", "occurred_at", "reported_at")
_LAT_COLUMNS = ("lat", "latitude", "y")
_LON_COLUMNS = ("lon", "lng", "longitude", "x")
_CATEGORY_COLUMNS = ("category", "type", "primary_type")


@dataclass(frozen=True)
class EventSet:
    """Events in time order. ``weight`` is the priority weight of each event (1 when unknown); ``hour`` its
    local hour of day (fractional) and ``sector`` its sector id (-1 when unknown), used by allocation."""

    t: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    category: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    weight: np.ndarray = field(default_factory=lambda: np.empty(0))

    def __post_init__(self) -> None:
        n = len(self.t)
        if not (len(self.lon) == len(self.lat) == n):
            raise ValueError("t, lon and lat must have the same length")
        if len(self.category) != n:
            object.__setattr__(self, "category", np.full(n, "", dtype=object))
        if len(self.weight) != n:
            object.__setattr__(self, "weight", np.ones(n))
        order = np.argsort(self.t, kind="stable")
        if n and np.any(order != np.arange(n)):
            for name in ("t", "lon", "lat", "category", "weight"):
                object.__setattr__(self, name, getattr(self, name)[order])

    def __len__(self) -> int:
        return len(self.t)

    @property
    def hour(self) -> np.ndarray:
        return (self.t % 1.0) * 24.0

    def select(self, mask: np.ndarray) -> EventSet:
        return EventSet(
            t=self.t[mask],
            lon=self.lon[mask],
            lat=self.lat[mask],
            category=self.category[mask],
            weight=self.weight[mask],
        )

    def between(self, start: float, end: float) -> EventSet:
        """Events with ``start <= t < end`` (days)."""
        lo, hi = np.searchsorted(self.t, [start, end], side="left")
        return self.select(slice(lo, hi))

    def of_categories(self, categories: tuple[str, ...] | list[str]) -> EventSet:
        return self if not categories else self.select(np.isin(self.category, list(categories)))


def day_number(value: date | datetime | str) -> float:
    """Days since 1970-01-01 (local time) of a date, a naive datetime or an ISO string."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    stamp = np.datetime64(value.replace(tzinfo=None), "m")
    return float((stamp - _EPOCH) / np.timedelta64(1, "D"))


def to_datetime(day: float) -> datetime:
    return (_EPOCH + np.timedelta64(round(day * 1440), "m")).astype(datetime)


def _pick(header: list[str], names: tuple[str, ...], *, required: bool) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    if required:
        raise ValueError(f"CSV has no column among {', '.join(names)} (columns: {', '.join(header)})")
    return None


def load_csv(path: str | Path, *, categories: tuple[str, ...] = ()) -> EventSet:
    """Read ``time``/``date``, ``lat``/``latitude``, ``lon``/``longitude`` and an optional ``category``
    column (``.gz`` files are decompressed). Rows without a parsable time or place are skipped."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    header = next(reader)
    i_t = _pick(header, _TIME_COLUMNS, required=True)
    i_lat = _pick(header, _LAT_COLUMNS, required=True)
    i_lon = _pick(header, _LON_COLUMNS, required=True)
    i_cat = _pick(header, _CATEGORY_COLUMNS, required=False)
    times, lons, lats, cats = [], [], [], []
    for row in reader:
        try:
            lon, lat = float(row[i_lon]), float(row[i_lat])
            stamp = row[i_t].strip().replace("T", " ").rstrip("Z")[:16]
        except (ValueError, IndexError):
            continue
        if not stamp or not (np.isfinite(lon) and np.isfinite(lat)):
            continue
        times.append(stamp.replace(" ", "T"))
        lons.append(lon)
        lats.append(lat)
        cats.append(row[i_cat].strip() if i_cat is not None else "")
    stamps = np.array(times, dtype="datetime64[m]")
    events = EventSet(
        t=(stamps - _EPOCH) / np.timedelta64(1, "D"),
        lon=np.array(lons, dtype=float),
        lat=np.array(lats, dtype=float),
        category=np.array(cats, dtype=object),
    )
    return events.of_categories(categories)
