"""The looks at the article folder that keep each file's state current.

A look is a stat scan of the folder, the paths a watcher names, or a full read (for a new site
file, in parallel processes for a large store, taking what the parse cache still holds); a file that
changed, or whose store photo did, is read again and its reading filed (`filestates`). A file its
writer still has open is left for a later look.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from ..model import Problem
from ..source.links import MEDIA_DIR
from ..source.photos import photo_name_problem
from .files import ArticleReader, Reading, StatKey, being_written, is_hidden, read_many, recently_modified, stat_key
from .filestates import CacheEntry, FileStates
from .snapshot import Changes
from .walk import Listing, check_root, walk

RACY_NS = 2_000_000_000  # a file modified this close to the last look is re-read anyway (as git does)

ReadProgress = Callable[[int, int], None]  # (files read so far, files in all), during a full read
PROGRESS_STEP = 100  # files read between two reports of progress


WRITER_CLOCK_AHEAD_NS = 2_000_000_000  # a writer's clock (a file server's) may run this far ahead of ours


class Folder:
    """The looks at the folder, filing what they read in `files`. Not thread-safe: the store looks
    one refresh at a time."""

    def __init__(self, root: Path, reader: ArticleReader, files: FileStates, display: Callable[[str], str]) -> None:
        self.root = root
        self._reader = reader
        self.files = files
        self._display = display
        self.settle_before_ns: int | None = None  # a scan leaves files modified after this
        self.look_started_ns = 0  # … and up to this moment (and WRITER_CLOCK_AHEAD_NS past it): see `_settling`
        self.last_look_ns = 0
        self.closed: dict[str, str] = {}  # folders the last walk could not enter → why

    def racy(self, key: StatKey) -> bool:
        """Modified so close to the last look that an edit within the same clock tick could hide. A time
        well ahead of the look is not: an edit now would date the file now, which differs from it."""
        return self.last_look_ns - RACY_NS <= key[0] <= self.last_look_ns + WRITER_CLOCK_AHEAD_NS

    # ---- looks ---------------------------------------------------------------------------------

    def walk(self) -> Listing:
        """Walk the folder (raises StoreUnreadable when the store folder itself cannot be listed)."""
        return walk(self.root)

    def check_root(self) -> None:
        """Raise StoreUnreadable unless the store folder can be listed (before a look at named paths)."""
        check_root(self.root)

    def scan(self, listing: Listing, changes: Changes) -> None:
        """A stat scan: re-read what changed, forget what went, re-read the users of changed photos.
        Files in a folder the walk could not enter are kept as last read."""
        self.closed = listing.closed
        seen: set[str] = set()
        for relpath, st in listing.files:
            seen.add(relpath)
            self._consider(relpath, changes, False, st)
        self.files.forget_unseen(seen, listing.inside_closed, changes)
        for photo in self.files.photos.photos():
            users = self.files.read_with_another(photo)
            if users and self._photo_unsettled(photo):
                changes.deferred.add(photo)  # its uploader is at work: its users are read once it is done
                continue
            for relpath in users:
                self._consider(relpath, changes, True)

    def look_at(self, paths: Iterable[str], changes: Changes) -> None:
        """Re-read only these store-relative paths (a watcher named them): articles, or photos in use.
        Every photo named is noted in `changes.media` besides; a photo still being uploaded is left for
        a later look (`changes.deferred`), as a story still being written is."""
        for relpath in sorted({p.replace(os.sep, "/").lstrip("/") for p in paths}):
            parts = relpath.split("/")
            if parts[0] == MEDIA_DIR:
                if not photos_named([relpath]):
                    continue
                if self._photo_unsettled(relpath):
                    changes.deferred.add(relpath)
                    continue
                changes.media.add(relpath)
                for user in self.files.read_with_another(relpath) if relpath in self.files.photos else ():
                    self._consider(user, changes, True)
            elif relpath.endswith(".md") and not any(is_hidden(p) for p in parts):
                self._consider(relpath, changes, True)

    def read_all(
        self,
        listing: Listing,
        changes: Changes,
        cached: dict[str, CacheEntry],
        written_ns: int,
        progress: ReadProgress | None = None,
    ) -> int:
        """Read every file (in parallel processes for a large store), taking a `cached` reading where
        the file's stat shows it unchanged since the cache was written. Returns how many the cache missed.
        `progress`, if given, is told (files read, files in all) every PROGRESS_STEP files and at the end."""
        total = len(listing.files)
        self.closed = listing.closed
        to_read: list[tuple[str, StatKey, os.stat_result]] = []
        seen: set[str] = set()
        for relpath, st in listing.files:
            seen.add(relpath)
            if st is None:
                continue
            if self._unsettled(relpath, st):
                self.files.wait(relpath, changes)  # perhaps half-saved: the next look takes it
                continue
            key = stat_key(st)
            entry = cached.get(relpath)
            if entry is not None and entry[0] == key and key[0] < written_ns - RACY_NS and self._photo_same(entry[1]):
                self.files.file(relpath, key, entry[1], changes)
            else:
                to_read.append((relpath, key, st))
        done = total - len(to_read)  # taken from the cache, or left for a later look
        if progress is not None:
            progress(done, total)
        for relpath, key, reading in read_many(self._reader, to_read):
            if reading is None:
                self.files.wait(relpath, changes)
            else:
                self.files.file(relpath, key, reading, changes)
            done += 1
            if progress is not None and (done % PROGRESS_STEP == 0 or done == total):
                progress(done, total)
        self.files.forget_unseen(seen, listing.inside_closed, changes)
        return len(to_read) + len(cached.keys() - seen)

    def _photo_same(self, reading: Reading) -> bool:
        """Was this (cached) reading made with the version of its photo that is there now?"""
        photo = reading.result.photo_path
        return photo is None or reading.photo_key == self._reader.photo_stat(photo)

    # ---- one file ------------------------------------------------------------------------------

    def _consider(self, relpath: str, changes: Changes, force: bool, st: os.stat_result | None = None) -> None:
        """Re-read one article file if it changed (or `force`), and file the result."""
        if st is None:  # the scan's walk gave the others theirs: no Path made for each of 100,000 files
            try:
                st = (self.root / relpath).lstat()
            except (FileNotFoundError, NotADirectoryError):
                check_root(self.root)  # the store folder gone is no deletion: StoreUnreadable
                self.files.gone(relpath, changes)
                return
            except OSError as exc:  # there, but out of reach: not a deletion
                self.files.file_unreachable(relpath, exc, changes)
                return
        key = stat_key(st)
        known = self.files.states.get(relpath)
        if known is not None and known.stat == key and not force and not self.racy(key):
            return
        reading = None if self._unsettled(relpath, st) else self._reader.read(relpath, st, keep_body=True)
        if reading is None:
            self.files.wait(relpath, changes)  # being written: look again shortly
        else:
            self.files.file(relpath, key, reading, changes)

    def _settling(self, mtime_ns: int) -> bool:
        """Modified within the settle time before this look — but not dated well past it: a file whose
        time is ahead of the clock (copied with its times from a host whose clock runs ahead, `touch -d`)
        has no writer at work now, and left for later it would wait for the clock to reach its time."""
        before = self.settle_before_ns
        return before is not None and before < mtime_ns <= self.look_started_ns + WRITER_CLOCK_AHEAD_NS

    def _unsettled(self, relpath: str, st: os.stat_result) -> bool:
        """Perhaps half-saved: modified within the settle time, or (lately modified and) still open
        for writing by another process."""
        if self._settling(st.st_mtime_ns):
            return True
        return (
            stat.S_ISREG(st.st_mode)
            and st.st_size <= self._reader.max_article_bytes  # never opens what it refuses
            and recently_modified(st)
            and being_written(self.root / relpath)
        )

    def _photo_unsettled(self, relpath: str) -> bool:
        """Perhaps half-uploaded: modified within the settle time, or lately and still open for writing.
        Read half-written, it would make its stories' photo an error and be withdrawn from the build's
        output, or copied there truncated, until its writer is done."""
        try:
            st = (self.root / relpath).lstat()
        except OSError:
            return False  # gone: its users are read again and say so
        if self._settling(st.st_mtime_ns):
            return True
        return photo_being_written(self.root / relpath, st)

    def trouble(self) -> list[Problem]:
        """The problems of the folder rather than of one file's content: folders it cannot enter, and
        files it could not read because their writer was at work (and that publish nothing meanwhile)."""
        return [
            *(Problem(self._display(folder), None, why) for folder, why in sorted(self.closed.items())),
            *self.files.being_written(),
        ]


def photos_named(paths: Iterable[str]) -> set[str]:
    """The store-relative paths among `paths` that may be photos by their name (`photo_name_problem`:
    under media/, no hidden name on the way, a web image's extension), as the static build publishes
    them; an upload's `x.jpg.part`, `Thumbs.db` or `notes.txt` beside them is none."""
    return {p for p in paths if photo_name_problem(p) is None}


def photo_being_written(path: Path, st: os.stat_result) -> bool:
    """A photo modified lately and still held open for writing by another process (an upload)."""
    return stat.S_ISREG(st.st_mode) and recently_modified(st) and being_written(path)
