"""Loading incident sets from CSV files (plain or gzip), as the backtest command does."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from sereno.analytics.events import day_number, load_csv, to_datetime


def test_chicago_style_gzip_csv_is_loaded_in_time_order(tmp_path):
    path = tmp_path / "assaults.csv.gz"
    rows = [
        "date,loc_cat,longitude,latitude,district",
        "2019-01-02 10:30,street,-87.6277,41.7922,2",
        "2019-01-01 00:05,residence,-87.6683,41.7513,6",
        "2019-01-03 23:59,bar,,41.8,1",  # no longitude: skipped
    ]
    path.write_bytes(gzip.compress("\n".join(rows).encode()))
    events = load_csv(path)
    assert len(events) == 2
    assert events.lon.tolist() == [-87.6683, -87.6277]
    assert events.t[0] == pytest.approx(day_number("2019-01-01T00:05"))
    assert events.hour.tolist() == pytest.approx([5 / 60, 10.5])
    assert to_datetime(events.t[1]).isoformat() == "2019-01-02T10:30:00"


def test_time_lat_lon_category_columns_and_a_category_filter(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(
        "time,lat,lon,category\n"
        "2024-05-01T08:00:00Z,-12.05,-77.04,robo\n"
        "2024-05-02,-12.06,-77.03,ruido\n"
        "2024-05-03 12:00,-12.07,-77.02,robo\n"
    )
    assert len(load_csv(path)) == 3
    robberies = load_csv(path, categories=("robo",))
    assert robberies.category.tolist() == ["robo", "robo"]
    assert np.allclose(robberies.lat, [-12.05, -12.07])


def test_a_file_without_coordinates_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("when,where\n2024-01-01,here\n")
    with pytest.raises(ValueError, match="no column"):
        load_csv(path)
