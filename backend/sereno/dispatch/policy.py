"""Per-tenant dispatch policy: which agencies answer which categories, what counts as related, how fast units
move. Cities differ here (named hooks on one object, never ``if city == ...`` in core code)."""

from __future__ import annotations

import msgspec

__all__ = ["DispatchPolicy", "policy_for"]

_ALL = ("serenazgo", "police", "fire", "medical")


class DispatchPolicy(msgspec.Struct, frozen=True):
    agencies: dict[str, tuple[str, ...]] = msgspec.field(
        default_factory=lambda: {
            "robbery_assault": ("police", "serenazgo"),
            "domestic_violence": ("police", "serenazgo"),
            "sexual_offence": ("police",),
            "minors_at_risk": ("police", "serenazgo"),
            "drug_activity": ("police", "serenazgo"),
            "fire": ("fire", "serenazgo"),
            "medical_emergency": ("medical", "serenazgo"),
            "accident": ("serenazgo", "police", "medical"),
        }
    )
    default_agencies: tuple[str, ...] = ("serenazgo", "police")
    # Categories a duplicate report is often filed under.
    related: tuple[tuple[str, ...], ...] = (
        ("robbery_assault", "suspicious_activity"),
        ("noise_disturbance", "other"),
        ("vandalism", "suspicious_activity"),
        ("accident", "medical_emergency"),
    )
    duplicate_radius_m: float = 500.0
    duplicate_window_s: float = 3600.0
    # Straight-line distance to a rough ETA: urban speed and detour factor.
    speed_m_s: float = 7.0
    detour: float = 1.4

    def agencies_for(self, category_code: str) -> tuple[str, ...]:
        return self.agencies.get(category_code, self.default_agencies)

    def related_to(self, category_code: str) -> set[str]:
        codes = {category_code}
        for group in self.related:
            if category_code in group:
                codes.update(group)
        return codes

    def eta_s(self, distance_m: float) -> int:
        return int(distance_m * self.detour / self.speed_m_s)


_DEFAULT = DispatchPolicy()


def policy_for(tenant_slug: str) -> DispatchPolicy:
    """The tenant's policy; every tenant uses the default until one needs otherwise."""
    return _DEFAULT


assert set(a for agencies in _DEFAULT.agencies.values() for a in agencies) <= set(_ALL)
