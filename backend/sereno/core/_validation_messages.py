"""msgspec's validation messages (English) rephrased for the citizen's language."""

from __future__ import annotations

import re

__all__ = ["explain"]

_TYPES_ES = {
    "float": "un número",
    "int": "un número entero",
    "str": "un texto",
    "bool": "verdadero o falso",
    "object": "un objeto",
    "array": "una lista",
    "null": "nulo",
    "uuid": "un identificador (UUID)",
    "datetime": "una fecha y hora ISO 8601",
}

_RULES_ES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Expected `(\w+)` (>=|<=|>|<) (-?[\d.]+)"), "debe ser {op} {n}"),
    (re.compile(r"Expected `str` of length <= (\d+)"), "admite como máximo {0} caracteres"),
    (re.compile(r"Expected `str` of length >= (\d+)"), "necesita al menos {0} caracteres"),
    (re.compile(r"Expected `array` of length <= (\d+)"), "admite como máximo {0} elementos"),
    (re.compile(r"Expected `str` matching regex"), "tiene un formato no válido"),
    (
        re.compile(r"Expected `datetime` with a timezone component"),
        "necesita la zona horaria (p. ej. Z o -05:00)",
    ),
    (re.compile(r"Invalid RFC3339 encoded datetime"), "no es una fecha y hora ISO 8601 válida"),
    (re.compile(r"Invalid UUID"), "no es un identificador (UUID) válido"),
    (re.compile(r"Object contains unknown field `([^`]*)`"), "campo desconocido «{0}»"),
    (re.compile(r"Object missing required field `([^`]+)`"), "falta el campo obligatorio «{0}»"),
    (re.compile(r"Expected `([\w |]+)`, got `(\w+)`"), "se esperaba {expected}, se recibió {got}"),
    (re.compile(r"JSON is malformed"), "el JSON no es válido"),
    (re.compile(r"Missing required \w+ parameter '([^']+)'"), "falta el parámetro obligatorio «{0}»"),
    (re.compile(r"contains the NUL character"), "un texto contiene el carácter NUL (\\u0000), que no se admite"),
]
_OPS_ES = {">=": "mayor o igual que", "<=": "menor o igual que", ">": "mayor que", "<": "menor que"}


def _type_es(name: str) -> str:
    return " o ".join(_TYPES_ES.get(part.strip(), part.strip()) for part in name.split("|"))


def explain(message: str, lang: str) -> str:
    if lang != "es":
        return message
    for pattern, template in _RULES_ES:
        match = pattern.search(message)
        if not match:
            continue
        groups = match.groups()
        if "{op}" in template:
            return template.format(op=_OPS_ES[groups[1]], n=groups[2])
        if "{expected}" in template:
            return template.format(expected=_type_es(groups[0]), got=_type_es(groups[1]))
        return template.format(*groups)
    return message
