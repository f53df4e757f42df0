"""When a store reads and saves its parse cache: loaded for a full read, saved after one that missed
enough of it (`policy.worth_saving`): at once, later by the caller that answers first (the service),
or in a process of its own (under gunicorn, so the workers do not each copy the whole store)."""

from __future__ import annotations

import time
from collections.abc import Callable

from .. import forking
from ..model import Site
from .files import ArticleReader
from .filestates import CacheEntry
from .parsecache import ParseCache
from .policy import worth_saving


class CacheKeeper:
    """One store's parse cache (None: it keeps none), and whether it is worth saving again. What it
    saves is every file's reading (`entries`) under what a reading depends on besides the file."""

    def __init__(
        self,
        cache: ParseCache | None,
        reader: ArticleReader,
        site: Callable[[], Site | None],
        entries: Callable[[], dict[str, CacheEntry]],
    ) -> None:
        self._cache = cache
        self._reader = reader
        self._site = site  # the site file as last read: a reading depends on it
        self._entries = entries
        self.save_later = False  # a full read leaves saving to `save_stale` (the service, once it answers)
        self.stale = False  # the cache is worth saving again (see policy.worth_saving)
        self._read_started_ns = 0

    def load(self) -> tuple[dict[str, CacheEntry], int]:
        """The readings saved under the present context, and when they were written (ns); the photo
        measurements saved with them go to the reader. Called as a full read begins."""
        self._read_started_ns = time.time_ns()
        cached, photos, written_ns = self._cache.load(self._context()) if self._cache else ({}, {}, 0)
        for photo, entry in photos.items():
            self._reader.photos.setdefault(photo, entry)
        return cached, written_ns

    def read_all(self, missed: int, cached: int, files: int) -> None:
        """A full read of `files` files missed `missed` of the `cached` readings: save them again if
        that is worth it, now or (with `save_later`) when the caller asks."""
        if self._cache is not None and worth_saving(missed, cached, files):
            if self.save_later:
                self.stale = True  # saved by the caller once it has answered (a second or two at 100k)
            else:
                self.save()

    def save(self) -> None:
        """Remember every file's current reading."""
        self.stale = False
        if self._cache is None or self._site() is None:
            return
        self._cache.save(self._context(), self._entries(), dict(self._reader.photos))

    def save_stale(self) -> None:
        """Save the cache a full read left stale, unless another process of the same service (a
        gunicorn worker forked after that read) saved it since the read began."""
        if not self.stale:
            return
        if self._cache is not None and self._cache.saved_since(self._read_started_ns):
            self.stale = False
            return
        self.save()

    def save_stale_apart(self) -> None:
        """Save the cache a full read left stale in a process of its own, now.

        gunicorn forks its workers from the process that read the store: saving there, by a worker's
        refresher, walks every reading and so writes to every page that holds one (reference counts),
        and each worker then holds its own copy of the whole store. A process forked for the saving
        copies them once, and only until it exits. Where this process cannot fork (threads running),
        the refresher saves it as before."""
        if self.stale and self._cache is not None and forking.run_apart(self.save):
            self.stale = False

    def _context(self) -> tuple[object, ...]:
        """Everything a cached reading depends on besides the file: a change in any re-reads them all.
        Not the base URL: a reading does not depend on where the feeds are served."""
        reader, site = self._reader, self._site()
        return (
            site.revision if site else None,
            reader.max_article_bytes,
            reader.max_photo_bytes,
            reader.max_photo_pixels,
            reader.display_root,
        )
