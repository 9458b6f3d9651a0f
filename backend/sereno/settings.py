"""Configuration: read from environment variables once, validated into msgspec structs.

Each field names its environment variable in ``Meta(extra={"env": ...})`` so that a wrong value stops start-up
with a message naming the variable (``SERENO_PORT: Expected `int`, got `str```), and so that the README table
can be generated from the same source (``sereno config``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

__all__ = ["ConfigError", "Settings", "get_settings", "load_settings", "describe_variables"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _env(name: str, doc: str, **constraints: Any) -> Meta:
    return Meta(extra={"env": name, "doc": doc}, **constraints)


class DatabaseSettings(Struct, frozen=True, kw_only=True):
    url: Annotated[
        str,
        _env("DATABASE_URL", "PostgreSQL+PostGIS DSN. Unset: the run script starts a project-local cluster."),
    ] = ""
    replica_url: Annotated[
        str,
        _env(
            "DATABASE_REPLICA_URL",
            "A read replica for public (transparency, Open311 GET) and analytics reads. Unset: the primary.",
        ),
    ] = ""
    pool_size: Annotated[
        int, _env("SERENO_DB_POOL_SIZE", "Connections in the pool of each process.", ge=1, le=200)
    ] = 10
    statement_timeout_ms: Annotated[
        int, _env("SERENO_DB_STATEMENT_TIMEOUT_MS", "Server-side limit per statement.", ge=100)
    ] = 15_000


class ServerSettings(Struct, frozen=True, kw_only=True):
    host: Annotated[str, _env("SERENO_HOST", "Address the HTTP server binds.")] = "127.0.0.1"
    port: Annotated[int, _env("SERENO_PORT", "Port the HTTP server binds.", ge=1, le=65535)] = 8000
    workers: Annotated[int, _env("SERENO_WORKERS", "HTTP worker processes.", ge=1, le=64)] = 1
    public_url: Annotated[
        str, _env("SERENO_PUBLIC_URL", "Base URL citizens and devices use to reach the API.")
    ] = "http://127.0.0.1:8000"
    secret_key: Annotated[
        str,
        _env(
            "SERENO_SECRET_KEY",
            "Signs tokens and local upload URLs. Unset: generated once, kept in the database.",
        ),
    ] = ""
    worker_in_process: Annotated[
        bool,
        _env(
            "SERENO_WORKER_IN_PROCESS", "Run the outbox worker inside the API process (one-command set-up)."
        ),
    ] = True
    log_level: Annotated[
        Literal["debug", "info", "warning", "error"], _env("SERENO_LOG_LEVEL", "Log level.")
    ] = "info"
    log_format: Annotated[
        Literal["json", "text"], _env("SERENO_LOG_FORMAT", "json: one JSON object per line with the request id.")
    ] = "json"
    metrics_token: Annotated[
        str, _env("SERENO_METRICS_TOKEN", "Bearer token Prometheus must send to /metrics. Unset: open.")
    ] = ""
    trusted_proxies: Annotated[
        str,
        _env(
            "SERENO_TRUSTED_PROXIES",
            "Reverse proxies (comma-separated addresses or networks, * for any) whose X-Forwarded-For and "
            "X-Forwarded-Proto name the real client. Unset: the connecting peer is the client.",
        ),
    ] = ""
    default_tenant: Annotated[
        str, _env("SERENO_DEFAULT_TENANT", "Tenant slug used when a request names none.")
    ] = "tru"
    redis_url: Annotated[
        str, _env("REDIS_URL", "Redis for rate limits and channels across processes. Unset: in-memory.")
    ] = ""
    demo_move_units: Annotated[
        bool,
        _env(
            "SERENO_DEMO_MOVE_UNITS",
            "Demo only: unmanned demo units patrol (positions move every few seconds).",
        ),
    ] = False


class RateLimitSettings(Struct, frozen=True, kw_only=True):
    anonymous_per_minute: Annotated[
        int,
        _env(
            "SERENO_RATE_LIMIT_PER_MINUTE", "Anonymous writes (reports, uploads) per client and minute.", ge=1
        ),
    ] = 30
    per_key_per_minute: Annotated[
        int,
        _env(
            "SERENO_RATE_LIMIT_PER_KEY_PER_MINUTE",
            "Open311 service requests per API key and minute (a client app speaks for many citizens).",
            ge=1,
        ),
    ] = 120


# Half the CPUs, 1 to 4: the API's event loop, PostgreSQL and the outbox worker need the rest.
_IMAGE_PROCESSES = min(4, max(1, (os.cpu_count() or 2) // 2))
_SHOWN_DEFAULTS = {"SERENO_MEDIA_DIR": ".local/media", "SERENO_IMAGE_PROCESSES": "half the CPUs, 1 to 4"}


class MediaSettings(Struct, frozen=True, kw_only=True):
    backend: Annotated[
        Literal["local", "s3"], _env("SERENO_MEDIA_BACKEND", "Photo storage: local or s3.")
    ] = "local"
    local_dir: Annotated[str, _env("SERENO_MEDIA_DIR", "Folder for the local backend.")] = str(
        PROJECT_ROOT / ".local" / "media"
    )
    max_bytes: Annotated[
        int, _env("SERENO_MEDIA_MAX_BYTES", "Largest accepted photo, in bytes.", ge=1024)
    ] = 10 * 1024 * 1024
    max_pixels: Annotated[
        int,
        _env(
            "SERENO_MEDIA_MAX_PIXELS",
            "Largest accepted photo, in pixels (decompression-bomb guard).",
            ge=10_000,
        ),
    ] = 40_000_000
    image_processes: Annotated[
        int,
        _env(
            "SERENO_IMAGE_PROCESSES",
            "Child processes of each API or worker process that decode photos (checks, renditions) away from "
            "the event loop. 0: in a thread of the process itself (tiny deployments).",
            ge=0,
            le=64,
        ),
    ] = _IMAGE_PROCESSES
    image_timeout_s: Annotated[
        float,
        _env(
            "SERENO_IMAGE_TIMEOUT_S",
            "Longest a photo check or rendition may run in a child process; then the children are killed "
            "and the job fails (a confirmation answers 503, a rendition is retried).",
            gt=0,
        ),
    ] = 30.0
    upload_expiry_s: Annotated[
        int, _env("SERENO_UPLOAD_EXPIRY_S", "Lifetime of an upload URL, seconds.", ge=30)
    ] = 900
    s3_endpoint_url: Annotated[
        str, _env("SERENO_S3_ENDPOINT_URL", "S3-compatible endpoint; empty for AWS.")
    ] = ""
    s3_bucket: Annotated[
        str, _env("SERENO_S3_BUCKET", "Bucket for photos (required with the s3 backend).")
    ] = ""
    s3_region: Annotated[str, _env("SERENO_S3_REGION", "Region of the bucket.")] = "us-east-1"
    s3_access_key: Annotated[
        str, _env("SERENO_S3_ACCESS_KEY", "Access key; empty: boto3's default chain.")
    ] = ""
    s3_secret_key: Annotated[
        str, _env("SERENO_S3_SECRET_KEY", "Secret key; empty: boto3's default chain.")
    ] = ""


class NotificationSettings(Struct, frozen=True, kw_only=True):
    vapid_subject: Annotated[
        str, _env("SERENO_VAPID_SUBJECT", "Contact the push services may use (mailto: or https: URL).")
    ] = "mailto:soporte@sereno.invalid"
    push_ttl_s: Annotated[
        int, _env("SERENO_PUSH_TTL_S", "How long push services keep a message for an offline phone.", ge=0)
    ] = 3600
    push_extra_hosts: Annotated[
        str,
        _env(
            "SERENO_PUSH_EXTRA_HOSTS",
            "Comma-separated hosts accepted as Web Push endpoints besides the browsers' push services (tests: 127.0.0.1).",
        ),
    ] = ""
    fcm_credentials_file: Annotated[
        str,
        _env(
            "SERENO_FCM_CREDENTIALS_FILE",
            "Firebase service-account JSON. Unset: FCM off (Web Push and WebSocket only).",
        ),
    ] = ""


class DispatchSettings(Struct, frozen=True, kw_only=True):
    ack_timeout_p1_s: Annotated[
        int,
        _env(
            "SERENO_ACK_TIMEOUT_P1_S",
            "Seconds a P1 assignment may wait for the officer's acknowledgement.",
            ge=5,
        ),
    ] = 60
    ack_timeout_s: Annotated[
        int, _env("SERENO_ACK_TIMEOUT_S", "Seconds other assignments may wait for acknowledgement.", ge=5)
    ] = 300
    stale_position_s: Annotated[
        int, _env("SERENO_STALE_POSITION_S", "A unit position older than this is shown as stale.", ge=30)
    ] = 180
    silent_unit_s: Annotated[
        int, _env("SERENO_SILENT_UNIT_S", "Units silent for longer are not recommended.", ge=60)
    ] = 1800
    callback_sla_s: Annotated[
        int, _env("SERENO_CALLBACK_SLA_S", "Time to call back a reporter who asked for it.", ge=60)
    ] = 4 * 3600
    access_token_s: Annotated[int, _env("SERENO_ACCESS_TOKEN_S", "Staff access-token lifetime.", ge=60)] = 900
    refresh_token_s: Annotated[
        int, _env("SERENO_REFRESH_TOKEN_S", "Staff session (refresh token) lifetime.", ge=300)
    ] = 12 * 3600


class PublicSettings(Struct, frozen=True, kw_only=True):
    delay_h: Annotated[
        float,
        _env("SERENO_PUBLIC_DELAY_H", "Hours after resolution before an incident is published.", ge=0),
    ] = 48
    cell_m: Annotated[
        float, _env("SERENO_PUBLIC_CELL_M", "Grid cell (metres) published locations snap to.", ge=50, le=5000)
    ] = 250
    k: Annotated[
        int, _env("SERENO_PUBLIC_K", "Fewest incidents a published cell may hold in a month.", ge=2, le=50)
    ] = 3
    time_person: Annotated[
        Literal["month", "date"],
        _env("SERENO_PUBLIC_TIME_PERSON", "Time shown for crimes against persons: date or month."),
    ] = "date"
    time_other: Annotated[
        Literal["month", "date", "hour_band"],
        _env("SERENO_PUBLIC_TIME_OTHER", "Time shown for other incidents: hour_band (3 h), date or month."),
    ] = "hour_band"
    refresh_s: Annotated[
        float, _env("SERENO_PUBLIC_REFRESH_S", "How often newly publishable incidents are published.", ge=5)
    ] = 300


class AlarmSettings(Struct, frozen=True, kw_only=True):
    merge_window_s: Annotated[
        int,
        _env(
            "SERENO_ALARM_MERGE_WINDOW_S",
            "Repeated alarms from one device within this many seconds join its open incident.",
            ge=0,
        ),
    ] = 600
    silence_check_s: Annotated[
        float,
        _env("SERENO_ALARM_SILENCE_CHECK_S", "How often devices that missed their heartbeat are looked for.", ge=5),
    ] = 60


class SmsSettings(Struct, frozen=True, kw_only=True):
    auth_token: Annotated[
        str,
        _env(
            "SERENO_SMS_AUTH_TOKEN",
            "The SMS gateway's auth token (Twilio's): signs its webhooks. Unset: SMS intake answers 503.",
        ),
    ] = ""
    numbers: Annotated[
        str,
        _env(
            "SERENO_SMS_NUMBERS",
            "Which city a called number belongs to: +51944000111=tru,+51944000222=lim. Others: the default tenant.",
        ),
    ] = ""


class Settings(Struct, frozen=True, kw_only=True):
    db: DatabaseSettings = DatabaseSettings()
    server: ServerSettings = ServerSettings()
    rate_limit: RateLimitSettings = RateLimitSettings()
    media: MediaSettings = MediaSettings()
    notifications: NotificationSettings = NotificationSettings()
    dispatch: DispatchSettings = DispatchSettings()
    public: PublicSettings = PublicSettings()
    alarms: AlarmSettings = AlarmSettings()
    sms: SmsSettings = SmsSettings()


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message names the variable."""


