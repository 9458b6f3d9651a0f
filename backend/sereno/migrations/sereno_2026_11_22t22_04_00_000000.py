"""A push subscription may follow a participation request: the uniqueness of (device, target) covers it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T22:04:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "push subscriptions for participation requests"

STATEMENTS = [
    "DROP INDEX IF EXISTS push_subscription_target",
    """CREATE UNIQUE INDEX push_subscription_target ON push_subscription
       (kind, endpoint, coalesce(account_id, 0), coalesce(incident_id, 0), coalesce(request_id, 0))""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
