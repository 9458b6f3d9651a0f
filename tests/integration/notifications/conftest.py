"""A local Web Push service and a stand-in for Google, a worker with the notification handlers, and phones."""

from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable, Iterator

import pytest
from sereno.core import db as core_db
from sereno.core.outbox import OutboxWorker
from sereno.notifications import fcm, service
from sereno.notifications.schemas import Audience, PushMessage
from sereno.notifications.vapid import load_vapid
from sereno.settings import NotificationSettings

from tests.support.fcm_endpoint import FakeGoogle
from tests.support.push_endpoint import Browser, PushService


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    push_service = PushService().start()
    yield push_service
    push_service.stop()


@pytest.fixture(scope="session")
def google(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGoogle]:
    # Session-wide: firebase-admin keeps its send URL and access token for the rest of the process.
    google = FakeGoogle().start()
    fcm.use_send_url(google.send_url_template)
    google.credentials_file = google.write_credentials(tmp_path_factory.mktemp("fcm") / "service-account.json")
    yield google
    google.stop()


@pytest.fixture
def settings(google: FakeGoogle) -> NotificationSettings:
    return NotificationSettings(
        vapid_subject="mailto:central@sereno.test", push_ttl_s=900, fcm_credentials_file=str(google.credentials_file)
    )


@pytest.fixture
def worker(settings: NotificationSettings, db) -> OutboxWorker:
    """Only the notification handlers: other domains' events stay for their own tests."""
    return OutboxWorker(service.handlers(settings))


@pytest.fixture(autouse=True)
def nothing_refused(push_service: PushService, google: FakeGoogle) -> Iterator[None]:
    yield
    assert push_service.rejected == [] and google.rejected == [], "a real push service would have refused these"


@pytest.fixture
def new_phone(push_service: PushService, db) -> Callable[[], Awaitable[Browser]]:
    """A browser subscribed with this installation's applicationServerKey, as the PWA does."""

    async def new_phone() -> Browser:
        return push_service.new_browser((await load_vapid(db)).public_key)

    return new_phone


# Staff accounts are plain ids to the push service; these are far from any real account's serial id.
_account_ids = itertools.count(random.randint(10**8, 2 * 10**8) * 10)


@pytest.fixture
def new_account_id() -> Callable[[], int]:
    return lambda: next(_account_ids)


@pytest.fixture
def push(db) -> Callable[[int, Audience, PushMessage], Awaitable[None]]:
    """Enqueue a push in a transaction that commits, as a state change would."""

    async def push(tenant_id: int, audience: Audience, message: PushMessage) -> None:
        async with core_db.transaction() as conn:
            await service.enqueue_push(conn, tenant_id=tenant_id, audience=audience, message=message)

    return push
