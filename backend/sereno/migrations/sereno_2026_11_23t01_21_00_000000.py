"""Existing devices: active since they were registered (the column's default, the migration's time, would
restart the silence clock of a device never heard); an inactive device is not watched, so not silent."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T01:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "alarm_device.active_since from created_at; inactive devices not silent"

STATEMENTS = [
    "UPDATE alarm_device SET active_since = created_at",
    "UPDATE alarm_device SET silent_since = NULL WHERE NOT active",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
