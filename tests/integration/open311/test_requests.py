"""GET requests: the public projection only, at its precision, with the specification's filters and limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sereno.transparency.open311 import published as published_module

from tests.integration.open311.conftest import NOW, as_text, o311, validate, xml_items
from tests.support.fixtures import decode
from tests.support.incidents import PRIVATE

LIMA = ZoneInfo("America/Lima")


def _codes(items: list[dict]) -> set[str]:
    return {i["service_request_id"] for i in items}


async def test_requests_are_the_listed_items_of_the_last_90_days_in_both_formats(client, published):
    items = decode(await o311(client, "requests.json"))
    validate(items, "requests.json")
    listed = {c for c, f in published.items() if f["category"] != "domestic_violence"}
    recent = {c for c in listed if published[c]["reported_at"] > NOW - timedelta(days=90)}
    assert _codes(items) == recent  # not the sensitive one, not the one from 120 days ago
    assert all(i["status"] == "closed" and i["status_notes"] == "Atendido en el lugar" for i in items)
    assert all(i["description"] is None and i["media_url"] is None for i in items)
    assert [i["requested_datetime"] for i in items] == sorted(
        (i["requested_datetime"] for i in items), reverse=True
    )

    rows = xml_items(await o311(client, "requests.xml"), "service_requests", "request")
    assert [r["service_request_id"] for r in rows] == [i["service_request_id"] for i in items]
    for row, item in zip(rows, items, strict=True):
        # Absent numbers, times and URLs are left out of the XML; everything else is the same value.
        expected = {k: as_text(v) for k, v in item.items() if v is not None or k not in _OMITTED}
        assert {k: row[k] for k in row if k not in ("lat", "long")} == {
            k: v for k, v in expected.items() if k not in ("lat", "long")
        }
        if item["lat"] is not None:
            assert float(row["lat"]) == item["lat"] and float(row["long"]) == item["long"]


_OMITTED = {"lat", "long", "media_url", "updated_datetime", "expected_datetime"}


async def test_times_are_published_at_the_allowed_precision_and_places_are_the_published_cells(
    client, db, published
):
    items = {i["service_request_id"]: i for i in decode(await o311(client, "requests.json"))}
    points = {
        r["code"]: r
        for r in await db.fetch(
            "SELECT code, level, lon, lat FROM public_incident WHERE code = ANY($1)", list(items)
        )
    }
    located = 0
    for code, item in items.items():
        facts = published[code]
        local = facts["reported_at"].astimezone(LIMA)
        requested = datetime.fromisoformat(item["requested_datetime"])
        if facts["category"] == "robbery_assault":  # a crime against a person: the day only
            assert requested == datetime.combine(local.date(), datetime.min.time(), LIMA)
        else:  # the start of its 3-hour band
            assert requested == local.replace(hour=local.hour - local.hour % 3, minute=0)
        assert requested <= facts["reported_at"]
        point = points[code]
        if point["level"] == "district":
            assert item["lat"] is None and item["long"] is None
        else:
            located += 1
            assert (item["lat"], item["long"]) == (round(point["lat"], 6), round(point["lon"], 6))
            assert (item["long"], item["lat"]) != (facts["lon"], facts["lat"])
        assert item["address"] in ("Sector NW", "Sector NE", "Sector SW", "Sector SE")
    assert located >= 3
    alone = next(c for c, f in published.items() if f["category"] == "noise_disturbance")
    assert items[alone]["lat"] is None


async def test_filters_by_code_service_dates_and_status(client, published):
    vandalism = decode(await o311(client, "requests.json", service_code="vandalism"))
    assert vandalism and {i["service_code"] for i in vandalism} == {"vandalism"}
    both = decode(await o311(client, "requests.json", service_code="vandalism,robbery_assault"))
    assert {i["service_code"] for i in both} == {"vandalism", "robbery_assault"}
    assert decode(await o311(client, "requests.json", service_code="domestic_violence")) == []
    assert decode(await o311(client, "requests.json", status="open")) == []
    assert len(decode(await o311(client, "requests.json", status="closed"))) == len(
        decode(await o311(client, "requests.json", status="open,closed"))
    )

    old = next(c for c, f in published.items() if f["reported_at"] < NOW - timedelta(days=100))
    day = published[old]["reported_at"].astimezone(LIMA).date()
    window = {
        "start_date": f"{day - timedelta(days=1)}T00:00:00-05:00",
        "end_date": f"{day + timedelta(days=1)}T23:59:59Z",
    }
    assert _codes(decode(await o311(client, "requests.json", **window))) == {old}
    assert _codes(decode(await o311(client, "requests.json", start_date=str(day - timedelta(days=2))))) >= {
        old
    }

    picked = sorted(_codes(vandalism))[:2]
    # service_request_id overrides every other parameter.
    by_id = decode(
        await o311(client, "requests.json", service_request_id=",".join(picked), service_code="fire")
    )
    assert _codes(by_id) == set(picked)
    # Empty parameters are treated as absent.
    empty = decode(
        await o311(client, "requests.json", service_code="", status="", start_date="", end_date="")
    )
    assert _codes(empty) == _codes(decode(await o311(client, "requests.json")))


async def test_at_most_1000_requests_are_returned(client, published, monkeypatch):
    monkeypatch.setattr(published_module, "MAX_REQUESTS", 2)
    assert len(decode(await o311(client, "requests.json"))) == 2


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"start_date": "ayer"}, "start_date"),
        ({"end_date": "2026-13-01"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-30"}, "90"),
        ({"start_date": "2026-06-30", "end_date": "2026-06-01"}, "start_date"),
        ({"status": "pending"}, "status"),
        ({"service_code": "potholes"}, "potholes"),
        ({"service_request_id": ",".join(f"X{i}" for i in range(300))}, "service_request_id"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_bad_parameters_are_400_in_the_requested_format(client, published, params, needle, fmt):
    response = await o311(client, f"requests.{fmt}", **params)
    assert response.status_code == 400, response.text
    if fmt == "json":
        errors = decode(response)
        validate(errors, "written/errors.json")
        assert needle in errors[0]["description"]
    else:
        assert needle in xml_items(response, "errors", "error")[0]["description"]


async def test_one_request_of_the_projection_and_unknown_ones(client, published):
    code = next(c for c, f in published.items() if f["category"] == "vandalism")
    one = decode(await o311(client, f"requests/{code}.json"))
    validate(one, "requests.json")
    assert len(one) == 1 and one[0]["service_request_id"] == code and one[0]["status"] == "closed"
    row = xml_items(await o311(client, f"requests/{code}.xml"), "service_requests", "request")
    assert row[0]["service_request_id"] == code and row[0]["description"] == ""
    for fmt in ("json", "xml"):
        missing = await o311(client, f"requests/OTT-1999-000001.{fmt}")
        assert missing.status_code == 404 and b"OTT-1999-000001" in missing.content
    sensitive = next(c for c, f in published.items() if f["category"] == "domestic_violence")
    assert (await o311(client, f"requests/{sensitive}.json")).status_code == 404


async def test_no_request_output_holds_private_data(client, published):
    texts = [
        (await o311(client, f"requests.{fmt}", lang=lang)).text
        for fmt in ("json", "xml")
        for lang in ("es", "en")
    ]
    texts += [(await o311(client, f"requests/{code}.xml")).text for code in published]
    for text in texts:
        for needle in (*PRIVATE.values(), "Quispe", "987 654 321", "correo.pe", "SZ-17"):
            assert needle not in text
        for facts in published.values():
            assert str(facts["lat"]) not in text and str(facts["lon"]) not in text
