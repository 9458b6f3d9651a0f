"""Anonymization of resolved incidents for publication: where, when and what may be shown, and how coarsely.

One module of pure functions (no database, no clock) so that every rule is tested on its own. It follows
what the most trusted publishers of crime data do:

- **Place.** The point is first displaced by *donut geomasking* (Hampton et al. 2010, "Mapping health data:
  improved privacy protection with donut method geomasking", Am. J. Epidemiol. 172(9)): a distance between a
  minimum and a maximum in a direction drawn from a keyed hash of the incident, so the displacement is
  stable (the same incident never gets two points that could be averaged) and cannot be undone without the
  instance's secret key. The displaced point is then snapped to the centre of a grid cell (default 250 m),
  so the published point is at least half a cell from the truth for most incidents (~85% with the default
  donut of 0.5–1 cell; 99% with the wider donut used for crimes against persons), where plain snapping
  would leave ~79% of them within half a cell. A cell with fewer than *k* incidents in the month
  (default 3, as Chicago suppresses aggregates under 3) is merged into its coarse cell (4 × 4 cells); what is
  still under *k* there is published with its district only (data.police.uk publishes only anonymous points
  with several addresses each; Vancouver moves crimes against persons further).
- **Time.** Crimes against persons: the date only (no hour); other categories: the date and a 3-hour band;
  both configurable down to the month.
- **Sensitive categories** (domestic violence, sexual offences, minors): never a point, never an item: only
  counts per district and month.

What is never published (description, notes, photos, names, phones, addresses, reporter or officer identity,
unit call signs) is simply never read into the projection: see :mod:`sereno.transparency.projection`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Literal

import msgspec

__all__ = [
    "COARSE_FACTOR",
    "Policy",
    "Grid",
    "TimeDetail",
    "PublicTime",
    "Level",
    "public_cell",
    "public_time",
    "publication_levels",
    "HOUR_BAND_H",
]

TimeDetail = Literal["month", "date", "hour_band"]
Level = Literal["cell", "coarse", "district"]
COARSE_FACTOR = 4  # a coarse cell is 4 × 4 cells (1 km with the default 250 m)
HOUR_BAND_H = 3  # 00–03, 03–06, ... 21–24: eight bands a day
_M_PER_DEGREE = 111_320.0


class Policy(msgspec.Struct, frozen=True, kw_only=True):
    """The publication rules of a tenant (defaults from settings)."""

    delay_h: float = 48
    cell_m: float = 250
    k: int = 3
    coarse_factor: int = COARSE_FACTOR
    # Donut of the displacement, in cells: other incidents, then crimes against persons.
    mask_cells: tuple[float, float] = (0.5, 1.0)
    person_mask_cells: tuple[float, float] = (1.0, 1.5)
    time_person: TimeDetail = "date"
    time_other: TimeDetail = "hour_band"


class Grid(msgspec.Struct, frozen=True):
    """A square grid of ``cell_m`` metres around latitude ``lat0`` (a tenant's: longitude degrees shrink with
    the cosine of the latitude). Cells are integer pairs; coarse cells group ``factor`` × ``factor`` cells."""

    cell_m: float
    lat0: float

    @property
    def dlat(self) -> float:
        return self.cell_m / _M_PER_DEGREE

    @property
    def dlon(self) -> float:
        return self.cell_m / (_M_PER_DEGREE * math.cos(math.radians(self.lat0)))

    def cell(self, lon: float, lat: float) -> tuple[int, int]:
        return math.floor(lon / self.dlon), math.floor(lat / self.dlat)

    def centre(self, cell: tuple[int, int], factor: int = 1) -> tuple[float, float]:
        """Centre (lon, lat) of a cell, or of a coarse cell when ``factor`` > 1."""
        return (cell[0] + 0.5) * self.dlon * factor, (cell[1] + 0.5) * self.dlat * factor

    @staticmethod
    def coarse(cell: tuple[int, int], factor: int) -> tuple[int, int]:
        return cell[0] // factor, cell[1] // factor


def _offset(lon: float, lat: float, distance_m: float, bearing: float) -> tuple[float, float]:
    """The point ``distance_m`` away in direction ``bearing`` (radians from east); flat earth is exact enough
    over a few hundred metres."""
    dlat = distance_m * math.sin(bearing) / _M_PER_DEGREE
    dlon = distance_m * math.cos(bearing) / (_M_PER_DEGREE * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def public_cell(
    lon: float,
    lat: float,
    *,
    key: bytes,
    incident_id: int,
    grid: Grid,
    donut_cells: tuple[float, float],
    inside: Callable[[float, float], bool] = lambda lon, lat: True,
) -> tuple[int, int]:
    """The grid cell an incident is published in: its point displaced within the donut, then snapped.

    ``inside`` says whether a cell centre lies in the service area (a point at sea or in the next district
    would be both odd and a hint); up to eight directions are tried, then the true cell is used."""
    digest = hmac.new(key, f"sereno-public-mask:{incident_id}".encode(), hashlib.sha256).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    v = int.from_bytes(digest[8:16], "big") / 2**64
    r_min, r_max = (c * grid.cell_m for c in donut_cells)
    # Uniform over the donut's area, not its radius.
    distance = math.sqrt(r_min**2 + u * (r_max**2 - r_min**2))
    for attempt in range(8):
        bearing = 2 * math.pi * (v + attempt / 8)
        cell = grid.cell(*_offset(lon, lat, distance, bearing))
        if inside(*grid.centre(cell)):
            return cell
    return grid.cell(lon, lat)


class PublicTime(msgspec.Struct, frozen=True):
    month: date  # first day of the month, always published
    day: date | None  # the date, unless the detail is "month"
    hour_band: int | None  # 0..7 (3-hour bands), only with the detail "hour_band"
    weekday: int | None  # ISO 1 (Monday) .. 7, with the date


def public_time(local: datetime, detail: TimeDetail) -> PublicTime:
    """What an item may say of when it happened (``local``: the tenant's wall-clock time)."""
    month = local.date().replace(day=1)
    if detail == "month":
        return PublicTime(month=month, day=None, hour_band=None, weekday=None)
    band = local.hour // HOUR_BAND_H if detail == "hour_band" else None
    return PublicTime(month=month, day=local.date(), hour_band=band, weekday=local.isoweekday())


def publication_levels(cells: Sequence[tuple[int, int] | None], *, k: int, coarse_factor: int) -> list[Level]:
    """How precisely each incident of one month may be placed, so that no published cell holds fewer than
    ``k`` incidents: its cell if the cell has ``k``; else its coarse cell if ``k`` of the incidents left over
    there share it; else only its district. ``None`` (no location) is always "district"."""
    fine = Counter(c for c in cells if c is not None)
    leftover = Counter(Grid.coarse(c, coarse_factor) for c in cells if c is not None and fine[c] < k)
    levels: list[Level] = []
    for c in cells:
        if c is None:
            levels.append("district")
        elif fine[c] >= k:
            levels.append("cell")
        elif leftover[Grid.coarse(c, coarse_factor)] >= k:
            levels.append("coarse")
        else:
            levels.append("district")
    return levels
