"""outbox_event.claimed_by: the advisory lock key of the worker holding a claim, so that the claims of a
worker that died are released at once instead of when their lease runs out."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T22:04:44:229975"
VERSION = "1.38.0"
DESCRIPTION = "outbox_event.claimed_by"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sereno", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="OutboxEvent",
        tablename="outbox_event",
        column_name="claimed_by",
        db_column_name="claimed_by",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
