"""Demo citizen participation: the default departments and topics, a clerk who works every queue, and a month
of complaints, suggestions and questions in every state (answered, in progress, waiting, past the deadline)."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

import asyncpg
import msgspec

from sereno.demo._history import LIMA
from sereno.demo.cities import DemoCity
from sereno.participation.seed import seed_participation

__all__ = ["load_participation"]

_TEXTS: dict[str, tuple[str, str]] = {
    # topic: (kind, what the citizen wrote)
    "street_light_out": (
        "complaint",
        "El poste de la esquina lleva una semana apagado y la cuadra queda a oscuras.",
    ),
    "rubbish_not_collected": (
        "complaint",
        "El camión recolector no pasa desde el lunes; hay bolsas acumuladas.",
    ),
    "illegal_dumping": ("complaint", "Dejaron desmonte y restos de construcción en la berma central."),
    "noise_premises": (
        "complaint",
        "Un local pone música a todo volumen hasta las 3 de la mañana los fines de semana.",
    ),
    "street_trading": ("complaint", "Los puestos ambulantes ocupan toda la vereda frente al mercado."),
    "road_damage": (
        "complaint",
        "Hay un bache grande en la pista; los mototaxis lo esquivan por el carril contrario.",
    ),
    "park_upkeep": ("complaint", "El parque no tiene riego y los juegos infantiles están rotos."),
    "safety_proposal": (
        "suggestion",
        "Proponemos una caseta de serenazgo en el paradero, donde roban celulares.",
    ),
    "municipal_question": (
        "question",
        "¿Qué documentos necesito para la licencia de funcionamiento de una bodega?",
    ),
    "other": ("suggestion", "Sería útil que la app muestre los horarios del camión recolector por zona."),
}
_ANSWERS = (
    "Gracias por su aviso. Una cuadrilla atendió el lugar; si el problema continúa, responda a esta solicitud.",
    "Programamos la atención para esta semana. Le informaremos cuando se complete.",
    "Su propuesta fue derivada al comité de seguridad ciudadana para la próxima sesión.",
)
_INSERT = """
INSERT INTO participation_request
    (tenant, code, kind, topic, department, status, description, location, accuracy_m, address, language,
     tracking_token_hash, received_at, due_at, updated_at, answered_at, answer, overdue_at, version)
SELECT $1, s.prefix || lpad(sereno_next_participation_number($1)::text, 6, '0'), s.kind, t.id, t.department,
       s.status, s.description, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography, 15, '', 'es', s.token,
       s.received_at, s.received_at + make_interval(hours => coalesce(t.answer_within_h, d.answer_within_h)),
       coalesce(s.answered_at, s.received_at), s.answered_at, s.answer, NULL, 1
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::text[],
            $10::timestamptz[], $11::timestamptz[], $12::text[])
     AS s(prefix, kind, topic, status, description, lon, lat, token, received_at, answered_at, answer)
JOIN participation_topic t ON t.tenant = $1 AND t.code = s.topic
JOIN department d ON d.id = t.department
RETURNING id, status, received_at, answered_at
"""


async def load_participation(
    conn: asyncpg.Connection,
    *,
    tenant_id: int,
    city: DemoCity,
    now: datetime,
    rng: random.Random,
    clerk_id: int,
) -> int:
    """Seed, staff and a month of requests; returns how many requests were created."""
    await seed_participation(conn, tenant_id)
    await conn.execute(
        "INSERT INTO department_member (department, account) SELECT id, $2 FROM department WHERE tenant = $1",
        tenant_id,
        clerk_id,
    )
    rows = []
    for _ in range(48):
        topic = rng.choice(list(_TEXTS))
        kind, text = _TEXTS[topic]
        received = now - timedelta(days=rng.uniform(0.1, 30))
        age_h = (now - received).total_seconds() / 3600
        # Most requests older than a week are answered; a few stay open past their deadline.
        status = rng.choices(["answered", "dismissed", "in_progress", "received"], weights=[8, 1, 2, 2])[0]
        if age_h < 24:
            status = "received"
        answered_at = (
            received + timedelta(hours=rng.uniform(4, min(age_h, 200)))
            if status in ("answered", "dismissed")
            else None
        )
        answer = (
            rng.choice(_ANSWERS)
            if status == "answered"
            else (
                "Corresponde a una propiedad privada; la municipalidad no puede intervenir."
                if status == "dismissed"
                else ""
            )
        )
        sector = rng.choice(city.sectors)
        rows.append((
            f"{city.code_prefix}-PC-{received.astimezone(LIMA).year}-", kind, topic, status, text,
            sector.lon + rng.gauss(0, 0.004), sector.lat + rng.gauss(0, 0.004),
            hashlib.sha256(rng.randbytes(16)).hexdigest(), received, answered_at, answer,
        ))  # fmt: skip
    rows.sort(key=lambda r: r[8])
    created = await conn.fetch(_INSERT, tenant_id, *map(list, zip(*rows, strict=True)))
    events = []
    for r in created:
        events.append((r["id"], tenant_id, r["received_at"], "received", "citizen", None, True, "{}"))
        if r["status"] != "received":
            started = r["received_at"] + timedelta(hours=2)
            events.append((r["id"], tenant_id, started, "start", "staff", clerk_id, True, "{}"))
        if r["answered_at"] is not None:
            kind = "answer" if r["status"] == "answered" else "dismiss"
            events.append((r["id"], tenant_id, r["answered_at"], kind, "staff", clerk_id, True, "{}"))
    await conn.copy_records_to_table(
        "participation_event",
        records=[(*e[:7], msgspec.json.encode({}).decode()) for e in events],
        columns=("request", "tenant_id", "at", "kind", "actor_type", "actor_id", "public", "data"),
    )
    return len(created)
