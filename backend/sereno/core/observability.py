"""What operators watch: ``/healthz`` (the process answers), ``/readyz`` (it can do its work: database,
storage and, when configured, Redis reachable), Prometheus metrics at ``/metrics``, and a request id on
every request that the JSON logs carry.

Request rates and latencies per route come from ``metrics_middleware``; the gauges of the
system's own state (outbox depth and age per topic, notifications failing, open incidents by priority) are
read from the database when Prometheus scrapes, so every replica reports the same truth.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import re
import time
import uuid
from collections.abc import Callable

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

from sereno.core import db

__all__ = [
    "RedactTokens",
    "JsonFormatter",
    "MetricsController",
    "log_config",
    "metrics_middleware",
    "readyz",
    "request_id_middleware",
    "request_id",
]

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._\-]{8,100}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Take the caller's ``X-Request-ID`` when it looks like one (a proxy's), else make one; echo it back."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())],
                }
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)

    return wrapped


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and the error if any."""

    _encoder = msgspec.json.Encoder()
    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := request_id.get():
            entry["request_id"] = rid
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return self._encoder.encode(entry).decode()


_TOKEN_IN_URL = re.compile(r"((?:^|[?&])(?:token|access_token)=)[^&\s\"']+")


class RedactTokens(logging.Filter):
    """The apps' WebSockets carry the access token in the URL (browsers cannot set headers on them), and
    uvicorn logs every request's path with its query: the token must not reach the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_URL.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str) and "token=" in record.msg:
            record.msg = _TOKEN_IN_URL.sub(r"\1[redacted]", record.msg)
        return True


def log_config(*, level: str, json: bool) -> dict:
    """The logging configuration of ``sereno run`` (uvicorn's loggers included)."""
    formatter = {"()": JsonFormatter} if json else {"format": "%(levelname)s %(name)s: %(message)s"}
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "main",
        "stream": "ext://sys.stderr",
        "filters": ["redact"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "filters": {"redact": {"()": RedactTokens}},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": level.upper()},
        "loggers": {
            name: {"handlers": ["main"], "level": level.upper(), "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "sereno")
        },
    }


# Request metrics, named and labelled as Litestar's Prometheus plugin names them (method, path template,
# status code, app name). Its middleware built a Request, four label dicts and a functools.wraps closure per
# request, about a tenth of the server's CPU per report under load (py-spy); this one keeps the bound series.
_APP = "sereno"
_UNMEASURED = frozenset({"/metrics", "/healthz", "/readyz"})
_REQUESTS = Counter("sereno_requests", "Total requests", ["method", "path", "status_code", "app_name"])
_ERRORS = Counter(
    "sereno_requests_error", "Total errors in requests", ["method", "path", "status_code", "app_name"]
)
_DURATION = Histogram(
    "sereno_request_duration_seconds",
    "Request duration, in seconds",
    ["method", "path", "status_code", "app_name"],
)
_IN_PROGRESS = Gauge(
    "sereno_requests_in_progress", "Total requests currently in progress", ["method", "path", "app_name"]
)


@functools.cache
def _finished(method: str, path: str, status: int) -> tuple[Callable[[], None], Callable[[float], None]]:
    """The bound ``inc`` of the request counter (and the error counter from 500 on) and ``observe`` of the
    duration histogram of one route and status: label lookups once per series, not per request."""
    labels = (method, path, str(status), _APP)
    request, observe = _REQUESTS.labels(*labels).inc, _DURATION.labels(*labels).observe
    if status < 500:
        return request, observe
    error = _ERRORS.labels(*labels).inc

    def count() -> None:
        request()
        error()

    return count, observe


@functools.cache
def _in_progress(method: str, path: str) -> Gauge:
    return _IN_PROGRESS.labels(method, path, _APP)


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Count and time every HTTP request per route template (``/metrics``, ``/healthz``, ``/readyz`` apart)."""

    async def measured(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _UNMEASURED:
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 200
        ended = 0.0

        async def timed_send(message: Message) -> None:
            nonlocal status, ended
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                ended = time.perf_counter()
            await send(message)

        method, path = scope["method"], scope.get("path_template", scope["path"])
        running = _in_progress(method, path)
        running.inc()
        try:
            await app(scope, receive, timed_send)
        finally:
            running.dec()
            count, observe = _finished(method, path, status)
            count()
            observe((ended or time.perf_counter()) - start)

    return measured


_OUTBOX_PENDING = Gauge("sereno_outbox_pending", "Outbox events not yet delivered", ["topic"])
_OUTBOX_AGE = Gauge("sereno_outbox_oldest_seconds", "Age of the oldest undelivered event, seconds", ["topic"])
_PUSH_FAILING = Gauge("sereno_push_failing", "Notifications whose last delivery attempt failed")
_OPEN = Gauge("sereno_open_incidents", "Open incidents by priority", ["priority"])

_STATE = """
SELECT 'outbox' AS kind, topic AS key, count(*)::float8 AS n,
       extract(epoch FROM now() - min(created_at))::float8 AS age
FROM outbox_event WHERE done_at IS NULL GROUP BY topic
UNION ALL
SELECT 'push', '', count(*)::float8, NULL FROM outbox_event
WHERE done_at IS NULL AND topic LIKE 'notify.%' AND last_error IS NOT NULL
UNION ALL
SELECT 'open', 'P' || priority, count(*)::float8, NULL FROM incident
WHERE status IN ('new', 'triaged', 'dispatched', 'en_route', 'on_scene') GROUP BY priority
"""


class MetricsController(Controller):
    """Prometheus scrape endpoint; with ``SERENO_METRICS_TOKEN`` set, it wants that bearer token."""

    path = "/metrics"

    @get(include_in_schema=False)
    async def scrape(self, request: Request, state: State) -> Response:
        token = state.settings.server.metrics_token
        if token and request.headers.get("authorization", "") != f"Bearer {token}":
            return Response(b"", status_code=401)
        async with db.connection() as conn:
            rows = await conn.fetch(_STATE)
        for gauge in (_OUTBOX_PENDING, _OUTBOX_AGE, _OPEN):
            gauge.clear()
        _PUSH_FAILING.set(0)
        for priority in range(1, 5):
            _OPEN.labels(priority=f"P{priority}").set(0)
        for row in rows:
            if row["kind"] == "outbox":
                _OUTBOX_PENDING.labels(topic=row["key"]).set(row["n"])
                _OUTBOX_AGE.labels(topic=row["key"]).set(max(0.0, row["age"] or 0.0))
            elif row["kind"] == "push":
                _PUSH_FAILING.set(row["n"])
            else:
                _OPEN.labels(priority=row["key"]).set(row["n"])
        return Response(generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})


_READY_TIMEOUT_S = 2.0


@get("/readyz", include_in_schema=False)
async def readyz(state: State) -> Response:
    """200 when the database, the storage and (if configured) Redis answer within two seconds; else 503."""
    checks: dict[str, str] = {}

    async def database() -> None:
        async with db.connection() as conn:
            await conn.fetchval("SELECT 1")

    async def storage() -> None:
        await state.storage.exists("readyz/probe")

    async def redis() -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(state.settings.server.redis_url)
        try:
            await client.ping()
        finally:
            await client.aclose()

    probes = {"database": database, "storage": storage}
    if state.settings.server.redis_url:
        probes["redis"] = redis
    for name, probe in probes.items():
        try:
            await asyncio.wait_for(probe(), timeout=_READY_TIMEOUT_S)
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; the reason is reported
            checks[name] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    body = msgspec.json.encode({"status": "ready" if ready else "not_ready", "checks": checks})
    headers = {"Cache-Control": "no-store"} | ({} if ready else {"Retry-After": "5"})
    return Response(body, status_code=200 if ready else 503, media_type="application/json", headers=headers)
