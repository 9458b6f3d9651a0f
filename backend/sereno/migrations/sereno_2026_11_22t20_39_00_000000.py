"""Alarms: one event id per partner (replays create nothing), one device id per partner, one mapping per tenant
and event type, one callback per incident and status; and the open-incident lookup by device."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T20:39:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "alarm constraints"

STATEMENTS = [
    "CREATE UNIQUE INDEX alarm_event_partner_event_id ON alarm_event (partner, event_id)",
    "CREATE UNIQUE INDEX alarm_device_partner_device_id ON alarm_device (partner, device_id)",
    "CREATE UNIQUE INDEX alarm_event_mapping_tenant_type ON alarm_event_mapping (tenant, event_type)",
    "CREATE UNIQUE INDEX alarm_callback_incident_status ON alarm_callback (incident_id, status)",
    "CREATE INDEX alarm_event_device_alarms ON alarm_event (device, received_at DESC) WHERE role = 'alarm'",
    "ALTER TABLE alarm_partner ADD CONSTRAINT alarm_partner_kind CHECK (kind IN ('alarm', 'sensor'))",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    async def run():
        from sereno.piccolo_conf import DB

        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
