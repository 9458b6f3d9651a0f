"""SQL of the Open311 endpoints: API keys, published requests (the public projection) and the little that may
be said of a request that is not published yet."""

from __future__ import annotations

from sereno.transparency.anonymize import HOUR_BAND_H

__all__ = [
    "CLIENT_BY_KEY",
    "CODE_EXISTS",
    "CREATE_CLIENT",
    "KEY_CLAIMED",
    "LIST_CLIENTS",
    "PUBLISHED",
    "REVOKE_CLIENT",
    "UNPUBLISHED",
]

CREATE_CLIENT = """
INSERT INTO open311_client (tenant, name, key_hash, key_prefix, active, created_at)
VALUES ($1, $2, $3, $4, true, now()) RETURNING id
"""
CLIENT_BY_KEY = "SELECT id, tenant AS tenant_id FROM open311_client WHERE key_hash = $1 AND active"
LIST_CLIENTS = """
SELECT id, name, key_prefix, active, created_at FROM open311_client WHERE tenant = $1 ORDER BY id
"""
REVOKE_CLIENT = "UPDATE open311_client SET active = false WHERE tenant = $1 AND id = $2 AND active"

# A published item's requested time at the precision the item may show: the start of its 3-hour band, its
# day, or its month, at midnight in the tenant's time zone ($2).
_REQUESTED = f"""(CASE p.time_detail
    WHEN 'month' THEN p.month::timestamp
    WHEN 'date' THEN p.day::timestamp
    ELSE p.day::timestamp + make_interval(hours => p.hour_band * {HOUR_BAND_H})
END) AT TIME ZONE $2"""

# Items of the projection only (listed: confirmed and not sensitive), newest first. $3: codes (overrides the
# rest), $4: category ids, $5/$6: requested-time window, $7: limit. The month bounds let the month index
# narrow the scan before the exact window is applied.
PUBLISHED = f"""
SELECT * FROM (
    SELECT p.id, p.code, p.category_id, p.sector_id, p.status, p.outcome, p.level, p.lon, p.lat,
           p.resolved_on, {_REQUESTED} AS requested_at
    FROM public_incident p
    WHERE p.tenant_id = $1 AND p.listed
      AND ($3::text[] IS NULL OR p.code = ANY($3::text[]))
      AND ($4::int4[] IS NULL OR p.category_id = ANY($4::int4[]))
      AND ($5::timestamptz IS NULL OR p.month >= date_trunc('month', $5::timestamptz AT TIME ZONE $2)::date)
      AND ($6::timestamptz IS NULL OR p.month <= ($6::timestamptz AT TIME ZONE $2)::date)
) items
WHERE ($5::timestamptz IS NULL OR requested_at >= $5::timestamptz)
  AND ($6::timestamptz IS NULL OR requested_at <= $6::timestamptz)
ORDER BY requested_at DESC, id DESC
LIMIT $7
"""

# A request not (or not yet) in the projection: its category, state and report date, nothing else (no
# place, no text, no people); the caller refuses sensitive categories altogether.
UNPUBLISHED = """
SELECT i.code, i.status, i.reported_at, c.code AS category_code, c.name_es, c.name_en, c.sensitive
FROM incident i JOIN category c ON c.id = i.category
WHERE i.tenant = $1 AND i.code = ANY($2::text[])
"""

CODE_EXISTS = "SELECT EXISTS (SELECT 1 FROM incident WHERE tenant = $1 AND code = $2)"

KEY_CLAIMED = (
    "SELECT EXISTS (SELECT 1 FROM idempotency_record WHERE tenant_id = $1 AND scope = $2 AND key = $3)"
)
