"""The API contract as the OpenAPI document states it: error responses, strict request bodies, staff login.

Clients (and schemathesis, tests/integration/test_schema_fuzz.py) read the document to learn what a call may
answer. Litestar documents the success response and a generic 400 by itself; every other status a route can
give (401 without a login, 404 for an id of another tenant, 409 for a stale version, 422 for a business
rule...) is declared with ``errors(...)`` in the route's decorator, next to the code that raises it.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, Schema, SecurityScheme
from litestar.params import PathParameter
from litestar.plugins.core._msgspec import kwarg_definition_from_field

__all__ = [
    "BEARER", "STAFF", "ErrorBody", "Id", "BigId", "IdValue", "BigIdValue", "StructSchemas", "components", "errors", "staff_only",
]  # fmt: skip

BEARER = "BearerToken"
# What every staff route may answer besides its own errors: no login (401), not this role (403).
STAFF = (401, 403)


# Ids in a path, within the range of their column: an id past it cannot exist, and the database driver would
# refuse to send it (a 500 before these bounds). Bigserial ids stop at 2^53 - 1, the largest integer a
# JavaScript client (and a bound written as a JSON number) holds exactly.
Id = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
BigId = Annotated[int, PathParameter(ge=1, le=2**53 - 1)]
# The same in a request body.
IdValue = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
BigIdValue = Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)]


class ErrorBody(msgspec.Struct, frozen=True):
    """Every error the API answers (core/web.py): a stable code and a message in the request's language. Some
    errors add machine-readable fields (e.g. the incident's current status with a refused transition)."""

    status_code: int
    error: str
    detail: str


_MEANING = {
    400: "Malformed request: a field is missing, of the wrong type or out of range; `detail` names it.",
    401: "No valid staff login (or signature), or the session has ended.",
    403: "Logged in, but this role (or key) may not do this.",
    404: "Nothing with this id or code here (ids of another city are not found either).",
    409: "Refused by the current state (e.g. a stale `version`, a transition that no longer applies).",
    413: "The request body is larger than allowed.",
    422: "Well formed but refused by the city's data or a business rule (e.g. an unknown category).",
    429: "Too many requests: wait the seconds in the Retry-After header.",
    503: "A service this call needs is not configured or not reachable.",
}


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """The error responses a route can give, for its decorator's ``responses=``; 400 is always included."""
    return {
        code: ResponseSpec(data_container=ErrorBody, description=_MEANING[code], generate_examples=False)
        for code in sorted({400, *codes})
    }


def staff_only() -> list[dict[str, list[str]]]:
    """``security=`` of a route or controller that needs a staff login (``Authorization: Bearer <token>``)."""
    return [{BEARER: []}]


def components() -> Components:
    return Components(
        security_schemes={
            BEARER: SecurityScheme(
                type="http",
                scheme="bearer",
                bearer_format="JWT",
                description="The access token of POST /api/v1/auth/login (staff only).",
            )
        }
    )


# A field's bounds as OpenAPI names them.
_BOUNDS = {
    "ge": "minimum", "gt": "exclusive_minimum", "le": "maximum", "lt": "exclusive_maximum",
    "min_length": "min_length", "max_length": "max_length",
}  # fmt: skip


class StructSchemas(StructSchemaPlugin):
    """Litestar's schemas of msgspec structs, with three corrections:

    - a struct declared with ``forbid_unknown_fields=True`` gets ``additionalProperties: false``: the server
      answers 400 to an unknown field, and an open schema would tell clients that extras are ignored;
    - a bound of zero on an optional field (``Annotated[float, Meta(ge=0)] | None``) is kept: Litestar copies a
      bound only when it is true-ish, so ``accuracy_m`` was documented without its minimum of 0;
    - the bounds of a list's items (``list[Annotated[int, Meta(ge=1)]]``), which Litestar leaves out.
    """

    def to_openapi_schema(self, field_definition: Any, schema_creator: Any) -> Any:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        info = msgspec.inspect.type_info(field_definition.type_)
        for field in info.fields:
            declared = (schema.properties or {}).get(field.encode_name)
            if not isinstance(declared, Schema):
                continue
            if (kwargs := kwarg_definition_from_field(field)[0]) is not None:
                for bound, key in _BOUNDS.items():
                    if getattr(kwargs, bound, None) == 0 and getattr(declared, key) is None:
                        setattr(declared, key, 0)
            items = getattr(field.type, "item_type", None)
            if isinstance(field.type, msgspec.inspect.ListType) and isinstance(declared.items, Schema):
                for bound, key in _BOUNDS.items():
                    if getattr(items, bound, None) is not None and getattr(declared.items, key) is None:
                        setattr(declared.items, key, getattr(items, bound))
        return schema
