"""An imported record is identified by its source id, once per tenant."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T20:04:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique source reference per tenant"

STATEMENTS = [
    "CREATE UNIQUE INDEX incident_source_ref ON incident (tenant, source_ref) WHERE source_ref IS NOT NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
