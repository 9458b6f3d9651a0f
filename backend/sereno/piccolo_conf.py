"""Piccolo's engine and app registry (Piccolo looks these up by module name)."""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

from sereno.settings import get_settings

DB = PostgresEngine(config={"dsn": get_settings().db.url or "postgresql://localhost/sereno"})

APP_REGISTRY = AppRegistry(apps=["sereno.piccolo_app"])
