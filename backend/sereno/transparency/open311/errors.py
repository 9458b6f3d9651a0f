"""Open311 errors: a list of ``{code, description}`` (``<errors><error>``) in the request's format and language.

GeoReport v2 uses 400 (bad or missing parameters), 403 (api_key) and 404 (unknown jurisdiction, service or
request). The rest of the API answers 422 for a request it understood but refuses (outside the service area,
unknown category); here those become 400, as Open311 clients expect."""

from __future__ import annotations

import logging
from typing import Any

from asyncpg.exceptions import CharacterNotInRepertoireError
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from sereno.core.errors import AppError
from sereno.core.i18n import negotiate, translate
from sereno.transparency.open311 import formats
from sereno.transparency.open311.schemas import Error

__all__ = ["Open311Error", "exception_handlers", "message", "request_format"]

log = logging.getLogger("sereno.open311")

_MESSAGES: dict[str, dict[str, str]] = {
    "es": {
        "api_key_missing": "Falta el parámetro api_key: solicite una clave a la municipalidad.",
        "api_key_invalid": "La api_key no es válida o fue revocada para esta jurisdicción.",
        "missing_field": "Falta el parámetro {field}.",
        "invalid_field": "El parámetro {field} no es válido: {detail}.",
        "location_needed": "Indique lat y long (WGS 84): este servidor no ubica direcciones (address_string, "
        "address_id).",
        "unknown_service": "El service_code «{code}» no existe.",
        "request_not_found": "La solicitud «{id}» no existe.",
        "token_not_found": "El token «{token}» no existe.",
        "range_too_long": "start_date y end_date no pueden abarcar más de {days} días.",
        "not_found": "Recurso no encontrado.",
        "internal_error": "Error interno; intente de nuevo.",
        "text_with_nul": "Un texto contiene el carácter NUL (\\u0000), que no se admite.",
        "rate_limited": "Demasiadas solicitudes con esta api_key. Espere {seconds} segundos.",
        "notice_created": "Reporte recibido. Si el hecho está ocurriendo ahora, llame al {phone}.",
        "notice_media": "El enlace media_url quedó anotado para el personal; no se descarga ni se publica.",
        "notice_media_ignored": "media_url no es un enlace http(s) y se ignoró.",
        "notice_truncated": "La descripción se recortó a {max} caracteres.",
        "emergency_description": "{name}. Si está ocurriendo ahora, llame al {phone}.",
        "sensitive_description": "{name}. Confidencial: nunca se publica en mapas ni listas.",
        "group_emergency": "emergencias",
        "group_safety": "seguridad",
        "attribute_occurred_at": "¿Cuándo ocurrió? (si no fue recién)",
        "attribute_occurred_at_type": "Fecha y hora ISO 8601 con zona horaria, p. ej. 2026-11-20T18:30:00-05:00",
        "attribute_call": "Si el hecho está ocurriendo ahora, llame al {phone} antes de reportar.",
    },
    "en": {
        "api_key_missing": "The api_key parameter is missing: ask the municipality for a key.",
        "api_key_invalid": "The api_key is not valid, or was revoked, for this jurisdiction.",
        "missing_field": "The parameter {field} is missing.",
        "invalid_field": "The parameter {field} is not valid: {detail}.",
        "location_needed": "Give lat and long (WGS 84): this server does not locate addresses (address_string, "
        "address_id).",
        "unknown_service": "The service_code '{code}' does not exist.",
        "request_not_found": "The request '{id}' does not exist.",
        "token_not_found": "The token '{token}' does not exist.",
        "range_too_long": "start_date and end_date may not span more than {days} days.",
        "not_found": "Not found.",
        "internal_error": "Internal error; please try again.",
        "text_with_nul": "A text contains the NUL character (\\u0000), which is not accepted.",
        "rate_limited": "Too many requests with this api_key. Wait {seconds} seconds.",
        "notice_created": "Report received. If it is happening now, call {phone}.",
        "notice_media": "The media_url link was noted for staff; it is neither fetched nor published.",
        "notice_media_ignored": "media_url is not an http(s) link and was ignored.",
        "notice_truncated": "The description was cut to {max} characters.",
        "emergency_description": "{name}. If it is happening now, call {phone}.",
        "sensitive_description": "{name}. Confidential: never shown on maps or lists.",
        "group_emergency": "emergencies",
        "group_safety": "safety",
        "attribute_occurred_at": "When did it happen? (if not just now)",
        "attribute_occurred_at_type": "ISO 8601 date and time with its offset, e.g. 2026-11-20T18:30:00-05:00",
        "attribute_call": "If it is happening now, call {phone} before reporting.",
    },
}


def message(key: str, lang: str, **params: Any) -> str:
    template = _MESSAGES.get(lang, _MESSAGES["es"]).get(key) or _MESSAGES["es"][key]
    return template.format_map(_Params(params))


class _Params(dict):
    """A missing parameter renders empty rather than failing an error response."""

    def __missing__(self, key: str) -> str:
        return ""


class Open311Error(Exception):
    def __init__(
        self, status_code: int, key: str, *, headers: dict[str, str] | None = None, **params: Any
    ) -> None:
        super().__init__(key)
        self.status_code = status_code
        self.key = key
        self.headers = headers or {}
        self.params = params


def request_format(request: Request) -> formats.Format:
    return "xml" if request.url.path.lower().endswith(".xml") else "json"


def _respond(
    request: Request, status: int, description: str, headers: dict[str, str] | None = None
) -> Response:
    fmt = request_format(request)
    body = formats.encode_list(
        [Error(code=status, description=description)], fmt, root="errors", item="error"
    )
    return Response(body, status_code=status, media_type=formats.MEDIA_TYPES[fmt], headers=headers)


def _lang(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def _open311_error(request: Request, exc: Open311Error) -> Response:
    return _respond(request, exc.status_code, message(exc.key, _lang(request), **exc.params), exc.headers)


def _app_error(request: Request, exc: AppError) -> Response:
    status = 404 if exc.status_code == 404 else 400
    return _respond(request, status, translate(exc.code, _lang(request), **exc.params))


def _validation_error(request: Request, exc: ValidationException) -> Response:
    return _respond(request, 400, str(exc.detail))


def _http_error(request: Request, exc: HTTPException) -> Response:
    return _respond(request, exc.status_code, str(exc.detail))


def _unstorable_text(request: Request, exc: CharacterNotInRepertoireError) -> Response:
    """As the rest of the API (core/web.py), in Open311's format: the caller's text, not a server error."""
    return _respond(request, 400, message("text_with_nul", _lang(request)))


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _respond(request, 500, message("internal_error", _lang(request)))


exception_handlers = {
    Open311Error: _open311_error,
    AppError: _app_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    CharacterNotInRepertoireError: _unstorable_text,
    Exception: _unexpected,
}
