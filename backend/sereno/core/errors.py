"""Errors a person can understand: a stable code, and a message in the request's language."""

from __future__ import annotations

from typing import Any

__all__ = ["AppError", "NotFound", "Conflict", "Unprocessable", "BadRequest", "ServiceUnavailable"]


class AppError(Exception):
    status_code = 400

    def __init__(
        self,
        code: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
        self.headers = headers or {}
        # Machine-readable fields added to the error body (e.g. the current state of a refused transition).
        self.extra = extra or {}


class BadRequest(AppError):
    status_code = 400


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class Unprocessable(AppError):
    status_code = 422


class ServiceUnavailable(AppError):
    """Something the request needs (the database) cannot be reached just now: a 503 whose Retry-After tells
    phones and load balancers to come back shortly, rather than a 500 that reads like a bug."""

    status_code = 503
    retry_after_s = 5

    def __init__(self, code: str = "service_unavailable", **params: Any) -> None:
        super().__init__(code, headers={"Retry-After": str(self.retry_after_s)}, **params)
