"""The weekly report finds the callbacks due in its period, done or not (the older partial index holds only
the pending ones)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T20:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "callbacks by deadline"

STATEMENTS = [
    "CREATE INDEX incident_callback_due_any ON incident (tenant, callback_due_at) WHERE callback_due_at IS NOT NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
