"""A photo belongs to at most one thing: an incident or a participation request, never both."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T00:25:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attachment has at most one owner"

STATEMENTS = [
    """ALTER TABLE attachment ADD CONSTRAINT attachment_one_owner
       CHECK (num_nonnulls(incident, participation_request) <= 1)""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
