"""How the Open311 routes are documented: every answer in the format of the path (``.json`` or ``.xml``), errors
as Open311's list of ``{code, description}``.

One handler serves both ``x.json`` and ``x.xml``, and Litestar gives a handler's responses one media type;
``Operation`` (the handlers' ``operation_class``) moves each answer to ``text/xml`` on the ``...Xml`` operation,
and offers both on the paths whose last segment carries the format (``requests/{name}``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.openapi.spec import Operation as _Operation

from sereno.transparency.open311.schemas import Error

__all__ = ["Operation", "answers"]

_MEANING = {
    400: "A parameter is missing or not valid (Open311 error list).",
    403: "No api_key, or one not valid for this jurisdiction.",
    404: "Unknown jurisdiction, service, request or token.",
    429: "Too many requests with this api_key: wait the seconds in Retry-After.",
}


def answers(success: Any, *errors: int) -> dict[int, ResponseSpec]:
    """``responses=`` of an Open311 route: ``success`` as JSON, and its errors (400 and 404 always: a bad
    parameter, an unknown ``jurisdiction_id``)."""
    specs = {
        200: ResponseSpec(data_container=success, description="GeoReport v2 answer", generate_examples=False)
    }
    for code in sorted({400, 404, *errors}):
        specs[code] = ResponseSpec(
            data_container=list[Error], description=_MEANING[code], generate_examples=False
        )
    return specs


@dataclass
class Operation(_Operation):
    def __post_init__(self) -> None:
        name = self.operation_id or ""
        xml = {"text/xml": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))}
        for response in (self.responses or {}).values():
            if not isinstance(response, OpenAPIResponse) or not response.content:
                continue
            if name.endswith("Xml"):
                response.content = dict(xml)
            elif not name.endswith("Json"):
                response.content = {**response.content, **xml}
