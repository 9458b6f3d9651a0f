"""Places written in a text message: coordinates and map links are read, anything else is not a place."""

from __future__ import annotations

import pytest
from sereno.sms.location import find_point, has_short_link

LAT, LON = -8.1116, -79.0287


@pytest.mark.parametrize("text", [
    "Robo en la esquina -8.1116, -79.0287",
    "-8.1116 -79.0287",
    "-8.1116,-79.0287 por favor vengan",
    "estoy en -8.1116; -79.0287.",
    "lat -8.1116 lon -79.0287",
    "Latitud: -8.1116, Longitud: -79.0287",
    "lat=-8.1116&lng=-79.0287",
    "-8,1116 -79,0287",
    "8.1116 S 79.0287 W",
    "8°06'41.8\"S 79°01'43.3\"W",
    "geo:-8.1116,-79.0287",
    "geo:-8.1116,-79.0287?z=17",
    "mi ubicación https://maps.google.com/?q=-8.1116,-79.0287",
    "https://maps.google.com/maps?q=-8.1116%2C-79.0287&z=17&hl=es",
    "https://www.google.com/maps/search/?api=1&query=-8.1116%2C-79.0287",
    "https://www.google.com/maps/dir/?api=1&destination=-8.1116,-79.0287",
    "https://www.google.com/maps/place/Plaza+de+Armas/@-8.1116,-79.0287,17z/data=!3m1!4b1",
    "https://www.google.com/maps/place/X/@-8.2,-79.1,15z/data=!4m6!3m5!1s0x0:0x0!8m2!3d-8.1116!4d-79.0287",
    "https://www.openstreetmap.org/#map=17/-8.1116/-79.0287",
    "https://www.openstreetmap.org/?mlat=-8.1116&mlon=-79.0287#map=17/-8.2/-79.2",
    "https://www.openstreetmap.org/?mlon=-79.0287&mlat=-8.1116",
    "https://osm.org/go/abc?mlat=-8.1116&amp;mlon=-79.0287",
])
def test_coordinates_and_map_links_are_read(text):
    point = find_point(text)

    assert point is not None, text
    assert point.lat == pytest.approx(LAT, abs=1e-3) and point.lon == pytest.approx(LON, abs=1e-3)


@pytest.mark.parametrize("text", [
    "Hay una pelea en la calle 5, 12 personas",
    "Robo hace 10, 15 minutos en el mercado",
    "Ruido en Av. España 1234, Trujillo",
    "llamar al 944 123 456",
    "ubicacion 0.0, 0.0",
    "coordenadas -123.45, 200.12",
    "https://maps.app.goo.gl/AbCdEf123",
])
def test_text_without_a_readable_place_gives_none(text):
    assert find_point(text) is None


def test_a_short_map_link_is_recognised_but_gives_no_point():
    text = "Asalto aquí https://maps.app.goo.gl/AbCdEf123"

    assert find_point(text) is None and has_short_link(text)
    assert not has_short_link("https://maps.google.com/?q=-8.1,-79.0")


def test_a_link_wins_over_other_numbers_in_the_text():
    point = find_point("Calle 12.50 y 13.75, https://maps.google.com/?q=-8.1116,-79.0287")

    assert point is not None and point.lat == pytest.approx(LAT)
