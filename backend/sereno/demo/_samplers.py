"""Where and when demo incidents happen: evening and weekend peaks by category profile, seasons, and
Gaussian clusters around each city's hotspots inside its service area (approximate, synthetic)."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import shapely

from sereno.demo.cities import DemoCity

__all__ = ["HISTORY", "LIMA", "PROFILE", "TimeSampler", "PlaceSampler", "offset"]

HISTORY = timedelta(days=730)
LIMA = ZoneInfo("America/Lima")

_HOURS_DEFAULT = (
    3,
    2,
    1.5,
    1,
    1,
    1,
    1.5,
    2.5,
    3.5,
    4,
    4.5,
    5,
    5.5,
    5.5,
    5.5,
    6,
    6.5,
    7.5,
    8.5,
    9,
    9,
    8.5,
    7,
    5,
)
_HOURS_NIGHT = (8, 7, 5, 3, 1.5, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1.5, 2, 3, 4, 6, 8, 9, 9)
_HOURS_TRAFFIC = (1.5, 1, 1, 0.8, 0.8, 1.5, 3, 6, 7, 5, 4, 4, 5, 5, 4.5, 5, 6, 7.5, 8, 7, 5, 4, 3, 2)
# Monday..Sunday, relative.
_WEEKDAYS_DEFAULT = (0.9, 0.9, 0.95, 1.0, 1.2, 1.4, 1.15)
_WEEKDAYS_NIGHT = (0.6, 0.6, 0.7, 0.8, 1.5, 2.0, 1.2)
PROFILE = {"noise_disturbance": "night", "accident": "traffic"}


class TimeSampler:
    """Report times in local time: weighted weekday (and a mild season), weighted hour, uniform minute."""

    def __init__(self, *, now: datetime, rng: random.Random) -> None:
        # The last day is left out so that every sampled timeline has run its course before ``now``.
        self.start, self.end = now - HISTORY, now - timedelta(days=1)
        self.rng = rng
        first = self.start.astimezone(LIMA).date()
        last = self.end.astimezone(LIMA).date()
        self.days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        self.day_weights = {
            name: _cumulative([weekdays[d.weekday()] * _season(d) for d in self.days])
            for name, weekdays in (("default", _WEEKDAYS_DEFAULT), ("night", _WEEKDAYS_NIGHT))
        }
        self.hour_weights = {
            "default": _cumulative(_HOURS_DEFAULT),
            "night": _cumulative(_HOURS_NIGHT),
            "traffic": _cumulative(_HOURS_TRAFFIC),
        }

    def sample(self, profile: str) -> datetime:
        day_weights = self.day_weights.get(profile, self.day_weights["default"])
        while True:
            day = self.rng.choices(self.days, cum_weights=day_weights)[0]
            hour = self.rng.choices(range(24), cum_weights=self.hour_weights[profile])[0]
            local = datetime(day.year, day.month, day.day, hour, tzinfo=LIMA) + timedelta(
                seconds=self.rng.randrange(3600)
            )
            if self.start <= local <= self.end:
                return local


def _season(day: date) -> float:
    # Summer and the December holidays are busier on the Peruvian coast.
    return 1.15 if day.month in (12, 1, 2) else 1.0


def _cumulative(weights: list[float] | tuple[float, ...]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


class PlaceSampler:
    """Points inside the service area (rejection-sampled): Gaussian around a hotspot, or uniform."""

    def __init__(self, city: DemoCity, area: shapely.Polygon, rng: random.Random) -> None:
        self.area, self.rng = area, rng
        self.bounds = area.bounds
        self.hotspots = list(city.hotspots)
        weights = [h.weight for h in city.hotspots]
        scale = (1 - city.background_share) / sum(weights)
        self.weights = _cumulative([w * scale for w in weights] + [city.background_share])

    def sample(self) -> tuple[float, float]:
        pick = self.rng.choices(range(len(self.hotspots) + 1), cum_weights=self.weights)[0]
        if pick < len(self.hotspots):
            spot = self.hotspots[pick]
            for _ in range(50):
                east, north = self.rng.gauss(0, spot.sigma_m), self.rng.gauss(0, spot.sigma_m)
                point = offset((spot.lon, spot.lat), east, north)
                if self._inside(point):
                    return point
        while True:
            min_lon, min_lat, max_lon, max_lat = self.bounds
            point = (
                round(self.rng.uniform(min_lon, max_lon), 6),
                round(self.rng.uniform(min_lat, max_lat), 6),
            )
            if self._inside(point):
                return point

    def near(self, origin: tuple[float, float], *, metres: float) -> tuple[float, float]:
        angle = self.rng.uniform(0, 2 * math.pi)
        point = offset(origin, metres * math.cos(angle), metres * math.sin(angle))
        return point if self._inside(point) else origin

    def _inside(self, point: tuple[float, float]) -> bool:
        return bool(shapely.contains_xy(self.area, *point))


def offset(origin: tuple[float, float], east_m: float, north_m: float) -> tuple[float, float]:
    lon, lat = origin
    return (
        round(lon + east_m / (111_320 * math.cos(math.radians(lat))), 6),
        round(lat + north_m / 110_574, 6),
    )
