"""What the sender reads back, as TwiML (the gateway texts the ``<Message>`` to the sender). Spanish: the
city's language and its callers'."""

from __future__ import annotations

from enum import Enum
from xml.sax.saxutils import escape

__all__ = ["Place", "created", "followed_up", "twiml"]


class Place(Enum):
    FOUND = "found"
    NONE = "none"
    OUTSIDE = "outside"  # a point was given, but not in the city
    SHORT_LINK = "short_link"  # a maps.app.goo.gl link: cannot be opened here


_ASK = "Envíe su ubicación (enlace de mapa o coordenadas) para ayudarnos."
_ASK_FOR = {
    Place.FOUND: "",
    Place.NONE: _ASK,
    Place.OUTSIDE: "La ubicación indicada está fuera de {city}. " + _ASK,
    Place.SHORT_LINK: "No podemos abrir enlaces acortados: envíe las coordenadas (en el mapa, mantenga pulsado el "
    "punto y copie los números) para ayudarnos.",
}


def _with_place(text: str, place: Place, city: str) -> str:
    ask = _ASK_FOR[place].format(city=city)
    return f"{text} {ask}" if ask else text


def created(*, code: str, emergency_phone: str, place: Place, city: str) -> str:
    text = f"Sereno: recibimos su reporte {code}. Si es una emergencia llame al {emergency_phone}."
    return _with_place(text, place, city)


def followed_up(*, code: str, located: bool, place: Place, city: str) -> str:
    if located:
        return f"Sereno: agregamos la ubicación a su reporte {code}. Gracias."
    text = f"Sereno: agregamos su mensaje al reporte {code}."
    return _with_place(text, place, city)


def twiml(message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Message>{escape(message)}</Message></Response>"
    ).encode()
