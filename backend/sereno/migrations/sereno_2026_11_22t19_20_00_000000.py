"""A new tenant's first reports may arrive at once: creating its report-number sequence must not race."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T19:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "race-free report-number sequences"

STATEMENTS = [
    """CREATE OR REPLACE FUNCTION sereno_next_report_number(p_tenant integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE seq text := 'report_number_tenant_' || p_tenant;
BEGIN
    RETURN nextval(seq);
EXCEPTION WHEN undefined_table THEN
    BEGIN
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', seq);
    EXCEPTION WHEN unique_violation OR duplicate_table THEN
        NULL;  -- another transaction created it a moment ago
    END;
    RETURN nextval(seq);
END $$""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
