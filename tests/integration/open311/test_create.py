"""POST requests: through the report intake, exactly once, with Open311's errors; what GET then shows of it."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.open311.conftest import BASE, CITY, o311, validate, xml_items
from tests.support.builders import OUTSIDE
from tests.support.fixtures import decode

POINT = {"lat": "-8.1002", "long": "-79.0398"}
CONTACT = {"first_name": "Milagros", "last_name": "Huamán Torres", "phone": "+51 944 111 222",
           "email": "milagros.huaman@correo.pe"}  # fmt: skip


def form(api_key: str | None, **fields) -> dict[str, str]:
    body = {"jurisdiction_id": CITY["slug"], "service_code": "vandalism", **POINT, **fields}
    if api_key is not None:
        body["api_key"] = api_key
    return body


async def post(client, body: dict, fmt: str = "json", lang: str = "es", **headers):
    return await client.post(
        f"{BASE}/requests.{fmt}", data=body, headers={"Accept-Language": lang, **headers}
    )


async def test_post_files_a_report_through_intake_with_its_contact_kept_private(client, db, api_key):
    text = f"Pintas en la fachada del colegio {uuid.uuid4()}"
    response = await post(
        client,
        form(
            api_key, description=text, media_url="https://fotos.example/abc.jpg", device_id="dev-1", **CONTACT
        ),
    )
    assert response.status_code == 200, response.text
    created = decode(response)
    validate(created, "written/request-created.json")
    code = created[0]["service_request_id"]
    assert code.startswith("OTT-") and "105" in created[0]["service_notice"]

    incident = await db.fetchrow(
        "SELECT id, source, status, anonymous, description, callback_due_at, ST_Y(location::geometry) AS lat "
        "FROM incident WHERE code = $1",
        code,
    )
    assert incident["source"] == "open311" and incident["status"] == "new" and not incident["anonymous"]
    assert (
        text in incident["description"]
        and "media_url: https://fotos.example/abc.jpg" in incident["description"]
    )
    assert round(incident["lat"], 4) == -8.1002
    assert incident["callback_due_at"] is not None  # a phone was given: a callback is due
    contact = await db.fetchrow(
        "SELECT name, phone, email FROM reporter_contact WHERE incident = $1", incident["id"]
    )
    assert dict(contact) == {
        "name": "Milagros Huamán Torres",
        "phone": CONTACT["phone"],
        "email": CONTACT["email"],
    }
    events = await db.fetch("SELECT kind FROM incident_event WHERE incident = $1", incident["id"])
    assert [e["kind"] for e in events] == ["reported"]

    # Not public yet: GET tells that it exists and is open, nothing of where, what was said, or who said it.
    for fmt in ("json", "xml"):
        shown = await o311(client, f"requests/{code}.{fmt}")
        assert shown.status_code == 200
        for private in (
            text,
            "Milagros",
            "Huamán",
            "944",
            "correo.pe",
            "fotos.example",
            "-8.1002",
            "-79.0398",
        ):
            assert private not in shown.text
    item = decode(await o311(client, f"requests/{code}.json"))
    validate(item, "requests.json")
    assert item[0]["status"] == "open" and item[0]["lat"] is None and item[0]["long"] is None
    assert item[0]["description"] is None and item[0]["address"] is None
    assert item[0]["requested_datetime"].endswith("T00:00:00-05:00")  # the day only
    fields = xml_items(await o311(client, f"requests/{code}.xml"), "service_requests", "request")[0]
    assert "lat" not in fields and "long" not in fields and fields["status"] == "open"


async def test_post_in_xml_and_the_token_lead_to_the_same_request(client, api_key):
    response = await post(client, form(api_key, description=f"xml {uuid.uuid4()}"), fmt="xml")
    assert response.status_code == 200, response.text
    created = xml_items(response, "service_requests", "request")[0]
    assert created["service_request_id"].startswith("OTT-") and created["token"]
    assert created["account_id"] == ""

    for fmt in ("json", "xml"):
        resolved = await o311(client, f"tokens/{created['token']}.{fmt}")
        assert resolved.status_code == 200
    body = decode(await o311(client, f"tokens/{created['token']}.json"))
    validate(body, "written/token.json")
    assert body == [{"service_request_id": created["service_request_id"], "token": created["token"]}]
    forged = created["token"][:-4] + "0000"
    assert (await o311(client, f"tokens/{forged}.json")).status_code == 404


async def test_an_exact_retry_without_idempotency_key_creates_nothing_new(client, db, api_key):
    body = form(api_key, description=f"reintento {uuid.uuid4()}", **CONTACT)
    first = decode(await post(client, body))
    second = decode(await post(client, body))
    assert first[0]["service_request_id"] == second[0]["service_request_id"]
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = $1", body["description"]) == 1
    # Another report (different text) from the same app is a new request.
    other = decode(await post(client, {**body, "description": body["description"] + " (otro)"}))
    assert other[0]["service_request_id"] != first[0]["service_request_id"]


async def test_an_idempotency_key_header_is_honoured(client, db, api_key):
    key = str(uuid.uuid4())
    body = form(api_key, description=f"con clave {uuid.uuid4()}")
    first = decode(await post(client, body, **{"Idempotency-Key": key}))
    again = decode(await post(client, body, **{"Idempotency-Key": key}))
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert await db.fetchval("SELECT count(*) FROM incident WHERE description = $1", body["description"]) == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_post_without_a_valid_api_key_for_this_jurisdiction_is_403(
    client, api_key, other_city_key, fmt
):
    for key in (None, "", "o311_not-a-real-key", other_city_key):
        response = await post(client, form(key), fmt=fmt)
        assert response.status_code == 403, (key, response.text)
        if fmt == "json":
            errors = decode(response)
            validate(errors, "written/errors.json")
            assert errors[0]["code"] == 403 and "api_key" in errors[0]["description"]
        else:
            assert xml_items(response, "errors", "error")[0]["code"] == "403"


@pytest.mark.parametrize(
    ("fields", "status", "needle"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "potholes"}, 400, "potholes"),
        ({"lat": "norte"}, 400, "lat"),
        ({"lat": "95"}, 400, "lat"),
        ({"long": "nan"}, 400, "long"),
        ({"lat": "", "long": "", "address_string": "Jr. Pizarro 455"}, 400, "address_string"),
        ({"phone": "llámame"}, 400, "phone"),
        ({"attribute[occurred_at]": "ayer"}, 400, "occurred_at"),
        ({"jurisdiction_id": "atlantis"}, 404, "atlantis"),
    ],
)
async def test_bad_posts_get_open311_errors_never_a_500(client, db, api_key, fields, status, needle):
    before = await db.fetchval("SELECT count(*) FROM incident")
    response = await post(client, form(api_key, **fields))
    assert response.status_code == status, response.text
    errors = decode(response)
    validate(errors, "written/errors.json")
    assert needle in errors[0]["description"]
    assert await db.fetchval("SELECT count(*) FROM incident") == before


@pytest.mark.parametrize(("lang", "words"), [("es", "fuera del área de servicio"), ("en", "outside")])
async def test_a_point_outside_the_service_area_is_400_with_the_intake_message(client, api_key, lang, words):
    response = await post(client, form(api_key, lat=str(OUTSIDE["lat"]), long=str(OUTSIDE["lon"])), lang=lang)
    assert response.status_code == 400
    assert words in decode(response)[0]["description"]


async def test_sensitive_categories_may_be_reported_but_are_never_shown(client, db, api_key):
    response = await post(client, form(api_key, service_code="domestic_violence", description="ayuda"))
    assert response.status_code == 200, response.text
    code = decode(response)[0]["service_request_id"]
    assert await db.fetchval("SELECT source FROM incident WHERE code = $1", code) == "open311"
    for fmt in ("json", "xml"):
        assert (await o311(client, f"requests/{code}.{fmt}")).status_code == 404
    assert decode(await o311(client, "requests.json", service_request_id=code)) == []


async def test_each_api_key_has_its_own_budget_per_minute(media_dir, open_city, api_key):
    """A client app speaks for many citizens: it is limited per key (here 2 a minute), not per address."""
    from sereno.app import create_app
    from sereno.transparency.open311 import keys
    from tests.support.fixtures import build_settings, running

    app = create_app(build_settings(media_dir, SERENO_RATE_LIMIT_PER_KEY_PER_MINUTE="2"))
    _, other_key = await keys.create_client(tenant_id=open_city, name="Otra app")
    async with running(app) as limited:
        answers = [
            await post(limited, form(api_key, description=f"Ruidos en el parque, aviso {i}"))
            for i in range(3)
        ]
        assert [a.status_code for a in answers[:2]] == [200, 200]
        refused = answers[2]
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
        (error,) = decode(refused)
        assert error["code"] == 429 and "api_key" in error["description"]
        assert (await post(limited, form(other_key, description="Otra app, otro presupuesto"))).status_code == 200
