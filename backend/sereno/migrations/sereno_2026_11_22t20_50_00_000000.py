"""The outbox is a queue: every event is inserted, updated when claimed and again when done, so its pending
indexes fill with dead entries that each claim steps over until a vacuum removes them. By default autovacuum
waits for 20% of the table to be dead; here it comes after a thousand dead rows, whatever the table's size."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T20:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "eager autovacuum of outbox_event"

STATEMENTS = [
    """ALTER TABLE outbox_event SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000
)""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
