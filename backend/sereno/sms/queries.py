"""SQL of SMS intake: the sender's recent text incident, and placing an incident that had no point."""

from __future__ import annotations

__all__ = ["CODE", "OPEN_TEXTED_INCIDENT", "SET_LOCATION"]

CODE = "SELECT code FROM incident WHERE id = $1"

# The sender's last incident by text, still open and reported within the window ($4 seconds): a follow-up
# text (the place we asked for, more detail) belongs to it rather than to a new incident.
OPEN_TEXTED_INCIDENT = """
SELECT i.id, i.code, i.location IS NULL AS needs_location, i.description
FROM incident i JOIN reporter_contact rc ON rc.incident = i.id
WHERE i.tenant = $1 AND i.source = 'sms' AND rc.phone = $2 AND rc.erased_at IS NULL
  AND i.reported_at > $3::timestamptz - make_interval(secs => $4)
  AND i.status NOT IN ('resolved', 'closed', 'duplicate', 'unfounded', 'cancelled')
ORDER BY i.reported_at DESC, i.id DESC
LIMIT 1
FOR UPDATE OF i
"""

SET_LOCATION = """
UPDATE incident SET location = ST_GeogFromText($2), sector = $3, updated_at = $4, version = version + 1
WHERE id = $1 AND location IS NULL
"""
