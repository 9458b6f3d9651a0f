"""The departments and topics every tenant starts with, and the idempotent seed that writes them.

Deadlines follow the spirit of Peru's administrative procedure law (Ley 27444: a municipality answers a
citizen's written request within days, not months); a tenant changes them per department or topic. Like the
categories' seed, a row that exists is never overwritten.
"""

from __future__ import annotations

import asyncpg
import msgspec

__all__ = ["DEPARTMENTS", "TOPICS", "DepartmentSeed", "TopicSeed", "seed_participation"]


class DepartmentSeed(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name_es: str
    name_en: str
    answer_within_h: int


class TopicSeed(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    department: str
    name_es: str
    name_en: str
    needs_location: bool
    icon: str
    sort_order: int


DEPARTMENTS: tuple[DepartmentSeed, ...] = (
    DepartmentSeed(
        code="public_lighting", name_es="Alumbrado público", name_en="Public lighting", answer_within_h=72
    ),
    DepartmentSeed(
        code="solid_waste",
        name_es="Limpieza pública y residuos sólidos",
        name_en="Street cleaning and solid waste",
        answer_within_h=48,
    ),
    DepartmentSeed(
        code="enforcement",
        name_es="Fiscalización municipal",
        name_en="Municipal enforcement",
        answer_within_h=120,
    ),
    DepartmentSeed(
        code="public_works",
        name_es="Obras públicas (pistas y veredas)",
        name_en="Public works (roads and pavements)",
        answer_within_h=240,
    ),
    DepartmentSeed(
        code="parks", name_es="Parques y jardines", name_en="Parks and gardens", answer_within_h=120
    ),
    DepartmentSeed(
        code="citizen_security",
        name_es="Seguridad ciudadana (propuestas)",
        name_en="Public safety (proposals)",
        answer_within_h=240,
    ),
    DepartmentSeed(
        code="citizen_services",
        name_es="Atención al ciudadano",
        name_en="Citizen services",
        answer_within_h=240,
    ),
)

TOPICS: tuple[TopicSeed, ...] = (
    TopicSeed(
        code="street_light_out",
        department="public_lighting",
        name_es="Poste de luz apagado o dañado",
        name_en="Street light out or damaged",
        needs_location=True,
        icon="light",
        sort_order=10,
    ),
    TopicSeed(
        code="rubbish_not_collected",
        department="solid_waste",
        name_es="Basura no recogida",
        name_en="Rubbish not collected",
        needs_location=True,
        icon="rubbish",
        sort_order=20,
    ),
    TopicSeed(
        code="illegal_dumping",
        department="solid_waste",
        name_es="Desmonte o basura arrojada en la vía",
        name_en="Fly-tipping on the street",
        needs_location=True,
        icon="rubbish",
        sort_order=30,
    ),
    TopicSeed(
        code="noise_premises",
        department="enforcement",
        name_es="Local con ruido o sin licencia",
        name_en="Noisy or unlicensed premises",
        needs_location=True,
        icon="noise",
        sort_order=40,
    ),
    TopicSeed(
        code="street_trading",
        department="enforcement",
        name_es="Comercio ambulatorio que obstruye la vía",
        name_en="Street trading blocking the way",
        needs_location=True,
        icon="market",
        sort_order=50,
    ),
    TopicSeed(
        code="road_damage",
        department="public_works",
        name_es="Bache o vereda rota",
        name_en="Pothole or broken pavement",
        needs_location=True,
        icon="road",
        sort_order=60,
    ),
    TopicSeed(
        code="park_upkeep",
        department="parks",
        name_es="Parque o área verde descuidada",
        name_en="Neglected park or green area",
        needs_location=True,
        icon="park",
        sort_order=70,
    ),
    TopicSeed(
        code="safety_proposal",
        department="citizen_security",
        name_es="Propuesta de seguridad (patrullaje, cámaras, iluminación)",
        name_en="Safety proposal (patrols, cameras, lighting)",
        needs_location=False,
        icon="shield",
        sort_order=80,
    ),
    TopicSeed(
        code="municipal_question",
        department="citizen_services",
        name_es="Consulta sobre trámites o servicios municipales",
        name_en="Question about municipal services",
        needs_location=False,
        icon="question",
        sort_order=90,
    ),
    TopicSeed(
        code="other",
        department="citizen_services",
        name_es="Otro tema",
        name_en="Something else",
        needs_location=False,
        icon="other",
        sort_order=100,
    ),
)

_DEPARTMENT = """
INSERT INTO department (tenant, code, name_es, name_en, answer_within_h, active)
SELECT $1, code, name_es, name_en, hours, true
FROM unnest($2::text[], $3::text[], $4::text[], $5::int[]) AS s(code, name_es, name_en, hours)
ON CONFLICT (tenant, code) DO NOTHING
"""
_TOPIC = """
INSERT INTO participation_topic
    (tenant, code, department, name_es, name_en, answer_within_h, needs_location, icon, sort_order, active)
SELECT $1, s.code, d.id, s.name_es, s.name_en, NULL, s.needs_location, s.icon, s.sort_order, true
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::int[])
     AS s(code, department, name_es, name_en, needs_location, icon, sort_order)
JOIN department d ON d.tenant = $1 AND d.code = s.department
ON CONFLICT (tenant, code) DO NOTHING
"""


async def seed_participation(conn: asyncpg.Connection, tenant_id: int) -> None:
    await conn.execute(
        _DEPARTMENT,
        tenant_id,
        [d.code for d in DEPARTMENTS],
        [d.name_es for d in DEPARTMENTS],
        [d.name_en for d in DEPARTMENTS],
        [d.answer_within_h for d in DEPARTMENTS],
    )
    await conn.execute(
        _TOPIC,
        tenant_id,
        [t.code for t in TOPICS],
        [t.department for t in TOPICS],
        [t.name_es for t in TOPICS],
        [t.name_en for t in TOPICS],
        [t.needs_location for t in TOPICS],
        [t.icon for t in TOPICS],
        [t.sort_order for t in TOPICS],
    )
