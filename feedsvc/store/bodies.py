"""The bodies of the latest readings, kept a while in memory.

A story's body is not held with the story (a hundred thousand of them would dominate a worker's
memory) but read back from its file when the story is rendered. A file an editor's tool keeps
rewriting in place may no longer hold the version the store read by then, and the story would be
left out of that render. So the body of each reading the service makes as files change is kept
here, most recent last, within a bound on the memory it may take.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

LIMIT_CHARACTERS = 8 << 20  # 8 Mi characters: at least 8 of the largest stories, about 2,000 usual ones


class RecentBodies:
    """Store path → (file digest, Markdown body) of its latest good reading. Thread-safe: readings are
    kept by the refresher while request threads render."""

    def __init__(self, limit: int = LIMIT_CHARACTERS) -> None:
        self._limit = limit
        self._bodies: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def keep(self, relpath: str, digest: str, body: str) -> None:
        """Remember `relpath`'s newest reading in place of the one before; forget the oldest over the limit."""
        with self._lock:
            self._pop(relpath)
            self._bodies[relpath] = (digest, body)
            self._size += len(body)
            while self._size > self._limit and self._bodies:
                self._pop(next(iter(self._bodies)))

    def get(self, relpath: str, digest: str) -> str | None:
        """The body of `relpath`'s reading with this digest, if it is still kept."""
        with self._lock:
            kept = self._bodies.get(relpath)
            return kept[1] if kept is not None and kept[0] == digest else None

    def forget(self, relpath: str) -> None:
        with self._lock:
            self._pop(relpath)

    def _pop(self, relpath: str) -> None:
        kept = self._bodies.pop(relpath, None)
        if kept is not None:
            self._size -= len(kept[1])
