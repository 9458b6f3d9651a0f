from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T20:03:23:245614"
VERSION = "1.38.0"
DESCRIPTION = "incident source reference (imports)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sereno", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Incident",
        tablename="incident",
        column_name="source_ref",
        db_column_name="source_ref",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
