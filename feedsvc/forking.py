"""Worker processes forked from this one, for work that splits across cores (reading a large store,
rendering a first build's documents). Each dies with its parent, so a build or service killed
part-way leaves no orphan behind still writing files or holding what the parent held."""
from __future__ import annotations

import ctypes
import os
import signal
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def can_fork() -> bool:
    """Several cores, and a single thread here: forking a threaded process is unsafe."""
    return (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def workers() -> int:
    return min(os.cpu_count() or 1, 8)


def forked_pool() -> ProcessPoolExecutor:
    # Imported here: multiprocessing is a tenth of a one-off rebuild's imports, and only a large read
    # or a first build forks.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context
    return ProcessPoolExecutor(max_workers=workers(), mp_context=get_context("fork"), initializer=_die_with_parent,
                               initargs=(os.getpid(),))


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)     # Linux; elsewhere the call is absent
    except (AttributeError, OSError):
        pass
    if os.getppid() != parent:            # the parent died before the request took effect
        os._exit(1)
