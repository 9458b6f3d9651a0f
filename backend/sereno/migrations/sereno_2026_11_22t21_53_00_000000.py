"""Citizen participation, what Piccolo's generator cannot express: unique codes per tenant, the append-only
timeline, the queue's index, request-number sequences, and the default departments and topics for the
municipalities that exist already."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T21:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "participation constraints, timeline guard, sequences, seed"

STATEMENTS = [
    "CREATE UNIQUE INDEX department_tenant_code ON department (tenant, code)",
    "CREATE UNIQUE INDEX participation_topic_tenant_code ON participation_topic (tenant, code)",
    "CREATE UNIQUE INDEX department_member_once ON department_member (department, account)",
    # The inbox: open requests of some departments, soonest deadline first.
    """CREATE INDEX participation_request_queue ON participation_request (tenant, department, due_at, id)
       WHERE status IN ('received', 'in_progress')""",
    "CREATE INDEX participation_request_tenant_due ON participation_request (tenant, due_at, id)",
    "CREATE INDEX participation_event_request_at ON participation_event (request, at, id)",
    """CREATE TRIGGER participation_event_append_only
       BEFORE UPDATE OR DELETE ON participation_event
       FOR EACH ROW EXECUTE FUNCTION sereno_refuse_change()""",
    """CREATE TRIGGER participation_event_no_truncate
       BEFORE TRUNCATE ON participation_event
       FOR EACH STATEMENT EXECUTE FUNCTION sereno_refuse_change()""",
    """CREATE OR REPLACE FUNCTION sereno_next_participation_number(p_tenant integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE seq text := 'participation_number_tenant_' || p_tenant;
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
        import asyncpg

        from sereno.participation.seed import seed_participation
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)
        conn = await asyncpg.connect(**DB.config)
        try:
            async with conn.transaction():
                for tenant_id in await conn.fetch("SELECT id FROM tenant"):
                    await seed_participation(conn, tenant_id["id"])
        finally:
            await conn.close()

    manager.add_raw(run)
    return manager
