"""A reporter's right to have their personal data erased (Ley 29733): the contact goes, the case stays."""

from __future__ import annotations

from tests.integration.dispatch.desk import Desk, near
from tests.support.builders import INSIDE

CONTACT = {"name": "Marisol Huertas Vega", "phone": "+51 999 888 777", "email": "marisol@example.pe",
           "callback_wanted": True}


async def test_a_supervisor_erases_the_reporters_contact_and_the_case_remains(desk: Desk, db):
    report = await desk.report("noise_disturbance", near(INSIDE), contact=CONTACT)
    await db.execute(
        "INSERT INTO push_subscription (tenant_id, kind, endpoint, p256dh, auth, incident_id) "
        "VALUES ($1, 'webpush', 'https://push.example/abc', 'k', 'a', $2)", desk.tenant_id, report.id)
    before = await desk.incident(report.id)
    assert before["contact"]["name"] == CONTACT["name"]

    response = await desk.post(f"/api/v1/incidents/{report.id}/contact/erase",
                               {"reason": "Solicitud escrita del denunciante"}, as_=desk.console.supervisor)
    assert response.status_code == 200, response.text
    after = await desk.incident(report.id)
    assert after["contact"] is None or not after["contact"].get("name")
    assert after["code"] == report.code and after["status"] == before["status"]
    erased = [e for e in after["timeline"] if e["kind"] == "contact_erased"]
    assert len(erased) == 1 and erased[0]["data"]["reason"] == "Solicitud escrita del denunciante"

    stored = await db.fetchrow("SELECT name, phone, email, callback_wanted, erased_at FROM reporter_contact "
                               "WHERE incident = $1", report.id)
    assert (stored["name"], stored["phone"], stored["email"], stored["callback_wanted"]) == ("", "", "", False)
    assert stored["erased_at"] is not None
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE incident_id = $1", report.id) == 0
    # The citizen can still follow the case with the tracking token.
    assert (await desk.citizen_view(report))["code"] == report.code

    again = await desk.post(f"/api/v1/incidents/{report.id}/contact/erase", {"reason": "otra vez"},
                            as_=desk.console.supervisor)
    assert again.status_code == 404 and "ya se borraron" in again.json()["detail"]


async def test_dispatchers_and_analysts_cannot_erase_and_a_reason_is_required(desk: Desk):
    report = await desk.report("noise_disturbance", near(INSIDE), contact=CONTACT)
    path = f"/api/v1/incidents/{report.id}/contact/erase"
    assert (await desk.post(path, {"reason": "porque sí"})).status_code == 403
    assert (await desk.post(path, {"reason": "porque sí"}, as_=desk.console.analyst)).status_code == 403
    assert (await desk.post(path, {"reason": ""}, as_=desk.console.supervisor)).status_code == 400
