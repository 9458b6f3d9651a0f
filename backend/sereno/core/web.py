"""Web glue that knows no domain: request language, app-wide dependencies, error responses."""

from __future__ import annotations

import logging
from typing import Any

from asyncpg.exceptions import CharacterNotInRepertoireError
from litestar import Request, Response
from litestar.datastructures import State
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from sereno.core._validation_messages import explain
from sereno.core.clock import Clock
from sereno.core.errors import AppError
from sereno.core.i18n import negotiate, translate

__all__ = ["request_language", "provide_lang", "provide_clock", "provide_secret", "exception_handlers"]

log = logging.getLogger("sereno.web")


def request_language(request: Request) -> str:
    """``?lang=es|en`` (links and pages that choose a language), else Accept-Language, else Spanish."""
    asked = request.query_params.get("lang")
    if asked in ("es", "en"):
        return asked
    return negotiate(request.headers.get("accept-language"))


async def provide_lang(request: Request) -> str:
    return request_language(request)


async def provide_clock(state: State) -> Clock:
    return state.clock


async def provide_secret(state: State) -> bytes:
    return state.secret_key


def _error(
    request: Request,
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    return Response(
        {"status_code": status, "error": code, "detail": detail, **(extra or {})},
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


def _app_error(request: Request, exc: AppError) -> Response:
    lang = request_language(request)
    detail = translate(exc.code, lang, **exc.params)
    return _error(request, exc.status_code, exc.code, detail, exc.headers, exc.extra)


def _validation_error(request: Request, exc: ValidationException) -> Response:
    lang = request_language(request)
    extra = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for item in extra:
        if isinstance(item, dict):
            key = str(item.get("key") or "").removeprefix("$.")
            message = str(item.get("message") or "")
            message = explain(message, lang)
            parts.append(f"{key}: {message}" if key else message)
    detail = "; ".join(parts) or explain(str(exc.detail), lang)
    body: dict[str, Any] = {
        "status_code": 400,
        "error": "invalid_request",
        "detail": translate("invalid_request", lang, detail=detail),
    }
    return Response(body, status_code=400, media_type="application/json")


def _too_many(request: Request, exc: TooManyRequestsException) -> Response:
    headers = dict(exc.headers or {})
    seconds = headers.get("Retry-After") or headers.get("RateLimit-Reset", "60")
    headers["Retry-After"] = seconds
    lang = request_language(request)
    return _error(request, 429, "rate_limited", translate("rate_limited", lang, seconds=seconds), headers)


def _not_found(request: Request, exc: NotFoundException) -> Response:
    return _error(request, 404, "not_found", translate("not_found", request_language(request)))


def _http_error(request: Request, exc: HTTPException) -> Response:
    return _error(request, exc.status_code, "http_error", str(exc.detail), exc.headers)


def _unstorable_text(request: Request, exc: CharacterNotInRepertoireError) -> Response:
    """Text with the NUL character, which PostgreSQL cannot store: the caller's input, so a 400 (not a 500)."""
    lang = request_language(request)
    detail = explain("A text contains the NUL character (\\u0000)", lang)
    return _error(request, 400, "invalid_request", translate("invalid_request", lang, detail=detail))


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error(request, 500, "internal_error", "Internal error")


exception_handlers = {
    AppError: _app_error,
    ValidationException: _validation_error,
    TooManyRequestsException: _too_many,
    NotFoundException: _not_found,
    HTTPException: _http_error,
    CharacterNotInRepertoireError: _unstorable_text,
    HTTP_500_INTERNAL_SERVER_ERROR: _unexpected,
}
