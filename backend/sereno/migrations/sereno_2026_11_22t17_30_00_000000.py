"""Dispatch and notifications: append-only audit and tracks, one active assignment per unit and incident,
and uniqueness the generator cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dispatch constraints and append-only audit"

STATEMENTS = [
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION sereno_refuse_change()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
       FOR EACH STATEMENT EXECUTE FUNCTION sereno_refuse_change()""",
    """CREATE TRIGGER unit_position_append_only BEFORE UPDATE OR DELETE ON unit_position
       FOR EACH ROW EXECUTE FUNCTION sereno_refuse_change()""",
    "CREATE UNIQUE INDEX unit_tenant_call_sign ON unit (tenant, call_sign)",
    "CREATE INDEX unit_tenant_status ON unit (tenant, status)",
    """CREATE UNIQUE INDEX assignment_one_active_per_unit_and_incident ON assignment (incident, unit)
       WHERE status IN ('assigned', 'acknowledged', 'en_route', 'on_scene')""",
    """CREATE INDEX assignment_waiting_ack ON assignment (ack_deadline)
       WHERE status = 'assigned' AND escalated_at IS NULL""",
    "CREATE INDEX unit_position_unit_received ON unit_position (unit, received_at DESC)",
    """CREATE UNIQUE INDEX push_subscription_target ON push_subscription
       (kind, endpoint, coalesce(account_id, 0), coalesce(incident_id, 0))""",
    "CREATE INDEX audit_entry_tenant_at ON audit_entry (tenant_id, at DESC)",
    """CREATE INDEX incident_callback_due ON incident (tenant, callback_due_at)
       WHERE callback_due_at IS NOT NULL AND callback_done_at IS NULL""",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
