"""The intake statement: one round trip files a report.

Locating the point (service area and sector by containment), numbering it, claiming the Idempotency-Key with
the response already written, inserting the incident, its contact, its first timeline event and its outbox
event and attaching its photos all happen in one SQL statement, so a report costs one round trip and one
commit. No NOTIFY here: a transaction that notifies takes a global lock through its commit, which would
serialise every report's durable commit; the caller wakes its own process's worker instead. Data-modifying CTEs share one snapshot, which is why the response is built from
the generated code *before* the incident row exists, and nothing here reads a row another CTE writes.
"""

from __future__ import annotations

__all__ = ["INTAKE", "INTAKE_MANY", "OUTBOX_TOPIC"]

# The topic of the outbox event INTAKE writes (its worker is woken for it after the commit).
OUTBOX_TOPIC = "incident.reported"

# $1 tenant, $2 code prefix, $3 category, $4 priority, $5 source, $6 lon, $7 lat, $8 accuracy_m,
# $9 description, $10 anonymous, $11 tracking-token hash, $12 occurred_at, $13 now, $14 event data,
# $15 photo ids, $16 callback SLA seconds (0: none), $17 idempotency key, $18 request hash,
# $19 has contact, $20 name, $21 phone, $22 email, $23 callback wanted
INTAKE = """
WITH point AS (
    SELECT ST_SetSRID(ST_MakePoint($6::float8, $7::float8), 4326) AS pt
), loc AS (
    SELECT ST_Covers(t.service_area, point.pt) AS inside, point.pt,
           (SELECT s.id FROM sector s WHERE s.tenant = $1 AND ST_Covers(s.area, point.pt)
            ORDER BY s.id LIMIT 1) AS sector_id
    FROM tenant t, point WHERE t.id = $1
), code AS (
    SELECT $2::text || lpad(sereno_next_report_number($1)::text, 6, '0') AS code FROM loc WHERE loc.inside
), claim AS (
    INSERT INTO idempotency_record (tenant_id, scope, key, request_hash, status_code, response, created_at)
    SELECT $1, 'report', $17, $18, 201,
           jsonb_build_object('code', code.code, 'tracking_token', '', 'status', 'new',
                              'reported_at', $13::timestamptz), $13
    FROM code
    ON CONFLICT (tenant_id, scope, key) DO NOTHING
    RETURNING id
), inc AS (
    INSERT INTO incident (tenant, code, category, priority, status, source, location, accuracy_m, sector,
                          description, anonymous, tracking_token_hash, occurred_at, reported_at, updated_at,
                          callback_due_at)
    SELECT $1, code.code, $3, $4, 'new', $5, loc.pt::geography, $8, loc.sector_id, $9, $10, $11, $12, $13, $13,
           CASE WHEN $16::float8 > 0 THEN $13::timestamptz + make_interval(secs => $16::float8) END
    FROM claim, code, loc
    RETURNING id, code
), contact AS (
    INSERT INTO reporter_contact (tenant_id, incident, name, phone, email, callback_wanted)
    SELECT $1, inc.id, $20, $21, $22, $23 FROM inc WHERE $19::bool
    RETURNING 1
), timeline AS (
    INSERT INTO incident_event (tenant_id, incident, at, actor_type, kind, data, public)
    SELECT $1, inc.id, $13, 'citizen', 'reported', $14::jsonb, true FROM inc
    RETURNING 1
), side_effect AS (
    INSERT INTO outbox_event (tenant_id, topic, payload)
    SELECT $1, 'incident.reported', jsonb_build_object('incident_id', inc.id) FROM inc
    RETURNING 1
), photos AS (
    UPDATE attachment SET incident = inc.id, status = 'attached', attached_at = $13,
                          position = array_position($15::uuid[], attachment.id)
    FROM inc WHERE attachment.id = ANY($15::uuid[]) AND attachment.status = 'ready'
    RETURNING attachment.id
)
SELECT (SELECT inside FROM loc) AS inside,
       (SELECT id FROM inc) AS incident_id,
       (SELECT code FROM inc) AS code,
       (SELECT count(*) FROM photos) AS photos_attached,
       (SELECT count(*) FROM contact) + (SELECT count(*) FROM timeline) + (SELECT count(*) FROM side_effect)
           AS written
"""

