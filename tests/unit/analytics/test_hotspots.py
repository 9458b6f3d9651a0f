"""Counts and KDE maps per cell, and their GeoJSON."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from sereno.analytics.grid import grid_for, region_from_events, region_from_polygon
from sereno.analytics.hotspots import cell_counts, kde_surface, surface_geojson

from tests.support.analytics import at_metres, events, hotspot_events, merge, square_region, uniform_events

REGION = square_region()
GRID = REGION.grid


def _planted(rng: np.random.Generator):
    return merge(
        uniform_events(1_000, start=0, end=100, rng=rng),
        hotspot_events(80, x=700, y=2300, start=0, end=100, rng=rng, spread_m=60),
    )


def test_a_planted_hotspot_is_the_peak_of_the_kde():
    surface = kde_surface(_planted(np.random.default_rng(4)), grid=GRID, bandwidth_m=200)
    assert int(np.argmax(surface)) == int(GRID.cell_of(*at_metres(700, 2300)))


def test_kde_keeps_the_number_of_events_away_from_the_edges():
    middle = events(np.zeros(50), np.full(50, 1500.0), np.full(50, 1500.0))
    assert kde_surface(middle, grid=GRID, bandwidth_m=250).sum() == pytest.approx(50, rel=1e-6)


def test_counts_respect_the_period_and_the_categories():
    three = events([1.0, 5.0, 9.0], [100, 100, 100], [100, 100, 100], category=np.array(["a", "b", "a"]))
    assert cell_counts(three, grid=GRID, start=0, end=6).sum() == 2
    assert cell_counts(three, grid=GRID, categories=("a",)).sum() == 2
    assert cell_counts(three, grid=GRID, start=0, end=6, categories=("a",)).sum() == 1


def test_geojson_cells_are_polygons_ranked_by_value_with_the_region_area():
    surface = kde_surface(_planted(np.random.default_rng(4)), grid=GRID, bandwidth_m=200)
    collection = surface_geojson(surface, region=REGION, top=5)
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["rank"] for f in collection["features"]] == [1, 2, 3, 4, 5]
    values = [f["properties"]["value"] for f in collection["features"]]
    assert values == sorted(values, reverse=True)
    ring = collection["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert shapely.Polygon(ring).contains(shapely.Point(*at_metres(700, 2300)))
    assert collection["properties"]["region_km2"] == pytest.approx(225 * 0.04)


def test_geojson_points_carry_heat_weights_between_zero_and_one():
    surface = cell_counts(_planted(np.random.default_rng(4)), grid=GRID)
    features = surface_geojson(surface, region=REGION, shape="points")["features"]
    weights = [f["properties"]["weight"] for f in features]
    assert weights[0] == 1.0 and min(weights) > 0
    assert all(f["geometry"]["type"] == "Point" for f in features)


def test_study_region_from_events_and_from_a_service_area():
    rng = np.random.default_rng(6)
    sample = uniform_events(500, start=0, end=10, rng=rng)
    grid = grid_for(lon=sample.lon, lat=sample.lat, cell_m=250)
    by_events = region_from_events(grid, sample)
    assert 0 < by_events.n_cells <= 500
    assert by_events.area_km2 == pytest.approx(by_events.n_cells * 0.0625)
    west, south = at_metres(0, 0)
    east, north = at_metres(1000, 1000)
    square = shapely.box(float(west), float(south), float(east), float(north))
    by_area = region_from_polygon(grid, square)
    assert by_area.n_cells == 16  # 1 km² of 250 m cells, give or take the grid's alignment
    assert "16 cells of 250 m = 1.0 km²" in by_area.describe()
