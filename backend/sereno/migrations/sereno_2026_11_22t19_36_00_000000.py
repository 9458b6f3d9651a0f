"""The public projection's indexes, and the against-person flag for the categories tenants already have."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T19:36:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "public projection indexes; against-person categories"

STATEMENTS = [
    """UPDATE category SET against_person = true
       WHERE code IN ('robbery_assault', 'domestic_violence', 'sexual_offence', 'minors_at_risk')""",
    # The feed: newest first, per tenant, items only (sensitive and unfounded rows are counted, never listed).
    """CREATE INDEX public_incident_feed ON public_incident (tenant_id, id DESC) WHERE listed""",
    """CREATE INDEX public_incident_month ON public_incident (tenant_id, month)""",
    """CREATE INDEX public_incident_day ON public_incident (tenant_id, day) WHERE listed""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
