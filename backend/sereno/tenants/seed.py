"""The canonical report categories every tenant starts with, and the idempotent seed that writes them.

A tenant may later rename, reorder or deactivate its rows; :func:`seed_categories` never overwrites a row
that exists (``ON CONFLICT DO NOTHING``), so running it again only adds categories that are new here.
"""

from __future__ import annotations

import asyncpg
import msgspec

__all__ = ["CATEGORIES", "CategorySeed", "seed_categories"]


class CategorySeed(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name_es: str
    name_en: str
    # P1 life or violence in progress, P2 urgent, P3 routine, P4 information (callback only).
    default_priority: int
    # Never on a public map; published only as counts per district.
    sensitive: bool = False
    # The citizen app shows the "call 105" prompt before the form.
    emergency: bool = False
    # Crimes against persons: published with a coarser time and place.
    against_person: bool = False
    icon: str = ""
    sort_order: int = 100


CATEGORIES: tuple[CategorySeed, ...] = (
    CategorySeed(
        code="robbery_assault",
        against_person=True,
        name_es="Robo / asalto",
        name_en="Robbery / assault",
        default_priority=1,
        emergency=True,
        icon="robbery",
        sort_order=10,
    ),
    CategorySeed(
        code="suspicious_activity",
        name_es="Actividad sospechosa",
        name_en="Suspicious activity",
        default_priority=3,
        icon="suspicious",
        sort_order=20,
    ),
    CategorySeed(
        code="noise_disturbance",
        name_es="Ruidos molestos / disturbios vecinales",
        name_en="Noise / neighbour disturbance",
        default_priority=3,
        icon="noise",
        sort_order=30,
    ),
    CategorySeed(
        code="accident",
        name_es="Accidente de tránsito",
        name_en="Traffic accident",
        default_priority=2,
        icon="accident",
        sort_order=40,
    ),
    CategorySeed(
        code="fire",
        name_es="Incendio",
        name_en="Fire",
        default_priority=1,
        emergency=True,
        icon="fire",
        sort_order=50,
    ),
    CategorySeed(
        code="medical_emergency",
        name_es="Emergencia médica",
        name_en="Medical emergency",
        default_priority=1,
        emergency=True,
        icon="medical",
        sort_order=60,
    ),
    CategorySeed(
        code="domestic_violence",
        against_person=True,
        name_es="Violencia familiar",
        name_en="Domestic violence",
        default_priority=1,
        sensitive=True,
        emergency=True,
        icon="domestic",
        sort_order=70,
    ),
    CategorySeed(
        code="sexual_offence",
        against_person=True,
        name_es="Delito sexual",
        name_en="Sexual offence",
        default_priority=1,
        sensitive=True,
        emergency=True,
        icon="sexual",
        sort_order=80,
    ),
    CategorySeed(
        code="minors_at_risk",
        against_person=True,
        name_es="Menor en riesgo",
        name_en="Minor at risk",
        default_priority=2,
        sensitive=True,
        icon="minor",
        sort_order=90,
    ),
    CategorySeed(
        code="vandalism",
        name_es="Vandalismo / daños",
        name_en="Vandalism / damage",
        default_priority=3,
        icon="vandalism",
        sort_order=100,
    ),
    CategorySeed(
        code="drug_activity",
        name_es="Microcomercialización de drogas",
        name_en="Street drug dealing",
        default_priority=3,
        icon="drugs",
        sort_order=110,
    ),
    CategorySeed(
        code="other", name_es="Otros", name_en="Other", default_priority=3, icon="other", sort_order=900
    ),
)

_INSERT = """
INSERT INTO category
    (tenant, code, name_es, name_en, default_priority, sensitive, emergency, against_person, icon, sort_order)
SELECT $1, c.code, c.name_es, c.name_en, c.default_priority, c.sensitive, c.emergency, c.against_person, c.icon,
    c.sort_order
FROM unnest(
    $2::text[], $3::text[], $4::text[], $5::int2[], $6::bool[], $7::bool[], $8::bool[], $9::text[], $10::int4[]
) AS c(code, name_es, name_en, default_priority, sensitive, emergency, against_person, icon, sort_order)
ON CONFLICT (tenant, code) DO NOTHING
"""


async def seed_categories(conn: asyncpg.Connection, tenant_id: int) -> None:
    """Add the canonical categories the tenant lacks (matched by code); existing rows are left as they are."""
    columns = zip(
        *(
            (
                c.code,
                c.name_es,
                c.name_en,
                c.default_priority,
                c.sensitive,
                c.emergency,
                c.against_person,
                c.icon,
                c.sort_order,
            )
            for c in CATEGORIES
        ),
        strict=True,
    )
    await conn.execute(_INSERT, tenant_id, *(list(column) for column in columns))
