"""create_app(): the Litestar application with its plugins, lifespan and the domains' routers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
from collections.abc import AsyncIterator

from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from sereno import __version__, web
from sereno.accounts.routes import AccountController, AuthController
from sereno.alarms import handlers as alarm_handlers
from sereno.alarms.admin_routes import PartnerAdminController
from sereno.alarms.routes import AlarmController
from sereno.analytics.routes import AnalyticsController, HotspotController
from sereno.core import db, idempotency, outbox
from sereno.core.bodies import StrictRequest
from sereno.core.clock import Clock, SystemClock
from sereno.core.observability import MetricsController, metrics_middleware, readyz, request_id_middleware
from sereno.core.openapi import StructSchemas, components
from sereno.core.outbox import OutboxWorker
from sereno.core.ratelimit import FixedWindow, MemoryCounter, RateLimitMiddleware, RedisCounter
from sereno.core.routing import repair_allow_headers
from sereno.core.security import security_headers
from sereno.core.web import exception_handlers, provide_clock, provide_lang, provide_secret
from sereno.dispatch import handlers as dispatch_handlers
from sereno.dispatch.routes import DispatchController, FieldController, UnitController
from sereno.incidents.routes import IncidentController
from sereno.media import service as media_service
from sereno.media.pool import ImagePool
from sereno.media.routes import UploadController, serve_rendition
from sereno.media.storage import Storage, create_storage
from sereno.notifications import service as notifications
from sereno.notifications.routes import PushController, ReportSubscriptionController
from sereno.participation import handlers as participation_handlers
from sereno.participation.routes import DepartmentController, InboxController, ParticipationController
from sereno.realtime import channels as realtime
from sereno.realtime.routes import console_socket, field_socket
from sereno.reports.routes import ReportController
from sereno.settings import Settings, get_settings
from sereno.sms.routes import SmsController
from sereno.tenants.routes import TenantController, provide_tenant
from sereno.transparency import projection
from sereno.transparency.open311.routes import Open311Controller
from sereno.transparency.routes import PublicController

__all__ = ["create_app", "start_services", "delivery_workers", "run_worker"]

log = logging.getLogger("sereno")

# Anonymous writes that create something: limited per client, one budget for both.
_THROTTLED = {
    ("POST", "/api/v1/reports"),
    ("POST", "/api/v1/uploads"),
    ("POST", "/api/v1/participation/requests"),
}


async def _load_secret(settings: Settings) -> bytes:
    if settings.server.secret_key:
        return settings.server.secret_key.encode()
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO instance_setting (name, value) VALUES ('secret_key', $1) ON CONFLICT (name) DO NOTHING",
            secrets.token_urlsafe(48),
        )
        value = await conn.fetchval("SELECT value FROM instance_setting WHERE name = 'secret_key'")
    return value.encode()


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def start_services(
    settings: Settings, clock: Clock | None = None
) -> tuple[bytes, Storage, ImagePool, OutboxWorker]:
    """Pool, secret key, storage, image processes and outbox worker: what the API and a standalone worker both
    need. The image processes start when the first photo needs one; ``ImagePool.close`` stops them."""
    clock = clock or SystemClock()
    await db.start_pool(settings)
    secret_key = await _load_secret(settings)
    storage = create_storage(settings.media, secret_key=secret_key.decode())
    await storage.start()
    notifications.configure(extra_hosts=settings.notifications.push_extra_hosts)
    image_pool = ImagePool(settings.media.image_processes, timeout_s=settings.media.image_timeout_s)
    async with db.transaction() as conn:
        await outbox.schedule_periodic(conn, topic=idempotency.PURGE_TOPIC, every_s=idempotency.PURGE_EVERY_S)
        await outbox.schedule_periodic(conn, topic=outbox.PURGE_TOPIC, every_s=outbox.PURGE_EVERY_S)
        # The first refresh at once (a new instance's demo data is public at start), then every refresh_s.
        await outbox.schedule_periodic(conn, topic=projection.REFRESH_TOPIC, every_s=0)
        await outbox.schedule_periodic(
            conn, topic=alarm_handlers.SILENCE_TOPIC, every_s=settings.alarms.silence_check_s
        )
        await outbox.schedule_periodic(
            conn, topic=participation_handlers.OVERDUE_TOPIC, every_s=participation_handlers.OVERDUE_EVERY_S
        )
    live = realtime.Publisher(settings)
    handlers = {
        **media_service.handlers(storage, image_pool, settings.media),
        **idempotency.purge_handlers(),
        **outbox.purge_handlers(),
        **realtime.handlers(live),
        **notifications.handlers(settings.notifications),
        **dispatch_handlers.handlers(settings.dispatch, clock, live),
        **projection.handlers(settings.public, key=secret_key, clock=clock),
        **alarm_handlers.handlers(settings.alarms, clock, secret_key),
        **participation_handlers.handlers(clock),
    }
    handlers[dispatch_handlers.STATUS_TOPIC] = alarm_handlers.with_status_callbacks(
        handlers[dispatch_handlers.STATUS_TOPIC], clock
    )

    async def escalate() -> None:
        await dispatch_handlers.escalation_tick(settings.dispatch, clock)

    tickers = [escalate]
    if settings.server.demo_move_units:
        from sereno.demo.units import move_units

        async def patrol() -> None:
            await move_units(now=clock.now())

        tickers.append(patrol)
    return secret_key, storage, image_pool, OutboxWorker(handlers, tickers=tickers)


def delivery_workers(worker: OutboxWorker) -> list[OutboxWorker]:
    """The running workers: pushes (slow, remote services) and photos (renditions, a fraction of a second of a
    child process each, waiting behind citizens' confirmations) each apart from everything else, so that
    neither a dead push service nor a burst of photos delays dispatch or live events. ``worker`` keeps every
    handler for one-off ``drain()``."""
    apart = (outbox.EXTERNAL_PREFIX, media_service.TOPIC_PREFIX)
    groups = [{t: h for t, h in worker.handlers.items() if t.startswith(prefix)} for prefix in apart]
    rest = {t: h for t, h in worker.handlers.items() if not t.startswith(apart)}
    return [OutboxWorker(rest, tickers=worker.tickers), *(OutboxWorker(group) for group in groups)]


async def run_worker(settings: Settings) -> None:
    """The outbox worker as its own process (``sereno worker``)."""
    _, _, image_pool, worker = await start_services(settings)
    stop = asyncio.Event()
    _freeze_startup_heap()
    try:
        await asyncio.gather(*(w.run_forever(stop) for w in delivery_workers(worker)))
    finally:
        await image_pool.close()
        await db.stop_pool(settings)


def _freeze_startup_heap() -> None:
    """Leave what start-up made (about 200,000 objects: the app, its routes, schemas and modules) out of the
    garbage collector's full collections, which otherwise walk all of it every second or two under load:
    100-470 ms with the process stopped, the whole of the intake's p99 (measured with gc.callbacks). Those
    objects live as long as the process; ``gc.unfreeze`` at shutdown hands them back."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None
        try:
            (
                app.state.secret_key,
                app.state.storage,
                app.state.image_pool,
                app.state.worker,
            ) = await start_services(settings, app.state.clock)
            if settings.server.worker_in_process:
                task = asyncio.gather(*(w.run_forever(stop) for w in delivery_workers(app.state.worker)))
            _freeze_startup_heap()
            yield
        finally:
            gc.unfreeze()
            stop.set()
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await asyncio.wait_for(task, timeout=10)
            if "image_pool" in app.state:  # after the workers: a rendition under way is finished, not lost
                await app.state.image_pool.close()
            await db.stop_pool(settings)

    counter = MemoryCounter()
    if settings.server.redis_url:
        from redis.asyncio import Redis

        counter = RedisCounter(Redis.from_url(settings.server.redis_url))
    rate_limit = RateLimitMiddleware(
        limiter=FixedWindow(limit=settings.rate_limit.anonymous_per_minute, window_s=60, counter=counter),
        throttled=_THROTTLED,
    )
    app = Litestar(
        route_handlers=[
            healthz,
            readyz,
            MetricsController,
            TenantController,
            ReportController,
            UploadController,
            serve_rendition,
            AuthController,
            AccountController,
            IncidentController,
            UnitController,
            DispatchController,
            FieldController,
            PushController,
            ReportSubscriptionController,
            PublicController,
            AnalyticsController,
            HotspotController,
            Open311Controller,
            AlarmController,
            PartnerAdminController,
            SmsController,
            ParticipationController,
            InboxController,
            DepartmentController,
            console_socket,
            field_socket,
            *web.routes(),
        ],
        dependencies={
            "tenant": Provide(provide_tenant),
            "lang": Provide(provide_lang),
            "clock": Provide(provide_clock),
            "secret": Provide(provide_secret),
        },
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "clock": clock or SystemClock(),
                # Per API key, for endpoints whose one client speaks for many people (Open311 apps).
                "key_limiter": FixedWindow(
                    limit=settings.rate_limit.per_key_per_minute, window_s=60, counter=counter
                ),
            }
        ),
        middleware=[
            request_id_middleware,
            metrics_middleware,
            rate_limit,
        ],
        plugins=[realtime.create_plugin(settings), StructSchemas()],
        request_class=StrictRequest,
        exception_handlers=exception_handlers,
        before_send=[security_headers(settings.media)],
        # Level 4, not Litestar's 9: a 50 MB GeoJSON export compresses to nearly the same size in a third of the CPU.
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=800, gzip_compress_level=4, exclude=["/media"]
        ),
        openapi_config=OpenAPIConfig(
            title="Sereno API", version=__version__, path="/schema", components=components()
        ),
        request_max_body_size=settings.media.max_bytes + 64 * 1024,
        debug=False,
    )
    return repair_allow_headers(app)
