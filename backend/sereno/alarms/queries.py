"""The alarm domain's SQL (spatial parts included: the device's place and the service-area check)."""

from __future__ import annotations

__all__ = [
    "CHANGE_DEVICE",
    "DEVICE_COLUMNS",
    "DEVICE_FOR_UPDATE",
    "FLAG_SILENT",
    "INSERT_EVENT",
    "INSIDE_AREA",
    "OPEN_INCIDENT",
    "PARTNER_DEVICE",
    "PARTNER_DEVICES",
    "PARTNER_DEVICE_PAGE",
    "PARTNER_KEYS",
    "SET_EVENT_INCIDENT",
    "TENANT_DEVICE_PAGE",
    "TOUCH_DEVICE",
    "UPSERT_DEVICE",
]

#: $1 partner id: the partner (active) with the salts of its valid keys
PARTNER_KEYS = """
SELECT p.id, p.tenant AS tenant_id, t.slug AS tenant_slug, p.kind, p.name,
       coalesce(array_agg(k.salt ORDER BY k.id) FILTER (WHERE k.id IS NOT NULL), '{}') AS salts
FROM alarm_partner p JOIN tenant t ON t.id = p.tenant
LEFT JOIN alarm_partner_key k ON k.partner = p.id AND k.revoked_at IS NULL
WHERE p.id = $1 AND p.active
GROUP BY p.id, t.slug
"""

#: $1 partner, $2 device id: locked, so alarms from one device are handled one at a time
DEVICE_FOR_UPDATE = """
SELECT id, tenant_id, device_id, name, contact_phone, active, silent_since,
       ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon
FROM alarm_device WHERE partner = $1 AND device_id = $2
FOR UPDATE
"""

#: nothing is returned when (partner, event_id) was seen before: a replay
INSERT_EVENT = """
INSERT INTO alarm_event (tenant_id, partner, device, event_id, event_type, role, device_time, received_at,
                         confidence, payload)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
ON CONFLICT (partner, event_id) DO NOTHING
RETURNING id
"""

#: $1 device, $2 now, $3 role
TOUCH_DEVICE = """
UPDATE alarm_device SET last_event_at = $2,
       last_test_at = CASE WHEN $3::text = 'test' THEN $2 ELSE last_test_at END,
       last_heartbeat_at = CASE WHEN $3::text = 'heartbeat' THEN $2 ELSE last_heartbeat_at END,
       silent_since = NULL
WHERE id = $1
"""

#: $1 device: its most recent open incident and when an alarm last joined it
OPEN_INCIDENT = """
SELECT e.incident_id, max(e.received_at) AS last_alarm_at
FROM alarm_event e JOIN incident i ON i.id = e.incident_id
WHERE e.device = $1 AND e.role = 'alarm'
  AND i.status IN ('new', 'triaged', 'dispatched', 'en_route', 'on_scene')
GROUP BY e.incident_id
ORDER BY last_alarm_at DESC
LIMIT 1
"""

SET_EVENT_INCIDENT = "UPDATE alarm_event SET incident_id = $2 WHERE id = $1"

#: $1 tenant, $2 lon, $3 lat: whether the point is in the city, and the city's name (for the refusal)
INSIDE_AREA = """
SELECT ST_Covers(service_area, ST_SetSRID(ST_MakePoint($2, $3), 4326)) AS inside, name FROM tenant WHERE id = $1
"""

# A device is silent when it has been quiet (no event at all) for 1.5 × its heartbeat interval since it was
# last heard or (re)activated, whichever is later (greatest() passes over a device never heard, NULL).
_SILENT = """(d.active AND d.heartbeat_interval_s > 0
   AND greatest(d.last_event_at, d.active_since)
       < $1::timestamptz - make_interval(secs => d.heartbeat_interval_s * 1.5))"""

# Used by both writes below, where the new active state is $7 and now is $10: a device switched on starts
# its silence interval afresh; one switched off is no longer watched, so it is no longer silent.
_ACTIVE_SINCE = "CASE WHEN {new} AND NOT {old} THEN $10 ELSE {since} END"
_SILENT_SINCE = "CASE WHEN {new} THEN {silent} END"

