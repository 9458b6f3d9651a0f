"""Unit shifts follow the unit's status: a trigger opens one when a unit leaves off_duty and closes it when it
returns, so no code path that changes duty can forget it. Units already on duty get an open shift now."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T19:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unit shifts from unit status"

STATEMENTS = [
    """CREATE OR REPLACE FUNCTION sereno_unit_shift() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'off_duty' AND (TG_OP = 'INSERT' OR OLD.status = 'off_duty') THEN
        INSERT INTO unit_shift (tenant_id, unit, started_at)
        VALUES (NEW.tenant, NEW.id, coalesce(NEW.on_duty_since, now()));
    ELSIF TG_OP = 'UPDATE' AND NEW.status = 'off_duty' AND OLD.status <> 'off_duty' THEN
        UPDATE unit_shift SET ended_at = now() WHERE unit = NEW.id AND ended_at IS NULL;
    END IF;
    RETURN NEW;
END $$""",
    """CREATE TRIGGER unit_shift_from_status AFTER INSERT OR UPDATE OF status ON unit
       FOR EACH ROW EXECUTE FUNCTION sereno_unit_shift()""",
    """INSERT INTO unit_shift (tenant_id, unit, started_at)
       SELECT tenant, id, coalesce(on_duty_since, now()) FROM unit WHERE status <> 'off_duty'""",
    "CREATE INDEX unit_shift_tenant_time ON unit_shift (tenant_id, started_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
