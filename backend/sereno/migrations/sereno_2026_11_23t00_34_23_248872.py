from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-23T00:34:23:248872"
VERSION = "1.38.0"
DESCRIPTION = (
    "Drop the incident(tenant) and incident_event(incident) indexes: composite indexes lead with them"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sereno", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Incident",
        tablename="incident",
        column_name="tenant",
        db_column_name="tenant",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="IncidentEvent",
        tablename="incident_event",
        column_name="incident",
        db_column_name="incident",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
