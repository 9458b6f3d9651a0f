"""A test hook for the image pool's time limit: a job that never returns, as a decoder stuck in a loop on
hostile bytes would. Module-level, so that a spawned child can import it by name."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

__all__ = ["decode_forever", "wait_until_exists"]


def decode_forever(*args: object, started: str | None = None, **kwargs: object) -> None:
    """Block until the process is killed; create the file ``started`` first, if given. Any other arguments:
    it stands in for inspect_image or make_renditions."""
    if started:
        Path(started).touch()
    threading.Event().wait()


async def wait_until_exists(path: Path, *, within_s: float = 30.0) -> None:
    """Wait for a child to have created ``path`` (a signal, not a timing assertion)."""
    deadline = time.monotonic() + within_s
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} was not created within {within_s} s")
        await asyncio.sleep(0.02)
