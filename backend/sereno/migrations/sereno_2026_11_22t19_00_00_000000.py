"""Outbox claims filter by topic (each worker handles some topics): index pending events by topic."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox pending events by topic"

STATEMENTS = [
    "CREATE INDEX outbox_event_pending_topic ON outbox_event (topic, available_at, id) WHERE done_at IS NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
