"""outbox_event's index on available_at alone serves no query (claims use the partial indexes of pending
events), yet an event's insert, claim and completion each add an entry to it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T20:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop the unused outbox_event available_at index"

STATEMENTS = ["DROP INDEX IF EXISTS outbox_event_available_at"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
