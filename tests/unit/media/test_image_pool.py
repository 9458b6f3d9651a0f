"""The image pool: photo work runs in a child process, with the same results, errors and Pillow limits as in
a thread of this process (SERENO_IMAGE_PROCESSES=0)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from PIL import Image
from sereno.media.images import ImageRejected, inspect_image, make_renditions
from sereno.media.pool import ImagePool, ImageTimeout

from tests.support.hung_decoder import decode_forever, wait_until_exists
from tests.support.photos import MAX_BYTES, MAX_PIXELS, encode, exif_with_gps, photo, png_bomb

BACKEND = Path(__file__).resolve().parents[3] / "backend"


@pytest.fixture
async def child_pool() -> AsyncIterator[ImagePool]:
    pool = ImagePool(1)
    yield pool
    await pool.close()


async def test_work_runs_in_a_child_process(child_pool: ImagePool) -> None:
    assert await child_pool.run(os.getpid) != os.getpid()


async def test_zero_processes_keeps_the_work_in_this_process() -> None:
    pool = ImagePool(0)

    assert await pool.run(os.getpid) == os.getpid()
    await pool.close()


async def test_a_child_makes_the_same_renditions_as_a_thread(child_pool: ImagePool) -> None:
    original = encode(photo(2400, 1300), exif=exif_with_gps(orientation=6))

    in_child = await child_pool.run(make_renditions, original, max_pixels=MAX_PIXELS)
    in_thread = await ImagePool(0).run(make_renditions, original, max_pixels=MAX_PIXELS)

    assert (in_child.display_width, in_child.display_height) == (867, 1600)  # upright: turned a quarter
    assert in_child == in_thread


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (encode(photo())[:3000], "truncated"),
        (png_bomb(60_000, 60_000), "too_many_pixels"),
        (b"<!doctype html><script>alert(1)</script>" * 10, "wrong_type"),
    ],
    ids=["truncated", "bomb", "html"],
)
async def test_a_photo_rejected_in_a_child_raises_the_same_error_here(
    child_pool: ImagePool, data: bytes, reason: str
) -> None:
    with pytest.raises(ImageRejected) as rejected:
        await child_pool.run(inspect_image, data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)

    assert rejected.value.reason == reason


async def test_renditions_refuse_a_photo_over_the_pixel_limit_before_decoding_it(
    child_pool: ImagePool,
) -> None:
    with pytest.raises(ImageRejected) as rejected:
        await child_pool.run(make_renditions, encode(photo(1200, 1000)), max_pixels=1_000_000)

    assert rejected.value.reason == "too_many_pixels"


async def test_a_child_applies_the_pillow_limits_of_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow refuses outright above twice MAX_IMAGE_PIXELS; a child left at Pillow's default would decode this.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    pool = ImagePool(1)
    try:
        with pytest.raises(Image.DecompressionBombError):
            await pool.run(make_renditions, encode(photo(400, 200)))
    finally:
        await pool.close()


async def test_a_closed_pool_takes_no_more_work() -> None:
    pool = ImagePool(1)
    await pool.close()

    with pytest.raises(RuntimeError, match="closed"):
        await pool.run(os.getpid)


_KEEPS_A_CHILD = """
import asyncio, os, sys
from concurrent.futures.process import BrokenProcessPool

from sereno.media.pool import ImagePool, ImageTimeout

async def main():
    pool = ImagePool(1)
    print(await pool.run(os.getpid), flush=True)
    await asyncio.to_thread(sys.stdin.read)  # until the test kills this process

asyncio.run(main())
"""


def test_a_child_leaves_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _KEEPS_A_CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(BACKEND)},
        text=True,
    )
    child = int(parent.stdout.readline())
    watch = os.pidfd_open(child)
    try:
        parent.kill()
        parent.wait()

        readable, _, _ = select.select([watch], [], [], 30)  # a pidfd is readable once its process ended

        assert readable == [watch]
    finally:
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(watch, signal.SIGKILL)  # if it outlived its parent: not left behind
        os.close(watch)
        parent.stdin.close()
        parent.stdout.close()


def _ends(pid: int, *, within_s: float = 10.0) -> bool:
    """Whether process ``pid`` ends within ``within_s`` (a pidfd is readable once its process ended)."""
    try:
        watch = os.pidfd_open(pid)
    except ProcessLookupError:
        return True  # ended and already reaped
    try:
        readable, _, _ = select.select([watch], [], [], within_s)
        return readable == [watch]
    finally:
        os.close(watch)


async def test_a_hung_job_is_killed_after_the_time_limit_and_the_next_job_gets_a_new_child() -> None:
    pool = ImagePool(1, timeout_s=2.0)
    try:
        hung_child = await pool.run(os.getpid)

        with pytest.raises(ImageTimeout):
            # wait_for: a pool without a limit fails this test instead of hanging it
            await asyncio.wait_for(pool.run(decode_forever, b"photo", max_pixels=MAX_PIXELS), 30)

        assert _ends(hung_child)
        made = await pool.run(make_renditions, encode(photo(800, 600)), max_pixels=MAX_PIXELS)
        assert (made.display_width, made.display_height) == (800, 600)
        assert await pool.run(os.getpid) not in (hung_child, os.getpid())
    finally:
        await pool.close()


def test_a_timeout_is_a_broken_pool_to_the_callers() -> None:
    # A confirmation answers 503 and the outbox retries a rendition on BrokenProcessPool: a timeout takes that path.
    assert issubclass(ImageTimeout, BrokenProcessPool)


async def test_closing_kills_a_hung_child_after_the_time_limit(tmp_path: Path) -> None:
    pool = ImagePool(1, timeout_s=60.0)
    child = await pool.run(os.getpid)
    started = tmp_path / "started"
    hung = asyncio.ensure_future(pool.run(decode_forever, started=str(started)))
    await wait_until_exists(started)
    pool.timeout_s = 1.0  # the job's own limit stays 60 s: only close() can end it sooner

    await asyncio.wait_for(pool.close(), 30)

    assert _ends(child, within_s=5)  # killed: its files close a moment before the process is gone
    with pytest.raises(BrokenProcessPool):
        await hung
