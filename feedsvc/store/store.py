"""The article store: a folder of article files read into immutable snapshots of the model.

`refresh()` looks at the folder again and re-reads only what changed (by a stat scan, or just the
paths a file-system watcher names), keeping the last good version of any story whose file turns bad,
and every story while the folder itself cannot be listed. Readers take `store.snapshot`, which never
changes under them; a refresh publishes a new one.

The Store coordinates; each job has its own type: the walk (`walk`), the files as last read
(`FileStates`) and the looks that keep them current (`Folder`), the site file (`SiteWatch`), the
published stories with their claims, related ids and timelines (`Stories`), what a full read may
cost (`policy`), when the parse cache is read and saved (`CacheKeeper`), and what is wrong with the
store as a whole (`Trouble`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..model import Article, Problem, Scope
from ..source.photos import PhotoError
from .cachekeeper import CacheKeeper
from .files import PARALLEL_MINIMUM, ArticleReader
from .filestates import FileStates
from .folder import Folder, ReadProgress
from .parsecache import ParseCache
from .peoplewatch import PeopleWatch
from .policy import collector_paused
from .settings import ReadLimits
from .sitewatch import SiteWatch
from .snapshot import HISTORY, Changes, Snapshot, StoreSnapshot
from .stories import Stories
from .timeline import ALL, Timeline
from .trouble import Trouble
from .walk import Listing, StoreUnreadable

log = logging.getLogger(__name__)


class Store:
    """Reads and re-reads one article folder. One refresh at a time; any number of snapshot readers."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        media_base_url: str | None = None,
        limits: ReadLimits = ReadLimits(),
        display_root: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`media_base_url` is not used: what a file reads as does not depend on where the feeds are
        served (the publisher makes store photos' URLs absolute). It is accepted for older callers."""
        self.root = Path(root)
        self._clock = clock  # decides which of two stories with one id is due
        self.limits = limits
        self.display_root = display_root if display_root is not None else _display_root(self.root)
        self._reader = ArticleReader(
            self.root,
            None,
            limits.max_article_bytes,
            limits.max_photo_bytes,
            limits.max_photo_pixels,
            self.display_root,
        )
        self._lock = threading.Lock()
        self._files = FileStates(self.root, self._reader, self._display, self._moved)
        self._folder = Folder(self.root, self._reader, self._files, self._display)
        self._site_watch = SiteWatch(self.root, self._reader, self._display)
        self._people_watch = PeopleWatch(self.root, self._reader, self._display)
        self._stories = Stories(self._files.story)
        cache = ParseCache(Path(cache_dir)) if cache_dir else None
        self._keeper = CacheKeeper(cache, self._reader, lambda: self._site_watch.site, self._files.cache_entries)
        self._trouble = Trouble(
            self.root,
            self._display("").rstrip("/") or str(self.root),
            lambda: [*self._site_watch.problems, *self._people_watch.problems],
            self._folder.trouble,
            log,
        )
        self._generation = 0
        self._freeze_read = False  # Store.open's freeze_read, during its first read only
        # Did the last full read have files enough for forked readers (whose garbage a collection frees)?
        self._read_apart = False
        self._progress: ReadProgress | None = None  # told how far a full read has got
        self.snapshot: StoreSnapshot = StoreSnapshot(0, None, {}, {ALL: Timeline((), {})}, (), 0)
        self._history: tuple[tuple[int, frozenset[Scope] | None], ...] = ()

    @classmethod
    def open(
        cls,
        root: str | os.PathLike[str],
        *,
        media_base_url: str | None = None,
        limits: ReadLimits = ReadLimits(),
        cache_dir: str | os.PathLike[str] | None = None,
        settle: float = 0.0,
        wait: float = 0.0,
        progress: ReadProgress | None = None,
        save_later: bool = False,
        freeze_read: bool = False,
    ) -> Store:
        """A store read once (the service and the build share this).

        With `save_later`, the parse cache a first read makes stale is not saved before returning
        (the service answers first; its refresher saves it in the background: `cache_stale`).

        A file another process still has open for writing is left for a later look (and, with
        `settle`, one modified that recently too). With `wait`, such files are looked at again until
        they are done or `wait` seconds pass; any still being written then are left out, each with an
        error (a story that could not be read is not a story that was checked). `progress` hears how
        far the read has got, (files read, files in all), now and then: 100,000 stories take seconds.
        With `freeze_read` (a caller that freezes the garbage collector's view before long: gunicorn's
        master), a large read that needed no forked readers is frozen, not walked (store.policy).
        """
        store = cls(root, media_base_url=media_base_url, limits=limits, cache_dir=cache_dir)
        store._progress = progress
        store._keeper.save_later = save_later
        store._freeze_read = freeze_read
        try:
            deferred = store.refresh(settle=settle).deferred
        finally:
            store._progress = None  # later looks read a few files each: nobody is watching them
            store._freeze_read = False  # the first read alone: a worker's later full read runs beside requests
        if wait > 0:
            deadline = time.monotonic() + wait
            while deferred and time.monotonic() < deadline:
                time.sleep(max(settle, 0.1))
                deferred = store.refresh(deferred, settle=settle).deferred
        return store

    def refresh(self, paths: Iterable[str] | None = None, settle: float = 0.0) -> Changes:
        """Apply what changed on disk: everything (a stat scan) or only `paths` (store-relative).

        With `settle`, a scan leaves files modified less than that many seconds ago for the next
        look: they may still be being written. A store folder that cannot be listed changes nothing:
        the last snapshot stays, with a problem saying why (logged on every look after the first).
        """
        with self._lock:
            started_ns = time.time_ns()
            self._folder.settle_before_ns = started_ns - int(settle * 1e9) if settle else None
            self._folder.look_started_ns = started_ns
            changes = Changes()
            trouble, site_before = self._trouble.problems(), self._site_watch.site
            changes.switched = self._stories.advance(self._clock())
            failure = None
            try:
                self._look(paths, changes)
            except StoreUnreadable as exc:
                failure = exc
            else:
                self._folder.last_look_ns = started_ns
            self._trouble.looked(failure, full=paths is None)
            if (
                changes
                or self._generation == 0
                or trouble != self._trouble.problems()
                or self._site_watch.site is not site_before
            ):  # the site file saved again unchanged
                self._publish()
            return changes

    def _look(self, paths: Iterable[str] | None, changes: Changes) -> None:
        """One look: a full scan (`paths` None) or the named paths; a new site file re-reads everything."""
        listing = self._folder.walk() if paths is None else None
        if listing is None:
            self._folder.check_root()
        people = self._people_watch.refresh(self._folder.racy)
        if people is not None:
            self._stories.set_people(people)  # who is who: the writers' timelines are made again
            changes.people = True
        previous = self._site_watch.site
        site = self._site_watch.refresh(self._folder.racy)
        if site is not None:
            if listing is None:
                try:
                    listing = self._folder.walk()
                except StoreUnreadable:
                    self._site_watch.undo(previous)
                    raise
            # Every story is read again, under the new site: indexed in bulk.
            self._reader.site = site
            changes.site = True
            self._stories.reset(site)
            with (
                collector_paused(lambda: len(self._files.states), lambda: self._freeze_read and not self._read_apart),
                self._stories.bulk(lambda: sorted(self._files.states)),
            ):
                self._read_everything(listing, changes)
        elif listing is not None:
            self._folder.scan(listing, changes)
        else:
            self._folder.look_at(paths or (), changes)  # paths is None only with a listing

    @property
    def next_switch(self) -> float:
        """When a story scheduled with another's id or URL comes due (POSIX time; inf: none): a look
        then publishes it in the other's place (the refresher wakes for it)."""
        return self._stories.next_switch

    @property
    def looked_ns(self) -> int:
        """When the last look that could list the store began (time.time_ns(); 0: none yet). What
        changed before that moment is in the snapshot."""
        return self._folder.last_look_ns

    @property
    def unreadable(self) -> bool:
        """The store folder could not be listed at the last look."""
        return self._trouble.unreadable is not None

    def body(self, article: Article) -> str | None:
        """`article`'s Markdown body, read back from its file; None if the file no longer holds that version."""
        return self._files.body(article)

    def photo_acceptable(self, photo: str) -> bool:
        """Would a story be published with this store photo (media/…)? Measured once per version."""
        try:
            self._reader.photo_info(photo)
            return True
        except PhotoError:
            return False

    @property
    def cache_stale(self) -> bool:
        """The parse cache is worth saving again: a full read under `save_later` left it for later."""
        return self._keeper.stale

    def save_cache(self) -> None:
        """Remember every file's current reading (the service calls this now and then; builds after each run)."""
        self._keeper.save()

    def save_stale_cache(self) -> None:
        """Save the parse cache a full read left stale (`save_later`), unless another process of the
        same service (a gunicorn worker forked after that read) saved it since the read began."""
        self._keeper.save_stale()

    def save_stale_cache_apart(self) -> None:
        """Save the parse cache a full read left stale (`save_later`) in a process of its own, now, so
        gunicorn's workers do not each copy the whole store (see CacheKeeper.save_stale_apart)."""
        self._keeper.save_stale_apart()

    def _display(self, relpath: str) -> str:
        return self.display_root + relpath

    def _moved(self, relpath: str, before: Article | None, after: Article | None) -> None:
        self._stories.move(relpath, before, after)

    def _read_everything(self, listing: Listing, changes: Changes) -> None:
        """Read every file, reusing the parse cache where it can; save the cache again if it was stale."""
        cached, written_ns = self._keeper.load()
        missed = self._folder.read_all(listing, changes, cached, written_ns, self._progress)
        self._read_apart = missed >= PARALLEL_MINIMUM  # fewer files to read than that are read here
        self._keeper.read_all(missed, len(cached), len(self._files.states))

    def _publish(self) -> None:
        """Publish a new snapshot: copies of what changed, sharing unchanged timelines."""
        self._generation += 1
        site, stories = self._site_watch.site, self._stories
        timelines, changed = stories.timelines()
        self._history = (*self._history[-HISTORY:], (self._generation, changed))
        rest = (
            stories.by_id,
            timelines,
            tuple(self._problems()),
            len(self._files.states),
            stories.drafts,
            stories.people,
            self._history,
        )
        if site is None:
            self.snapshot = StoreSnapshot(self._generation, None, *rest)
        else:
            self.snapshot = Snapshot(self._generation, site, *rest)  # what the publisher renders from

    def _problems(self) -> list[Problem]:
        problems = [
            *self._trouble.problems(),
            *self._files.problems(lambda article_id: article_id in self._stories.by_id),
            *self._stories.problems(self._display),
        ]
        problems = list(dict.fromkeys(problems))  # a story left out may name an id its last good version named
        problems.sort(key=lambda p: (p.path, p.severity != "error", p.field or "", p.message))
        return problems


def _display_root(root: Path) -> str:
    """How the store's folder is named in messages: as it was given (e.g. "articles/")."""
    text = os.path.normpath(str(root))
    return "" if text == "." else text.replace(os.sep, "/") + "/"
