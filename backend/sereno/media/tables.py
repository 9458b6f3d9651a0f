"""Photo attachments: the private original and its derived, metadata-free renditions."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, ForeignKey, Integer, SmallInt, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from sereno.incidents.tables import Incident
from sereno.participation.tables import ParticipationRequest

__all__ = ["Attachment"]


class Attachment(Table, tablename="attachment"):
    # The random id doubles as the uploader's capability until the photo is attached to a report.
    id = UUID(primary_key=True)
    tenant_id = Integer()
    # What the photo belongs to: an incident or a citizen's participation request, never both (a CHECK
    # constraint, migration 2026-11-23T00:25:00).
    incident = ForeignKey(references=Incident, null=True, on_delete=OnDelete.restrict, index=True)
    participation_request = ForeignKey(
        references=ParticipationRequest, null=True, on_delete=OnDelete.restrict, index=True
    )
    status = Varchar(length=12, default="pending")  # pending, ready, attached; replaced, rejected (media/service.py)
    storage_key = Varchar(length=200)
    declared_type = Varchar(length=40)
    declared_size = Integer()
    content_type = Varchar(length=40, null=True, default=None)
    size_bytes = Integer(null=True, default=None)
    sha256 = Varchar(length=64, null=True, default=None)
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    display_key = Varchar(length=200, null=True, default=None)
    thumb_key = Varchar(length=200, null=True, default=None)
    uploaded_by = Varchar(length=12, default="citizen")
    position = SmallInt(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)
    attached_at = Timestamptz(null=True, default=None)
    original_bytes_kept = BigInt(null=True, default=None)
