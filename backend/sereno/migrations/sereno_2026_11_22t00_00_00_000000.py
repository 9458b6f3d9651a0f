"""PostGIS must exist before any table with a geometry column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "enable PostGIS"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        await DB.run_ddl("CREATE EXTENSION IF NOT EXISTS postgis")

    manager.add_raw(run)
    return manager
