"""What Piccolo's generator cannot express: the append-only timeline, composite and partial indexes,
and the per-tenant sequences behind report codes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "timeline guard, indexes, report-code sequences"

STATEMENTS = [
    s
    for s in """
CREATE OR REPLACE FUNCTION sereno_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident_event is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER incident_event_append_only
    BEFORE UPDATE OR DELETE ON incident_event
    FOR EACH ROW EXECUTE FUNCTION sereno_refuse_change();

CREATE TRIGGER incident_event_no_truncate
    BEFORE TRUNCATE ON incident_event
    FOR EACH STATEMENT EXECUTE FUNCTION sereno_refuse_change();

CREATE UNIQUE INDEX idempotency_record_key ON idempotency_record (tenant_id, scope, key);

CREATE INDEX idempotency_record_created ON idempotency_record (created_at);

CREATE INDEX outbox_event_pending ON outbox_event (available_at, id) WHERE done_at IS NULL;

CREATE UNIQUE INDEX category_tenant_code ON category (tenant, code);

CREATE UNIQUE INDEX sector_tenant_code ON sector (tenant, code);

CREATE INDEX incident_tenant_reported ON incident (tenant, reported_at DESC);

CREATE INDEX incident_event_incident_at ON incident_event (incident, at, id);

-- Report codes (TRU-2026-000123) come from one sequence per tenant: nextval takes no row lock, so
-- concurrent reports never queue behind each other's commit (a rolled-back report leaves a gap).
CREATE OR REPLACE FUNCTION sereno_next_report_number(p_tenant integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE seq text := 'report_number_tenant_' || p_tenant;
BEGIN
    RETURN nextval(seq);
EXCEPTION WHEN undefined_table THEN
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', seq);
    RETURN nextval(seq);
END $$
""".split("\n\n")
    if s.strip()
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
