"""The documents rendered only when asked for (RFC 5005 archives), kept while they fit in a number of
bytes: a crawler walking every archive must not make a worker hold them all.

Least recently used first out. A document's gzip copy is made after it is kept (by the first request
that accepts gzip), so the holder measures it again then (`measure`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Entry = TypeVar("Entry")


class ColdEntries(Generic[Entry]):
    """Entries by path, their sizes (`size`, in bytes) summing to at most `limit` once each call
    returns. Thread-safe: every call takes one short lock."""

    def __init__(self, limit: int, size: Callable[[Entry], int]) -> None:
        self.limit = limit
        self._size = size
        self._entries: OrderedDict[str, tuple[Entry, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        """The bytes kept now."""
        return self._held

    def get(self, path: str) -> Entry | None:
        """The entry for `path`, made the most recently used."""
        with self._lock:
            found = self._entries.get(path)
            if found is None:
                return None
            self._entries.move_to_end(path)
            return found[0]

    def peek(self, path: str) -> Entry | None:
        """The entry for `path`, its place left as it is."""
        with self._lock:
            found = self._entries.get(path)
        return None if found is None else found[0]

    def put(self, path: str, entry: Entry) -> None:
        """Keep `entry` as the most recently used, dropping the least recently used ones (it too, if
        it alone is over the limit) until the rest fit."""
        with self._lock:
            self._drop(path)
            size = self._size(entry)
            self._entries[path] = (entry, size)
            self._held += size
            self._fit()

    def measure(self, path: str, entry: Entry) -> None:
        """Count `entry` again (it has grown: its gzip copy was made), if it is still the one kept."""
        with self._lock:
            found = self._entries.get(path)
            if found is None or found[0] is not entry:
                return
            size = self._size(entry)
            self._entries[path] = (entry, size)
            self._held += size - found[1]
            self._fit()

    def discard(self, path: str) -> None:
        with self._lock:
            self._drop(path)

    def entries(self) -> list[tuple[str, Entry]]:
        """Every path and entry kept now (a copy: others may change the cache meanwhile)."""
        with self._lock:
            return [(path, entry) for path, (entry, _) in self._entries.items()]

    def _drop(self, path: str) -> None:
        found = self._entries.pop(path, None)
        if found is not None:
            self._held -= found[1]

    def _fit(self) -> None:
        while self._held > self.limit and self._entries:
            _, (_, size) = self._entries.popitem(last=False)
            self._held -= size
