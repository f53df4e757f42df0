"""What a full read of the store may cost: when the garbage collector waits, and when the parse cache is
saved again. The measurements behind both thresholds are in docs/PERFORMANCE.md."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator

FULL_COLLECTION_FILES = 5_000  # from this many files, a full read ends with one full collection
RESAVE_FRACTION = 0.05  # of the store's files: how stale the parse cache may be before a full read saves it


@contextlib.contextmanager
def collector_paused(files: Callable[[], int], freeze: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """No cyclic garbage collection while a full read makes millions of long-lived objects (stories
    hold no cycles; reference counting frees them): every collection on the way would walk them all
    again, and most of a large restart went to that. One full collection after them moves them to the
    oldest generation in one pass, where the next full one is far off. A small store is left to the
    collector's own pace: a full collection walks the whole process, which costs more than a small
    read makes (a test process creating thousands of stores). A caller that turned the collector off
    itself is left to do its own collecting (`feedsvc build` freezes what the read made).

    Where `freeze` says so once the read is done, what it made is frozen (gc.freeze, a list splice)
    instead of walked: for a caller that freezes everything soon anyway (gunicorn's master, before it
    forks) after a read that made no garbage cycles to free (no forked readers: a read from the parse
    cache, whose closing collection freed 0 objects in 0.56 s at 100,000 stories)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if files() >= FULL_COLLECTION_FILES:
                if freeze():
                    gc.freeze()
                else:
                    gc.collect()
            gc.enable()


def worth_saving(missed: int, cached: int, files: int) -> bool:
    """Should a full read that found `missed` of `files` files not in a cache of `cached` entries save
    it again? Only when re-reading those misses on every start would cost more than one save of the
    whole store; fewer are re-read next time (and the service's refresher saves after changes anyway)."""
    return bool(missed) and (not cached or missed >= RESAVE_FRACTION * files)
