"""Keeps a store fresh in the background: file-system events name what changed, a periodic stat scan
catches anything the events missed (overflow, network file systems, a watcher that could not start)."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping

# watchdog imports everywhere; where inotify is unavailable (or its limits are reached), starting the
# observer fails, and the refresher falls back to scanning (see Refresher._watch).
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from .folder import photo_being_written, photos_named
from .snapshot import Changes
from .store import Store

log = logging.getLogger(__name__)


FALLBACK_POLL_SECONDS = 0.75  # without events, a full scan this often keeps the 2-second promise


SETTLE_SECONDS = 0.2  # a file still being written is read once it is closed or quiet this long


class _Collector(FileSystemEventHandler):
    """Gathers store-relative paths from watchdog events; a folder event asks for a full scan.

    A path is handed over once its writer closed it, or once it has been quiet for SETTLE_SECONDS,
    so a story saved in several writes is not published half-written in between.
    """

    def __init__(self, root: str, ready: threading.Event | None = None) -> None:
        self.root = os.path.realpath(root)
        self.lock = threading.Lock()
        self.pending: dict[str, tuple[float, bool]] = {}  # path → (last event, closed since)
        self.rescan = False
        self.ready = ready or threading.Event()  # set when something can be read at once

    def _relative(self, path: str | bytes) -> str | None:
        path = os.fsdecode(path)
        real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        relative = os.path.relpath(real, self.root)
        return None if relative.startswith("..") else relative.replace(os.sep, "/")

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        now = time.monotonic()
        closed = event.event_type in ("closed", "deleted", "moved")
        with self.lock:
            if event.is_directory and event.event_type in ("created", "deleted", "moved"):
                self.rescan = True
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path:
                    relative = self._relative(path)
                    if relative is not None:
                        self.pending[relative] = (now, closed)
            if closed or self.rescan:
                self.ready.set()

    def defer(self, paths: set[str]) -> None:
        """Paths a scan found too fresh to read: read them once they settle, like any event."""
        now = time.monotonic()
        with self.lock:
            for path in paths:
                self.pending.setdefault(path, (now, False))

    def waiting(self) -> set[str]:
        """The paths waiting to be read."""
        with self.lock:
            return set(self.pending)

    def drain(self) -> tuple[set[str], bool]:
        """The paths ready to read (closed, or quiet long enough), and whether a full scan is due."""
        now = time.monotonic()
        with self.lock:
            ready = {p for p, (when, closed) in self.pending.items() if closed or now - when >= SETTLE_SECONDS}
            for path in ready:
                del self.pending[path]
            rescan, self.rescan = self.rescan, False
        return ready, rescan


COALESCE_SECONDS = 0.02  # after a wake-up, how long to let the rest of a burst of saves arrive


class Refresher:
    """A daemon thread applying store changes; `on_change` hears of each one that changed the store
    (a new snapshot), `on_media` of photos under media/ added, changed or removed when nothing else changed.

    A file its writer has closed is applied at once (the thread is woken, not polled); files still
    open, and the periodic scans, are looked at every `interval` seconds.
    """

    def __init__(
        self,
        store: Store,
        interval: float = 0.5,
        rescan_every: float = 30.0,
        use_events: bool = True,
        on_change: Callable[[Changes], None] | None = None,
        save_every: float = 600.0,
        on_first_look: Callable[[], None] | None = None,
        on_tick: Callable[[], None] | None = None,
        media_listing: Callable[[], Mapping[str, object]] | None = None,
        on_media: Callable[[set[str]], None] | None = None,
    ) -> None:
        self.store = store
        self.save_every = save_every  # how often, at most, the parse cache is brought up to date
        self.interval = interval
        self.rescan_every = rescan_every
        self.use_events = use_events
        self.on_change = on_change
        # Photos alone (store-relative paths): they make no new snapshot, so the service, which serves
        # media/ as it is at each request, need not hear of them; `feedsvc build --watch` copies them.
        self.on_media = on_media
        # called once the first full scan is applied and every path waiting then has been read
        self.on_first_look = on_first_look
        self.on_tick = on_tick  # called after every look, changes or not (every `interval` seconds at least)
        # What identifies each photo under media/ now, by store-relative path (`feedsvc build --watch`,
        # which publishes every one, gives `medialist.photo_keys`): compared at each full scan, so a photo
        # no story change names is seen without file-system events too. Taken first here, before the
        # caller's first build.
        self.media_listing = media_listing
        self._media = dict(media_listing()) if media_listing is not None else {}
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by the event collector, and by stop()
        self._thread: threading.Thread | None = None
        self._observer: BaseObserver | None = None
        self._collector: _Collector | None = None

    def start(self) -> Refresher:
        if self.use_events:
            self._watch()
        self._thread = threading.Thread(target=self._run, name="feedsvc-refresher", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        """Start watching the store folder for events (again: a store folder that went away and came
        back may be a new folder, which the old watch knows nothing of)."""
        if self._observer is not None:
            self._observer.stop()
        try:
            self._collector = _Collector(str(self.store.root), self._wake)
            self._observer = Observer()
            self._observer.schedule(self._collector, str(self.store.root), recursive=True)
            self._observer.daemon = True
            self._observer.start()
        except Exception as exc:  # noqa: BLE001 — inotify limits, odd file systems: fall back to polling
            log.warning(
                "file-system events unavailable (%s); scanning the store every %.1f s instead",
                exc,
                FALLBACK_POLL_SECONDS,
            )
            self._observer = self._collector = None

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _media_changed(self, changes: Changes) -> set[str]:
        """The store-relative paths of the photos added, changed or removed since the last full scan;
        one still being uploaded is left for a later look (`changes.deferred`), compared again then."""
        if self.media_listing is None:
            return set()
        before, self._media = self._media, dict(self.media_listing())
        changed = set()
        for relpath in before.keys() | self._media.keys():
            if before.get(relpath) == self._media.get(relpath):
                continue
            if self._being_written(relpath):
                changes.deferred.add(relpath)
                if relpath in before:  # still the old one, until its writer is done
                    self._media[relpath] = before[relpath]
                else:
                    del self._media[relpath]
            else:
                changed.add(relpath)
        return changed

    def _settled_photos(self, paths: set[str], changes: Changes) -> set[str]:
        """The photos among `paths` (named by events during a full scan) whose writers are done; the
        others are left for a later look (`changes.deferred`)."""
        named = photos_named(paths)
        unsettled = {relpath for relpath in named if self._being_written(relpath)}
        changes.deferred |= unsettled
        return named - unsettled

    def _being_written(self, relpath: str) -> bool:
        path = self.store.root / relpath
        try:
            return photo_being_written(path, path.lstat())
        except OSError:
            return False  # gone: a change like any other

    def _run(self) -> None:
        # The first pass is a full scan: it catches whatever changed between the store's first read
        # and the moment the watcher started (a forked worker may start long after).
        last_scan = -math.inf
        scan_every = self.rescan_every if self._collector is not None else min(self.rescan_every, FALLBACK_POLL_SECONDS)
        wait = 0.0
        unsaved, last_save = False, time.monotonic()
        first_look = self.on_first_look
        awaiting: set[str] | None = None  # what waited when the first full scan was applied, until read
        while True:
            if self._wake.wait(wait) and not self._stop.is_set():
                self._stop.wait(COALESCE_SECONDS)
            if self._stop.is_set():
                break
            self._wake.clear()
            wait = self.interval
            try:
                now = time.monotonic()
                if self._collector is not None:
                    paths, rescan = self._collector.drain()
                else:
                    paths, rescan = set(), False
                troubled = self.store.unreadable  # scanned often until it is back
                if rescan or now - last_scan >= (FALLBACK_POLL_SECONDS if troubled else scan_every):
                    changes = self.store.refresh(settle=SETTLE_SECONDS)
                    # the store's scan skips media/
                    changes.media |= self._settled_photos(paths, changes) | self._media_changed(changes)
                    last_scan = now
                    if troubled and not self.store.unreadable and self.use_events:
                        self._watch()
                        scan_every = (
                            self.rescan_every
                            if self._collector is not None
                            else min(self.rescan_every, FALLBACK_POLL_SECONDS)
                        )
                    if changes.deferred and self._collector is not None:
                        self._collector.defer(changes.deferred)
                    elif changes.deferred:  # no events will name them: scan again once they settle
                        last_scan = now - scan_every + SETTLE_SECONDS
                    waiting = changes.deferred | (self._collector.waiting() if self._collector else set())
                    awaiting = waiting if awaiting is None else awaiting & waiting
                elif paths:
                    changes = self.store.refresh(paths)
                    if changes.deferred and self._collector is not None:
                        self._collector.defer(changes.deferred)  # its writer is not done yet
                    if awaiting:
                        awaiting -= paths - changes.deferred
                elif time.time() >= self.store.next_switch:
                    changes = self.store.refresh(())  # a scheduled story takes over an id
                else:
                    changes = None
                if self.store.cache_stale:
                    self.store.save_stale_cache()  # what the first read left for after the first answers
                    unsaved, last_save = False, now
                if unsaved and now - last_save >= self.save_every:
                    self.store.save_cache()  # a restart then re-reads only what changed since
                    unsaved, last_save = False, now
                if changes:
                    unsaved = True
                    log.info(
                        "store changed: %d added, %d edited, %d deleted%s%s",
                        len(changes.added),
                        len(changes.edited),
                        len(changes.deleted),
                        ", site file" if changes.site else "",
                        f", {len(changes.switched)} by a scheduled story's moment" if changes.switched else "",
                    )
                    if self.on_change is not None:
                        self.on_change(changes)
                elif changes is not None and changes.media and self.on_media is not None:
                    self.on_media(set(changes.media))
                if first_look is not None and awaiting is not None and not awaiting:
                    call = first_look
                    first_look = None
                    call()
                if self.on_tick is not None:
                    self.on_tick()
            except Exception:  # noqa: BLE001 — the refresher must outlive any one bad moment
                log.exception("store refresh failed; will retry")
                continue
            # Wake at the moment a story scheduled with another's id or URL comes due, not after it.
            wait = min(wait, max(0.0, self.store.next_switch - time.time()))