_SECTIONS: dict[str, type[Struct]] = {
    "db": DatabaseSettings,
    "server": ServerSettings,
    "rate_limit": RateLimitSettings,
    "media": MediaSettings,
    "notifications": NotificationSettings,
    "dispatch": DispatchSettings,
    "public": PublicSettings,
    "alarms": AlarmSettings,
    "sms": SmsSettings,
}


def _variables(section: type[Struct]) -> list[tuple[str, str, str, Any]]:
    """(field name, variable, doc, default) of a section, in declaration order."""
    hints = msgspec.inspect.type_info(section)
    out = []
    for field in hints.fields:  # type: ignore[attr-defined]
        extra = field.type.extra if isinstance(field.type, msgspec.inspect.Metadata) else {}
        out.append((field.name, extra["env"], extra["doc"], field.default))
    return out


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    errors: list[str] = []
    sections: dict[str, Any] = {}
    for section_name, section in _SECTIONS.items():
        raw = {name: environ[var] for name, var, _, _ in _variables(section) if environ.get(var, "") != ""}
        try:
            sections[section_name] = msgspec.convert(raw, section, strict=False)
        except msgspec.ValidationError as exc:
            errors.append(_name_variable(section, str(exc)))
    if errors:
        raise ConfigError("; ".join(errors))
    settings = Settings(**sections)
    if settings.media.backend == "s3" and not settings.media.s3_bucket:
        raise ConfigError("SERENO_S3_BUCKET: required when SERENO_MEDIA_BACKEND=s3")
    return settings


def _name_variable(section: type[Struct], message: str) -> str:
    for name, var, _, _ in _variables(section):
        if message.endswith(f"`$.{name}`"):
            return f"{var}: {message.rsplit(' - at ', 1)[0]}"
    return message


def describe_variables() -> list[tuple[str, str, str]]:
    """(variable, default, description) for the README table."""
    rows = []
    for section in _SECTIONS.values():
        for _, var, doc, default in _variables(section):
            shown = "" if default in ("", msgspec.NODEFAULT) else str(default)
            shown = _SHOWN_DEFAULTS.get(var, shown)  # defaults that depend on the machine
            rows.append((var, shown, doc))
    return rows


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
