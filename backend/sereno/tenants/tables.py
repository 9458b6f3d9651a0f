"""Municipalities (tenants), their patrol sectors and their report categories."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, SmallInt, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

from sereno.core.geo import Geometry

__all__ = ["Tenant", "Sector", "Category"]


class Tenant(Table, tablename="tenant"):
    id = Serial(primary_key=True)
    slug = Varchar(length=20, unique=True)
    name = Varchar(length=120)
    code_prefix = Varchar(length=6, unique=True)
    service_area = Geometry(
        geometry_type="MultiPolygon", srid=4326, index=True, index_method=IndexMethod.gist
    )
    default_language = Varchar(length=5, default="es")
    time_zone = Varchar(length=40, default="America/Lima")
    emergency_phone = Varchar(length=20, default="105")


class Sector(Table, tablename="sector"):
    """A patrol zone; incidents get theirs by containment."""

    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=20)
    name = Varchar(length=120)
    area = Geometry(geometry_type="MultiPolygon", srid=4326, index=True, index_method=IndexMethod.gist)


class Category(Table, tablename="category"):
    id = Serial(primary_key=True)
    tenant = ForeignKey(references=Tenant, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=40)
    name_es = Varchar(length=80)
    name_en = Varchar(length=80)
    default_priority = SmallInt(default=3)
    # Domestic violence, sexual offences, minors: never on a public map, counts only.
    sensitive = Boolean(default=False)
    # Life or violence in progress: the citizen app shows the "call 105" prompt.
    emergency = Boolean(default=False)
    # Robbery, assault and the sensitive categories: published with a coarser time and place.
    against_person = Boolean(default=False)
    icon = Varchar(length=40, default="")
    sort_order = Integer(default=100)
    active = Boolean(default=True)
