"""``sereno import incidents``: the real command on the test database."""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sereno.core import db as core_db
from tests.support.builders import create_city

IMP = {"slug": "imp", "name": "Ciudad Importada", "prefix": "IMP"}


@pytest.fixture(scope="module")
async def tenant_id(client) -> int:
    async with core_db.connection() as conn:
        return await create_city(conn, **IMP)


def _write(path: Path, rows: list[list], header=("case_number", "date", "latitude", "longitude", "primary_type")) -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sereno", "import", "incidents", str(path), "--tenant", IMP["slug"],
         "--category-map", "ROBO=robbery_assault", "--category-map", "RUIDO=noise_disturbance", *args],
        env={**os.environ}, capture_output=True, text=True, timeout=120,
    )


GOOD = [
    ["A1", "2024-03-01 21:15", -8.10, -79.04, "ROBO"],  # NW
    ["A2", "2024-03-02 08:00", -8.12, -79.02, "RUIDO"],  # SE
    ["A3", "2024-03-03T10:00:00-05:00", -8.125, -79.045, "ROBO"],  # SW, with its offset
]
BAD = [
    ["B1", "ayer", -8.10, -79.04, "ROBO"],
    ["B2", "2024-03-01 10:00", "norte", -79.04, "ROBO"],
    ["B3", "2024-03-01 10:00", -12.12, -77.03, "ROBO"],  # Miraflores: outside the test city
    ["A1", "2024-03-01 10:00", -8.10, -79.04, "ROBO"],  # repeats line 2
    ["B5", "2024-03-01 10:00", -8.10, -79.04, "INCENDIO"],
    ["B6", "2024-03-01 10:00", -8.10, -200, "ROBO"],
]


async def test_imports_good_rows_and_reports_bad_ones_by_line_without_stopping(tmp_path, db, tenant_id):
    result = _import(_write(tmp_path / "hist.csv", [GOOD[0], *BAD, *GOOD[1:]]))
    assert result.returncode == 0, result.stderr
    assert "3 imported, 0 already there, 6 rejected (of 9 rows)" in result.stdout
    for line, text in ((3, "time 'ayer'"), (4, "latitude 'norte'"), (5, "outside the service area"),
                       (6, "source id 'A1' repeats line 2"), (7, "unknown category 'INCENDIO'"), (8, "longitude -200")):
        assert f"line {line}: {text}" in result.stderr, (line, result.stderr)
    rows = await db.fetch(
        "SELECT i.source_ref, i.code, i.status, i.source, s.code AS sector, c.code AS category, i.occurred_at, "
        "(SELECT count(*) FROM incident_event e WHERE e.incident = i.id AND e.kind = 'imported') AS events "
        "FROM incident i JOIN category c ON c.id = i.category LEFT JOIN sector s ON s.id = i.sector "
        "WHERE i.tenant = $1 ORDER BY i.source_ref", tenant_id)
    assert [(r["source_ref"], r["sector"], r["category"], r["status"], r["source"], r["events"]) for r in rows] == [
        ("A1", "NW", "robbery_assault", "closed", "import", 1),
        ("A2", "SE", "noise_disturbance", "closed", "import", 1),
        ("A3", "SW", "robbery_assault", "closed", "import", 1),
    ]
    assert all(r["code"].startswith("IMP-2024-") for r in rows)
    # Times without an offset are the tenant's local time (Lima, UTC-5).
    assert rows[0]["occurred_at"].isoformat() == "2024-03-02T02:15:00+00:00"


async def test_importing_the_same_file_again_adds_nothing(tmp_path, db, tenant_id):
    path = _write(tmp_path / "again.csv.gz", [["R1", "2024-05-01 10:00", -8.10, -79.04, "ROBO"],
                                              ["R2", "2024-05-01 11:00", -8.10, -79.03, "RUIDO"]])
    first = _import(path)
    second = _import(path)
    assert "2 imported, 0 already there" in first.stdout, first.stderr
    assert "0 imported, 2 already there" in second.stdout, second.stderr
    assert await db.fetchval("SELECT count(*) FROM incident WHERE tenant = $1 AND source_ref IN ('R1','R2')",
                             tenant_id) == 2


async def test_files_without_the_needed_columns_are_refused_with_a_message(tmp_path):
    result = _import(_write(tmp_path / "nocols.csv", [["x", "y"]], header=("foo", "bar")))
    assert result.returncode != 0 and "no column for time, lat, lon" in result.stderr
    named = _import(_write(tmp_path / "named.csv", [["2024-01-01 10:00", -8.1, -79.04]], header=("cuando", "y", "x")),
                    "--column", "time=cuando", "--category", "vandalism")
    assert "1 imported" in named.stdout, named.stderr