DEVICE_COLUMNS = f"""
SELECT d.id, d.partner AS partner_id, p.name AS partner_name, d.device_id, d.name,
       ST_Y(d.location::geometry) AS lat, ST_X(d.location::geometry) AS lon, d.contact_phone, d.active,
       d.heartbeat_interval_s, d.last_event_at, d.last_test_at, d.last_heartbeat_at, {_SILENT} AS silent
FROM alarm_device d JOIN alarm_partner p ON p.id = d.partner
"""

#: $1 now, $2 partner
PARTNER_DEVICES = DEVICE_COLUMNS + "WHERE d.partner = $2 ORDER BY d.device_id"

#: $1 now, $2 tenant, $3 partner, $4 the last device id of the previous page (NULL: from the first), $5 limit
PARTNER_DEVICE_PAGE = (
    DEVICE_COLUMNS
    + """
WHERE d.tenant_id = $2 AND d.partner = $3 AND ($4::text IS NULL OR d.device_id > $4)
ORDER BY d.device_id LIMIT $5
"""
)

#: $1 now, $2 tenant, $3 partner, $4 device id
PARTNER_DEVICE = DEVICE_COLUMNS + "WHERE d.tenant_id = $2 AND d.partner = $3 AND d.device_id = $4"

#: $1 tenant, $2 partner, $3 device id, $4 name, $5 phone, $6 heartbeat, $7 active, $8 lon, $9 lat (both or
#: neither), $10 now: NULL leaves a field as it is
CHANGE_DEVICE = f"""
UPDATE alarm_device SET name = coalesce($4, name), contact_phone = coalesce($5, contact_phone),
       heartbeat_interval_s = coalesce($6, heartbeat_interval_s), active = coalesce($7, active),
       location = CASE WHEN $8::float8 IS NULL THEN location
                       ELSE ST_SetSRID(ST_MakePoint($8, $9), 4326)::geography END,
       active_since = {_ACTIVE_SINCE.format(new="coalesce($7, active)", old="active", since="active_since")},
       silent_since = {_SILENT_SINCE.format(new="coalesce($7, active)", silent="silent_since")}
WHERE tenant_id = $1 AND partner = $2 AND device_id = $3
RETURNING id
"""

#: $1 tenant, $2 partner, $3 device id, $4 name, $5 lon, $6 lat, $7 active, $8 phone, $9 heartbeat, $10 now:
#: register a device, or replace what an existing one has, in one statement (its active state included, so
#: that a device put inactive is never seen active in between)
UPSERT_DEVICE = f"""
INSERT INTO alarm_device (tenant_id, partner, device_id, name, location, active, contact_phone,
                          heartbeat_interval_s, created_at, active_since)
VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, $7, $8, $9, $10, $10)
ON CONFLICT (partner, device_id) DO UPDATE SET name = excluded.name, location = excluded.location,
    contact_phone = excluded.contact_phone, heartbeat_interval_s = excluded.heartbeat_interval_s,
    active = excluded.active,
    active_since = {_ACTIVE_SINCE.format(new="excluded.active", old="alarm_device.active",
                                         since="alarm_device.active_since")},
    silent_since = {_SILENT_SINCE.format(new="excluded.active", silent="alarm_device.silent_since")}
RETURNING id
"""

#: $1 now, $2 tenant, $3 the last id of the previous page (NULL: from the first), $4 limit
TENANT_DEVICE_PAGE = DEVICE_COLUMNS + "WHERE d.tenant_id = $2 AND ($3::int IS NULL OR d.id > $3) ORDER BY d.id LIMIT $4"

#: $1 now: mark newly silent devices (once each) and return them
FLAG_SILENT = f"""
UPDATE alarm_device d SET silent_since = $1
FROM alarm_partner p
WHERE p.id = d.partner AND d.silent_since IS NULL AND {_SILENT}
RETURNING d.id, d.tenant_id, d.partner AS partner_id, p.name AS partner_name, d.device_id, d.name
"""
