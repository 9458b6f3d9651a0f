"""What an event type means: its role (raises an alarm, restores, cancels, tests, beats) and, for alarms, the
category, priority and confidence threshold, from the tenant's own mapping or the built-in defaults."""

from __future__ import annotations

import asyncpg
import msgspec

from sereno.core.errors import Unprocessable

__all__ = ["ALARM_TYPES", "DEFAULTS", "Mapping", "mapping_for", "role_of"]

# Event types every partner may send besides its alarms.
_SERVICE_ROLES = {"restore": "restore", "cancel": "cancel", "test": "test", "heartbeat": "heartbeat"}
# What an alarm partner (POS, alarm panel) may raise: always silent.
ALARM_TYPES = frozenset({"panic", "duress"})


class Mapping(msgspec.Struct, frozen=True):
    category_code: str
    priority: int
    min_confidence: float = 0.0


# A tenant's own rows (``sereno alarms mapping set``) take precedence.
DEFAULTS: dict[str, Mapping] = {
    "panic": Mapping("robbery_assault", 1),
    "duress": Mapping("robbery_assault", 1),
    # Acoustic gunshot detection: shots are life-threatening whatever the cause; weak detections wait.
    "gunshot": Mapping("other", 1, 0.8),
    "camera_intrusion": Mapping("suspicious_activity", 2, 0.6),
    "camera_fight": Mapping("robbery_assault", 2, 0.7),
    "panic_pole": Mapping("robbery_assault", 1, 0.0),
}


def role_of(partner_kind: str, event_type: str) -> str:
    """alarm, restore, cancel, test or heartbeat; an alarm partner raises only panic and duress."""
    if event_type in _SERVICE_ROLES:
        return _SERVICE_ROLES[event_type]
    if partner_kind == "alarm" and event_type not in ALARM_TYPES:
        raise Unprocessable("alarm_event_type_unknown", type=event_type)
    return "alarm"


_TENANT_MAPPING = """
SELECT category_code, priority, min_confidence FROM alarm_event_mapping WHERE tenant = $1 AND event_type = $2
"""


async def mapping_for(conn: asyncpg.Connection, *, tenant_id: int, event_type: str) -> Mapping:
    row = await conn.fetchrow(_TENANT_MAPPING, tenant_id, event_type)
    if row is not None:
        return Mapping(row["category_code"], row["priority"], row["min_confidence"])
    if event_type in DEFAULTS:
        return DEFAULTS[event_type]
    raise Unprocessable("alarm_event_type_unknown", type=event_type)
