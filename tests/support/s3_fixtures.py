"""pytest fixtures for the S3 media backend against a real SeaweedFS (load with ``pytest_plugins``)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from sereno.media.storage.s3 import S3Storage
from sereno.settings import MediaSettings
from tests.support.seaweed import SeaweedS3, running_seaweed_s3

__all__ = ["s3_server", "s3_storage", "s3_media_settings"]


def s3_media_settings(server: SeaweedS3, *, bucket: str, **changes: Any) -> MediaSettings:
    """Media settings pointing at ``server``; ``changes`` override fields (e.g. a wrong ``s3_secret_key``)."""
    fields: dict[str, Any] = {
        "backend": "s3",
        "s3_endpoint_url": server.endpoint_url,
        "s3_bucket": bucket,
        "s3_region": server.region,
        "s3_access_key": server.access_key,
        "s3_secret_key": server.secret_key,
    }
    return MediaSettings(**(fields | changes))


@pytest.fixture(scope="session")
def s3_server() -> Iterator[SeaweedS3]:
    """One SeaweedFS per test session (it starts in about a second), auth enabled."""
    with running_seaweed_s3() as server:
        yield server


@pytest.fixture
async def s3_storage(s3_server: SeaweedS3) -> AsyncIterator[S3Storage]:
    """A started S3Storage on a bucket of its own, so tests never see each other's objects."""
    storage = S3Storage(
        s3_media_settings(s3_server, bucket=f"sereno-test-{secrets.token_hex(6)}"), create_bucket=True
    )
    await storage.start()
    yield storage
