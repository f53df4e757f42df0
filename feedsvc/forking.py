"""Worker processes forked from this one, for work that splits across cores (reading a large store,
rendering a first build's documents). Each dies with its parent, so a build or service killed
part-way leaves no orphan behind still writing files or holding what the parent held. And one job
run apart (`run_apart`: the service's first parse cache), which outlives nobody's wait."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


APART_NICENESS = 19  # added to a job run apart's nice value: the lowest priority there is


def can_fork() -> bool:
    """Several cores, and a single thread here: forking a threaded process is unsafe."""
    return (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def run_apart(job: Callable[[], None]) -> bool:
    """Run `job` in a process of its own and return at once; False (and `job` not run) where this
    process cannot fork. The process is forked twice, so nobody has to wait for it: it is no child of
    this one, and it exits when `job` is done (what `job` raises is logged there). It runs at the
    lowest priority (nice 19): nobody waits for it, and it must not slow those who answer (the service's
    first workers catching up with the store, 2 CPU-s each at 100,000 stories, as it saves the cache)."""
    if not can_fork():
        return False
    child = os.fork()
    if child == 0:  # the first fork only forks again and leaves
        try:
            if os.fork() == 0:
                try:
                    os.nice(APART_NICENESS)
                    job()
                except Exception:  # noqa: BLE001 — a process of its own: report, never return into the caller
                    logging.getLogger(__name__).exception("a job run apart failed")
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    return True


def workers() -> int:
    return min(os.cpu_count() or 1, 8)


def forked_pool() -> ProcessPoolExecutor:
    # Imported here: multiprocessing is a tenth of a one-off rebuild's imports, and only a large read
    # or a first build forks.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    return ProcessPoolExecutor(
        max_workers=workers(), mp_context=get_context("fork"), initializer=die_with_parent, initargs=(os.getpid(),)
    )


def die_with_parent(parent: int) -> None:
    """In a forked process: be killed when `parent` dies (exit now if it already has)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # Linux; elsewhere the call is absent
    except (AttributeError, OSError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
