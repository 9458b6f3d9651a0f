"""What the sender reads back, as TwiML (the gateway texts the ``<Message>`` to the sender): in Spanish, the
city's language, or in English when the text was written in English (``keywords.language_of``)."""

from __future__ import annotations

from enum import Enum
from xml.sax.saxutils import escape

__all__ = ["Place", "created", "followed_up", "twiml"]


class Place(Enum):
    FOUND = "found"
    NONE = "none"
    OUTSIDE = "outside"  # a point was given, but not in the city
    SHORT_LINK = "short_link"  # a maps.app.goo.gl link: cannot be opened here


_TEXTS = {
    "es": {
        "ask": "Envíe su ubicación (enlace de mapa o coordenadas) para ayudarnos.",
        "outside": "La ubicación indicada está fuera de {city}.",
        "short_link": "No podemos abrir enlaces acortados: envíe las coordenadas (en el mapa, mantenga pulsado el "
        "punto y copie los números) para ayudarnos.",
        "created": "Sereno: recibimos su reporte {code}. Si es una emergencia llame al {phone}.",
        "located": "Sereno: agregamos la ubicación a su reporte {code}. Gracias.",
        "added": "Sereno: agregamos su mensaje al reporte {code}.",
    },
    "en": {
        "ask": "Please send your location (a map link or coordinates) to help us.",
        "outside": "The location you gave is outside {city}.",
        "short_link": "We cannot open shortened links: please send the coordinates (on the map, press and hold "
        "the spot and copy the numbers) to help us.",
        "created": "Sereno: we received your report {code}. If this is an emergency, call {phone}.",
        "located": "Sereno: we added the location to your report {code}. Thank you.",
        "added": "Sereno: we added your message to report {code}.",
    },
}


def _with_place(text: str, place: Place, city: str, lang: str) -> str:
    texts = _TEXTS[lang]
    ask = {
        Place.FOUND: "",
        Place.NONE: texts["ask"],
        Place.OUTSIDE: texts["outside"].format(city=city) + " " + texts["ask"],
        Place.SHORT_LINK: texts["short_link"],
    }[place]
    return f"{text} {ask}" if ask else text


def created(*, code: str, emergency_phone: str, place: Place, city: str, lang: str = "es") -> str:
    text = _TEXTS[lang]["created"].format(code=code, phone=emergency_phone)
    return _with_place(text, place, city, lang)


def followed_up(*, code: str, located: bool, place: Place, city: str, lang: str = "es") -> str:
    if located:
        return _TEXTS[lang]["located"].format(code=code)
    return _with_place(_TEXTS[lang]["added"].format(code=code), place, city, lang)


def twiml(message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Message>{escape(message)}</Message></Response>"
    ).encode()
