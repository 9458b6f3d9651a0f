"""What the API says about a municipality and its categories."""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["TenantInfo", "CategoryInfo", "TenantPublic", "CategoryRead", "LatLon"]


class LatLon(msgspec.Struct, frozen=True):
    lat: float
    lon: float


class CategoryInfo(msgspec.Struct, frozen=True):
    """A category as services use it (both languages)."""

    id: int
    code: str
    name_es: str
    name_en: str
    default_priority: int
    sensitive: bool
    emergency: bool
    icon: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_es


class TenantInfo(msgspec.Struct, frozen=True):
    id: int
    slug: str
    name: str
    code_prefix: str
    default_language: str
    time_zone: str
    emergency_phone: str
    center: LatLon
    service_area: dict[str, Any]


class TenantPublic(msgspec.Struct, frozen=True):
    slug: str
    name: str
    emergency_phone: str
    default_language: str
    center: LatLon
    service_area: dict[str, Any]


class CategoryRead(msgspec.Struct, frozen=True):
    code: str
    name: str
    priority: int
    emergency: bool
    sensitive: bool
    icon: str