# INTAKE for many reports without photos (reports/batch.py): its parameters as arrays, one element per report
# (INTAKE's numbering without $15, the photos), and one result row per report, in order. A key twice in the
# batch is claimed by its first report only; the others come back unfiled (incident_id NULL), as a report whose
# key was claimed before does, and the caller replays the claimed one.
INTAKE_MANY = """
WITH r AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::text[], $6::float8[], $7::float8[],
                         $8::float8[], $9::text[], $10::bool[], $11::text[], $12::timestamptz[],
                         $13::timestamptz[], $14::text[], $15::float8[], $16::text[], $17::text[], $18::bool[],
                         $19::text[], $20::text[], $21::text[], $22::bool[])
        WITH ORDINALITY AS r(tenant, prefix, category, priority, source, lon, lat, accuracy_m, description,
                             anonymous, token_hash, occurred_at, now, event_data, callback_sla_s, key, body_hash,
                             has_contact, name, phone, email, callback_wanted, n)
), loc AS (
    SELECT r.n, ST_Covers(t.service_area, p.pt) AS inside, p.pt,
           (SELECT s.id FROM sector s WHERE s.tenant = r.tenant AND ST_Covers(s.area, p.pt)
            ORDER BY s.id LIMIT 1) AS sector_id
    FROM r JOIN tenant t ON t.id = r.tenant
    CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS pt) AS p
), first AS (
    SELECT DISTINCT ON (r.tenant, r.key) r.n FROM r JOIN loc USING (n) WHERE loc.inside ORDER BY r.tenant, r.key, r.n
), code AS (
    SELECT r.n, r.tenant, r.prefix || lpad(sereno_next_report_number(r.tenant)::text, 6, '0') AS code
    FROM r JOIN first USING (n)
), claim AS (
    INSERT INTO idempotency_record (tenant_id, scope, key, request_hash, status_code, response, created_at)
    SELECT r.tenant, 'report', r.key, r.body_hash, 201,
           jsonb_build_object('code', code.code, 'tracking_token', '', 'status', 'new',
                              'reported_at', r.now), r.now
    FROM r JOIN code USING (n)
    ON CONFLICT (tenant_id, scope, key) DO NOTHING
    RETURNING tenant_id, key
), inc AS (
    INSERT INTO incident (tenant, code, category, priority, status, source, location, accuracy_m, sector,
                          description, anonymous, tracking_token_hash, occurred_at, reported_at, updated_at,
                          callback_due_at)
    SELECT r.tenant, code.code, r.category, r.priority, 'new', r.source, loc.pt::geography, r.accuracy_m,
           loc.sector_id, r.description, r.anonymous, r.token_hash, r.occurred_at, r.now, r.now,
           CASE WHEN r.callback_sla_s > 0 THEN r.now + make_interval(secs => r.callback_sla_s) END
    FROM r JOIN code USING (n) JOIN loc USING (n) JOIN claim ON claim.tenant_id = r.tenant AND claim.key = r.key
    RETURNING id, tenant, code
), filed AS (
    SELECT code.n, inc.id AS incident_id, inc.code FROM inc JOIN code USING (tenant, code)
), contact AS (
    INSERT INTO reporter_contact (tenant_id, incident, name, phone, email, callback_wanted)
    SELECT r.tenant, filed.incident_id, r.name, r.phone, r.email, r.callback_wanted
    FROM filed JOIN r USING (n) WHERE r.has_contact
), timeline AS (
    INSERT INTO incident_event (tenant_id, incident, at, actor_type, kind, data, public)
    SELECT r.tenant, filed.incident_id, r.now, 'citizen', 'reported', r.event_data::jsonb, true
    FROM filed JOIN r USING (n)
), side_effect AS (
    INSERT INTO outbox_event (tenant_id, topic, payload)
    SELECT r.tenant, 'incident.reported', jsonb_build_object('incident_id', filed.incident_id)
    FROM filed JOIN r USING (n)
)
SELECT loc.inside, filed.incident_id, filed.code
FROM r LEFT JOIN loc USING (n) LEFT JOIN filed USING (n)
ORDER BY r.n
"""
