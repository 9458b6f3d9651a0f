"""attachment.participation_request: a photo may belong to a citizen's participation request."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigSerial, ForeignKey
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class ParticipationRequest(Table, tablename="participation_request", schema=None):
    id = BigSerial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


ID = "2026-11-23T00:24:48:103780"
VERSION = "1.38.0"
DESCRIPTION = "attachment.participation_request"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sereno", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Attachment",
        tablename="attachment",
        column_name="participation_request",
        db_column_name="participation_request",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": ParticipationRequest,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
