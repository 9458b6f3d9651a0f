"""JSON request bodies held to their schema's types: ``{"active": 0}`` is not a boolean.

Litestar converts a handler's ``data`` in msgspec's lax mode, which also serves query strings (where every
value arrives as text): a body's ``0`` then passes for ``false``, ``"5"`` for 5, and a number for a date
(seconds since 1970). The OpenAPI document promises booleans, integers and ISO 8601 dates,
and a client that sends anything else has a bug the API should tell it about rather than guess around.

``StrictRequest`` (the app's ``request_class``) decodes the body once more, strictly, against the handler's
``data`` type (an integral number such as ``3.0`` still counts as an integer, as in JSON Schema). When only
the strict decoding fails, the request relied on a lax conversion: 400, naming the field. When both fail,
nothing is said here: Litestar reports the error as before, once the caller's login has been checked (so an
anonymous ``{}`` still gets its 401, not a list of missing fields).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

__all__ = ["StrictRequest"]

_NO_BODY = object()
_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_INT_GOT_FLOAT = re.compile(r"^Expected `int[^`]*`, got `float`")


def _body_type(handler: Any) -> Any:
    """The handler's ``data`` type, or ``_NO_BODY`` when it takes none."""
    field = handler.parsed_fn_signature.parameters.get("data")
    return field.annotation if field is not None else _NO_BODY


def _integral_float_to_int(value: Any, path: str) -> bool:
    """Replace the float at ``path`` by the integer it equals; False if it is not one. JSON Schema counts
    ``3.0`` as an integer, so a body the document allows must not be refused for it."""
    steps = [int(index) if not name else name for name, index in _STEP.findall(path)]
    try:
        parent = value
        for step in steps[:-1]:
            parent = parent[step]
        leaf = parent[steps[-1]] if steps else None
    except (KeyError, IndexError, TypeError):  # a path this reading does not follow (e.g. a dict's key)
        return False
    if not isinstance(leaf, float) or not leaf.is_integer():
        return False
    parent[steps[-1]] = int(leaf)
    return True


def _refuse_lax_conversions(body: bytes, model: Any) -> None:
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return  # not JSON: Litestar answers that itself
    for _ in range(100):  # each round fixes one integral float, or ends
        try:
            msgspec.convert(value, model, strict=True)
            return
        except msgspec.ValidationError as strict_error:
            match = _AT.match(str(strict_error))
        path = match["path"] or ""
        if not (_INT_GOT_FLOAT.match(match["message"]) and _integral_float_to_int(value, path)):
            break
    try:
        msgspec.json.decode(body, type=model, strict=False)
    except msgspec.ValidationError:
        return  # invalid in any mode: reported with the other parameters, after authentication
    raise ValidationException(
        detail="Validation failed",
        extra=[{"key": path.lstrip("."), "message": match["message"], "source": "body"}],
    )


class StrictRequest(Request):
    async def json(self) -> Any:
        value = await super().json()
        model = _body_type(self.route_handler)
        if model is not _NO_BODY and value is not None:
            _refuse_lax_conversions(await self.body(), model)
        return value
