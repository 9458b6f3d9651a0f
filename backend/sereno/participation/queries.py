"""The SQL of the participation module (asyncpg, numbered parameters)."""

from __future__ import annotations

__all__ = [
    "TOPICS",
    "TOPIC",
    "INSERT_REQUEST",
    "INSERT_CONTACT",
    "INSERT_EVENT",
    "CITIZEN_VIEW",
    "PUBLIC_EVENTS",
    "INBOX",
    "INBOX_COUNTS",
    "DETAIL",
    "STAFF_EVENTS",
    "LOCK",
    "UPDATE_STATUS",
    "MEMBER_DEPARTMENTS",
    "DEPARTMENT_BY_CODE",
    "MARK_OVERDUE",
]

TOPICS = """
SELECT t.code, t.name_es, t.name_en, t.needs_location, t.icon,
       coalesce(t.answer_within_h, d.answer_within_h) AS answer_within_h,
       d.code AS department_code, d.name_es AS department_es, d.name_en AS department_en
FROM participation_topic t JOIN department d ON d.id = t.department
WHERE t.tenant = $1 AND t.active AND d.active
ORDER BY t.sort_order, t.id
"""
TOPIC = """
SELECT t.id, t.needs_location, d.id AS department_id,
       coalesce(t.answer_within_h, d.answer_within_h) AS answer_within_h
FROM participation_topic t JOIN department d ON d.id = t.department
WHERE t.tenant = $1 AND t.code = $2 AND t.active AND d.active
"""
# Codes (TRU-PC-2026-000045) from one sequence per tenant, like report codes (a rollback leaves a gap).
INSERT_REQUEST = """
INSERT INTO participation_request
    (tenant, code, kind, topic, department, status, description, location, accuracy_m, address, language,
     tracking_token_hash, received_at, due_at, updated_at, answer, version)
VALUES ($1, $2 || lpad(sereno_next_participation_number($1)::text, 6, '0'), $3, $4, $5, 'received', $6,
        CASE WHEN $7::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($7, $8), 4326)::geography END,
        $9, $10, $11, $12, $13, $14, $13, '', 1)
RETURNING id, code
"""
INSERT_CONTACT = "INSERT INTO participation_contact (request, name, phone, email) VALUES ($1, $2, $3, $4)"
INSERT_EVENT = """
INSERT INTO participation_event (request, tenant_id, at, kind, actor_type, actor_id, public, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
"""

_COLUMNS = """
r.id, r.code, r.kind, r.status, r.description, r.address, r.received_at, r.due_at, r.answered_at, r.answer,
r.version, r.overdue_at, r.language,
ST_Y(r.location::geometry) AS lat, ST_X(r.location::geometry) AS lon, r.accuracy_m,
t.code AS topic_code, t.name_es AS topic_es, t.name_en AS topic_en,
d.code AS department_code, d.name_es AS department_es, d.name_en AS department_en
"""
_FROM = """
FROM participation_request r
JOIN participation_topic t ON t.id = r.topic
JOIN department d ON d.id = r.department
"""
CITIZEN_VIEW = f"SELECT {_COLUMNS} {_FROM} WHERE r.tenant = $1 AND r.code = $2 AND r.tracking_token_hash = $3"
PUBLIC_EVENTS = "SELECT at, kind FROM participation_event WHERE request = $1 AND public ORDER BY at, id"

# $1 tenant, $2 department ids (NULL: all), $3 statuses, $4 overdue only, $5 now, $6 cursor (due_at, id),
# $7 limit. Ordered by deadline: what is owed soonest (or is already late) comes first.
INBOX = f"""
SELECT {_COLUMNS} {_FROM}
WHERE r.tenant = $1 AND ($2::int[] IS NULL OR r.department = ANY($2)) AND r.status = ANY($3::text[])
  AND (NOT $4 OR (r.due_at < $5 AND r.status IN ('received', 'in_progress')))
  AND ($6::timestamptz IS NULL OR (r.due_at, r.id) > ($6, $8::bigint))
ORDER BY r.due_at, r.id
LIMIT $7
"""
INBOX_COUNTS = """
SELECT d.code, count(*) AS open, count(*) FILTER (WHERE r.due_at < $3) AS overdue
FROM participation_request r JOIN department d ON d.id = r.department
WHERE r.tenant = $1 AND ($2::int[] IS NULL OR r.department = ANY($2))
  AND r.status IN ('received', 'in_progress')
GROUP BY d.code
"""
DETAIL = f"""
SELECT {_COLUMNS}, r.department AS department_id, sec.name AS sector_name,
       c.id AS contact_id, c.name AS contact_name, c.phone AS contact_phone, c.email AS contact_email
{_FROM}
LEFT JOIN participation_contact c ON c.request = r.id
LEFT JOIN LATERAL (
    SELECT s.name FROM sector s
    WHERE s.tenant = r.tenant AND ST_Contains(s.area, r.location::geometry) LIMIT 1
) sec ON true
WHERE r.tenant = $1 AND r.id = $2
"""
STAFF_EVENTS = """
SELECT e.at, e.kind, e.actor_type, e.public, e.data::text AS data, a.full_name
FROM participation_event e LEFT JOIN staff_account a ON a.id = e.actor_id
WHERE e.request = $1 ORDER BY e.at, e.id
"""
LOCK = """
SELECT id, status, department, version, due_at FROM participation_request
WHERE tenant = $1 AND id = $2 FOR UPDATE
"""
# $1 id, $2 status, $3 department, $4 now, $5 answer (NULL: keep), $6 answered_by, $7 answered (bool)
UPDATE_STATUS = """
UPDATE participation_request
SET status = $2, department = $3, updated_at = $4,
    answer = coalesce($5, answer),
    answered_by = CASE WHEN $7 THEN $6 ELSE answered_by END,
    answered_at = CASE WHEN $7 THEN $4 ELSE answered_at END,
    version = version + 1
WHERE id = $1
RETURNING version
"""
MEMBER_DEPARTMENTS = "SELECT department FROM department_member WHERE account = $1"
DEPARTMENT_BY_CODE = (
    "SELECT id, code, name_es, name_en, active FROM department WHERE tenant = $1 AND code = $2"
)
# The worker's sweep: requests whose deadline passed unanswered, flagged once each (with a timeline entry).
MARK_OVERDUE = """
WITH late AS (
    SELECT id, tenant, department, code, due_at FROM participation_request
    WHERE overdue_at IS NULL AND due_at < $1 AND status IN ('received', 'in_progress')
    ORDER BY due_at LIMIT $2
    FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE participation_request r SET overdue_at = $1 FROM late WHERE r.id = late.id
    RETURNING late.id, late.tenant, late.department, late.code, late.due_at
), logged AS (
    INSERT INTO participation_event (request, tenant_id, at, kind, actor_type, public, data)
    SELECT id, tenant, $1, 'overdue', 'system', false, jsonb_build_object('due_at', due_at) FROM marked
)
SELECT id, tenant, department, code FROM marked
"""
