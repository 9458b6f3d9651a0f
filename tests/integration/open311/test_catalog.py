"""Discovery, services and service definitions, in JSON (against the specification's schemas) and XML."""

from __future__ import annotations

import pytest

from tests.integration.open311.conftest import as_text, o311, validate, xml_items, xml_root
from tests.support.fixtures import decode


async def test_discovery_names_the_georeport_v2_endpoint_and_both_formats(client, open_city):
    response = await o311(client, "discovery.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    body = decode(response)
    validate(body, "written/discovery.json")
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}

    root = xml_root(await o311(client, "discovery.xml"))
    assert root.tag == "discovery" and root.findtext("changeset") == body["changeset"]
    endpoints = root.find("endpoints")
    assert [e.tag for e in endpoints] == ["endpoint"]
    assert endpoints.findtext("endpoint/url") == endpoint["url"]
    assert [f.text for f in endpoints.find("endpoint/formats")] == endpoint["formats"]


async def test_services_are_the_active_categories_in_the_request_language(client, open_city):
    services = decode(await o311(client, "services.json"))
    validate(services, "services.json")
    by_code = {s["service_code"]: s for s in services}
    assert by_code["robbery_assault"]["service_name"] == "Robo / asalto"
    assert by_code["robbery_assault"]["group"] == "emergencias"
    assert "105" in by_code["robbery_assault"]["description"]  # emergencies in progress: call
    assert by_code["vandalism"]["group"] == "seguridad" and by_code["vandalism"]["type"] == "realtime"
    # Victims must be able to report sensitive categories: they are offered, and said to be confidential.
    assert "domestic_violence" in by_code
    assert all(s["metadata"] is True for s in services)

    english = {s["service_code"]: s for s in decode(await o311(client, "services.json", lang="en"))}
    assert english["robbery_assault"]["service_name"] == "Robbery / assault"

    items = xml_items(await o311(client, "services.xml"), "services", "service")
    assert [i["service_code"] for i in items] == [s["service_code"] for s in services]
    for item, service in zip(items, services, strict=True):
        assert item == {key: as_text(value) for key, value in service.items()}


@pytest.mark.parametrize("code", ["robbery_assault", "vandalism"])
async def test_service_definition_asks_when_it_happened_and_tells_emergencies_to_call(
    client, open_city, code
):
    definition = decode(await o311(client, f"services/{code}.json"))
    validate(definition, "service-definition.json")
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert (
        attributes["occurred_at"]["datatype"] == "datetime" and attributes["occurred_at"]["variable"] is True
    )
    assert attributes["occurred_at"]["required"] is False
    if code == "robbery_assault":
        notice = attributes["call_emergency"]
        assert notice["variable"] is False and "105" in notice["description"]
    else:
        assert "call_emergency" not in attributes

    root = xml_root(await o311(client, f"services/{code}.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == code
    codes = [a.findtext("code") for a in root.find("attributes")]
    assert codes == [a["code"] for a in definition["attributes"]]
    assert {a.tag for a in root.find("attributes")} == {"attribute"}
    assert root.findtext("attributes/attribute/required") == "false"


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_unknown_service_code_or_jurisdiction_is_a_404_in_the_requested_format(client, open_city, fmt):
    response = await o311(client, f"services/no_such_thing.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        errors = decode(response)
        validate(errors, "written/errors.json")
        assert errors[0]["code"] == 404 and "no_such_thing" in errors[0]["description"]
    else:
        errors = xml_items(response, "errors", "error")
        assert errors[0]["code"] == "404" and "no_such_thing" in errors[0]["description"]

    unknown = await o311(client, f"services.{fmt}", jurisdiction_id="atlantis")
    assert unknown.status_code == 404 and b"atlantis" in unknown.content


async def test_a_service_path_without_a_format_is_a_404_and_an_empty_jurisdiction_counts_as_absent(
    client, open_city
):
    response = await o311(client, "services/vandalism")
    assert response.status_code == 404
    validate(decode(response), "written/errors.json")
    # Empty: the default tenant (the test city) answers.
    assert (await o311(client, "services.json", jurisdiction_id="")).status_code == 200
