"""Where photos are decoded: child processes, so that Pillow's CPU time never holds the API's GIL.

Checking a photo at confirmation and making its renditions decode every pixel. In a thread of the API process
the parts of that work that hold the GIL (Pillow releases it only inside its C loops) delay the event loop and
so every request; in a child process the work only competes for a CPU. ``SERENO_IMAGE_PROCESSES`` children at most, started when first needed (a burst of photos
waits in the pool's queue, it never starts more); 0 keeps the work in a thread, for tiny deployments.

Children are spawned, never forked: a fork of a running event loop would copy its sockets and locks. A child
that dies (killed for its memory, or a decoder crash) breaks the whole executor; the jobs it held fail with
``BrokenProcessPool`` (the outbox retries a rendition, a confirmation answers 503) and the next job gets a new
pool.

A job that runs longer than ``SERENO_IMAGE_TIMEOUT_S`` (a decoder stuck in a loop on hostile bytes) fails with
``ImageTimeout``, a ``BrokenProcessPool``: its executor's children are killed, which breaks that executor the
same way, and a new one takes the next jobs. The standard library has no API to kill an executor's children,
so this reads ``ProcessPoolExecutor._processes`` (a private attribute, stable since Python 3.2; the pool is
pinned to 3.11's executor by the tests in tests/unit/media/test_image_pool.py). Jobs are handed to the
executor only when a child is free (a semaphore of ``processes``), so the clock measures a job's own run, never
its wait behind a burst of photos. A job in a thread (``processes`` 0) cannot be stopped and has no limit.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import anyio
from PIL import Image, ImageFile

__all__ = ["BrokenProcessPool", "ImagePool", "ImageTimeout"]

log = logging.getLogger("sereno.media")

T = TypeVar("T")


def _start_child(max_image_pixels: int | None, load_truncated_images: bool) -> None:
    # Pillow's limits are module globals, and a spawned child starts from Pillow's defaults: give it the
    # parent's, so that a photo is judged the same in a child as in a thread. (images.py passes its own
    # limits as arguments and walks the file's structure for truncation; these are the second line.)
    Image.MAX_IMAGE_PIXELS = max_image_pixels
    ImageFile.LOAD_TRUNCATED_IMAGES = load_truncated_images
    # Ctrl-C reaches the whole process group: the parent decides when its children stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A child holds both ends of its job queue, so it would wait forever for jobs from a parent that was
    # killed (-9, out of memory): it leaves with its parent instead.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_with, args=(parent.sentinel,), name="exit-with-parent", daemon=True
        ).start()
    import sereno.media.images  # noqa: F401 - Pillow's plugins and the HEIF opener, before the first photo


def _exit_with(parent_sentinel: int) -> None:
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)


class _Slots:
    """The children's free slots, given to waiting foreground jobs (a confirmation: a citizen is waiting for
    it) before waiting background ones (renditions, made by the worker), each kind in arrival order. So a
    confirmation waits at most for the jobs already running, never behind a queue of renditions."""

    def __init__(self, slots: int) -> None:
        self.free = slots
        self.waiting: tuple[collections.deque[asyncio.Future[None]], ...] = (
            collections.deque(),
            collections.deque(),
        )

    async def acquire(self, *, background: bool) -> None:
        ahead = self.waiting[0] or (background and self.waiting[1])
        if self.free and not ahead:
            self.free -= 1
            return
        slot = asyncio.get_running_loop().create_future()
        self.waiting[int(background)].append(slot)
        try:
            await slot
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():
                self.release()  # given a slot just as it was cancelled: pass it on
            else:
                self.waiting[int(background)].remove(slot)
            raise

    def release(self) -> None:
        for queue in self.waiting:
            while queue:
                slot = queue.popleft()
                if not slot.done():
                    slot.set_result(None)
                    return
        self.free += 1


class ImageTimeout(BrokenProcessPool):
    """A job ran past the pool's time limit; the children were killed. Like any broken pool: try again later."""


class ImagePool:
    """Runs module-level functions (their arguments and results are pickled) in a bounded process pool."""

    def __init__(self, processes: int, *, timeout_s: float = 30.0) -> None:
        self.processes = processes
        self.timeout_s = timeout_s
        self._executor: ProcessPoolExecutor | None = self._new_executor() if processes else None
        self._slots = _Slots(max(1, processes))

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_child,
            initargs=(Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES),
        )

    async def run(self, fn: Callable[..., T], /, *args: Any, background: bool = False, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a child; its exceptions are raised here (pickled back, same type). A
        ``background`` job (nobody is waiting for it) lets every waiting foreground job go first.

        Raises BrokenProcessPool if a child died before the job was done; the pool is replaced for the next.
        """
        call = functools.partial(fn, *args, **kwargs)
        executor = self._executor
        if executor is None:
            if self.processes:
                raise RuntimeError("the image pool is closed")
            return await anyio.to_thread.run_sync(call)
        await self._slots.acquire(background=background)
        try:
            executor = self._executor  # it may have been replaced or closed while this job waited
            if executor is None:
                raise RuntimeError("the image pool is closed")
            try:
                job = asyncio.wrap_future(executor.submit(call))
                return await asyncio.wait_for(job, self.timeout_s)
            except TimeoutError:
                log.error(
                    "image pool: %s ran past %s s; its children are killed and a new pool takes the next jobs",
                    getattr(fn, "__name__", fn),
                    self.timeout_s,
                )
                _kill_children(executor)
                self._replace(executor)
                raise ImageTimeout(f"{getattr(fn, '__name__', fn)} ran past {self.timeout_s} s") from None
            except BrokenProcessPool:
                self._replace(executor)
                raise
        finally:
            self._slots.release()

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        # Every job the broken executor held fails at once; only the first to get here replaces it.
        if self._executor is not broken:
            return
        log.warning("image pool: a child process died; its jobs failed and a new pool takes the next ones")
        self._executor = self._new_executor()
        broken.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        """Cancel queued jobs, give the running ones the time limit to finish, then kill what is left (a hung
        decoder must not hold up shutdown)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            children = list((executor._processes or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            await anyio.to_thread.run_sync(_wait_or_kill, children, self.timeout_s)


def _kill_children(executor: ProcessPoolExecutor) -> None:
    # Private: see the module's docstring. The executor's manager thread sees the children die, fails the
    # jobs they held with BrokenProcessPool, and reaps them.
    for child in list((executor._processes or {}).values()):
        with contextlib.suppress(OSError):  # already gone
            child.kill()


def _wait_or_kill(children: list[multiprocessing.process.BaseProcess], timeout_s: float) -> None:
    # Sentinels, not join(): the executor's manager thread reaps the children, and a second waiter on the same
    # pid would take a reaped child for a living one.
    deadline = time.monotonic() + timeout_s
    running = {child.sentinel: child for child in children}
    while running and (left := deadline - time.monotonic()) > 0:
        for sentinel in multiprocessing.connection.wait(list(running), timeout=left):
            del running[sentinel]
    for child in running.values():
        log.error("image pool: child %s still busy %s s after shutdown began; killed", child.pid, timeout_s)
        with contextlib.suppress(OSError):
            child.kill()
    if running:  # SIGKILL cannot be refused: gone in a moment, and then close() may say they are gone
        multiprocessing.connection.wait(list(running), timeout=5)
