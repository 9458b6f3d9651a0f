"""Nothing personal or exact reaches public output: every format is scanned for planted private data, and
published points are checked against the true locations."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import timedelta

import pytest

from tests.integration.transparency.conftest import NOW, public_get
from tests.support.builders import EAST, NORTH, SOUTH, WEST
from tests.support.fixtures import decode
from tests.support.incidents import PRIVATE, insert_incident

_CATEGORIES = ("robbery_assault", "vandalism", "noise_disturbance", "suspicious_activity", "domestic_violence")


@pytest.fixture(scope="module")
async def truth(client, pub_city) -> dict[str, tuple[float, float]]:
    """150 incidents in May 2026 with private data planted everywhere; their true points by code."""
    from sereno.core import db as core_db
    from sereno.settings import PublicSettings
    from sereno.transparency import projection
    from tests.integration.transparency.conftest import KEY

    rng = random.Random(29)
    points: dict[str, tuple[float, float]] = {}
    async with core_db.connection() as conn:
        for i in range(150):
            # Clustered like real incidents: around a few streets, with 6-decimal coordinates.
            cx, cy = [(WEST + 0.01, SOUTH + 0.01), (EAST - 0.012, NORTH - 0.01), (WEST + 0.02, NORTH - 0.02)][i % 3]
            lon = round(cx + rng.gauss(0, 0.003), 6)
            lat = round(cy + rng.gauss(0, 0.003), 6)
            _, code = await insert_incident(
                conn, tenant_id=pub_city, category=_CATEGORIES[i % 5], lon=lon, lat=lat,
                reported_at=NOW.replace(month=5, day=1 + i % 28, hour=15) + timedelta(minutes=i),
            )
            points[code] = (lon, lat)
    await projection.refresh(policy=projection.policy_from(PublicSettings()), key=KEY, now=NOW)
    return points


async def _every_public_output(client) -> dict[str, str]:
    outputs = {}
    for lang in ("es", "en"):
        for path in ("incidents", "incidents.geojson", "incidents.csv", "incidents.atom", "stats"):
            response = await public_get(client, path, lang=lang, limit=500) if path == "incidents" else (
                await public_get(client, path, lang=lang)
            )
            assert response.status_code == 200, (path, response.text[:200])
            outputs[f"{path}/{lang}"] = response.content.decode("utf-8")
    # Open311 GeoReport v2: the list (the seeded months: within its 90-day limit) and each listed request.
    may = {
        "jurisdiction_id": "pub",
        "start_date": "2026-05-01T00:00:00-05:00",
        "end_date": "2026-06-30T23:59:59-05:00",
    }
    for lang in ("es", "en"):
        for fmt in ("json", "xml"):
            response = await client.get(
                f"/open311/v2/requests.{fmt}", params=may, headers={"Accept-Language": lang}
            )
            assert response.status_code == 200, response.text[:200]
            outputs[f"open311/requests.{fmt}/{lang}"] = response.content.decode("utf-8")
    listed = decode(await client.get("/open311/v2/requests.json", params=may))
    assert listed, "the seeded incidents should be listed by Open311"
    for code in (item["service_request_id"] for item in listed):
        for fmt in ("json", "xml"):
            path = f"/open311/v2/requests/{code}.{fmt}"
            response = await client.get(path, params={"jurisdiction_id": "pub"})
            assert response.status_code == 200, (code, response.text[:200])
            outputs[f"open311/requests/{code}.{fmt}"] = response.content.decode("utf-8")
    for page in ("/transparencia/", "/transparency/"):
        response = await client.get(page)
        if response.status_code == 200:
            outputs[page] = response.text
    return outputs


async def test_no_public_output_contains_names_phones_emails_text_or_exact_coordinates(client, truth):
    outputs = await _every_public_output(client)
    needles = [*PRIVATE.values(), "Quispe", "987 654 321", "987654321", "correo.pe", "Pizarro", "3B", "SZ-17", "Paredes"]
    # A true point in any of the ways the formats write a pair (a single coordinate can equal a grid line's).
    for lon, lat in truth.values():
        needles += [f"[{lon!r},{lat!r}]", f"{lat!r},{lon!r}", f"{lat!r} {lon!r}", f'"lat":{lat!r},"lon":{lon!r}']
    hits = [(name, needle) for name, text in outputs.items() for needle in needles if needle in text]
    assert not hits, hits[:10]
    # Sensitive categories never appear as items, in any language.
    feed = outputs["incidents.geojson/es"]
    assert "domestic_violence" not in feed and "Violencia familiar" not in feed


async def test_published_points_are_far_from_the_truth_and_every_cell_holds_k(client, truth):
    collection = decode(await public_get(client, "incidents.geojson", **{"from": "2026-05-01", "to": "2026-05-31"}))
    located = [f for f in collection["features"] if f["geometry"] and f["id"] in truth]
    assert len(located) >= 60, "most of the seeded incidents should be placed on the map"

    def metres(a, b):
        return math.hypot((a[0] - b[0]) * 111_320 * math.cos(math.radians(b[1])), (a[1] - b[1]) * 111_320)

    # Half of the configured grid cell (250 m), whatever the level: a point merged into a 1 km cell is
    # further still on average, but the guarantee is stated for the grid cell.
    far = [metres(f["geometry"]["coordinates"], truth[f["id"]]) >= 125 for f in located]
    assert sum(far) / len(far) > 0.75, f"only {sum(far)} of {len(far)} at least half a cell away"
    per_point = Counter(tuple(f["geometry"]["coordinates"]) for f in located)
    assert min(per_point.values()) >= 3, per_point.most_common()[-3:]
