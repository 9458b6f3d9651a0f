from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T00:42:59:577831"
VERSION = "1.38.0"
DESCRIPTION = (
    "Outbox claims lease with leased_until (no indexed column), and pages keep room for HOT versions"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    manager.add_column(
        table_class_name="OutboxEvent",
        tablename="outbox_event",
        column_name="leased_until",
        db_column_name="leased_until",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
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

    async def fillfactor():
        from sereno.piccolo_conf import DB

        # Room on each page for the claim's new row version, so that it stays heap-only (HOT).
        await DB.run_ddl("ALTER TABLE outbox_event SET (fillfactor = 70)")

    manager.add_raw(fillfactor)
    return manager
