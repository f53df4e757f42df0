"""The article files as last read, and the looks at the folder that keep them current.

Each path keeps its stat, its latest reading and its last good story (what stays published while
its file is broken). A look is a stat scan of the folder, the paths a watcher names, or a full read
(for a new site file); a file that changed is read again, and its story handed on as (path, before,
after) for the indexes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import Article, Problem
from ..source.article import ParseResult, file_digest, read_body
from ..source.links import MEDIA_DIR
from .bodies import RecentBodies
from .files import ArticleReader, Reading, StatKey, being_written, is_hidden, read_many, recently_modified, stat_key
from .references import PhotoUsers, dangling
from .snapshot import Changes
from .walk import Listing, check_root, walk

RACY_NS = 2_000_000_000  # a file modified this close to the last look is re-read anyway (as git does)
BEING_WRITTEN = "is being written by another program, so it could not be read; it is left out until it is saved"

StoryMoved = Callable[[str, "Article | None", "Article | None"], None]
ReadProgress = Callable[[int, int], None]  # (files read so far, files in all), during a full read
PROGRESS_STEP = 100  # files read between two reports of progress
CacheEntry = tuple[StatKey, Reading]


@dataclass
class FileState:
    """One article file as last looked at."""

    stat: StatKey
    current: ParseResult  # the latest reading of the file
    last_good: Article | None  # what stays published while `current` is broken
    photo_key: StatKey | None = None  # the version of `current`'s store photo it was read with

    @property
    def effective(self) -> Article | None:
        return self.current.article or self.last_good


class Folder:
    """Every article file's state, and the looks at the folder that update it. Not thread-safe: the
    store looks one refresh at a time."""

    def __init__(self, root: Path, reader: ArticleReader, display: Callable[[str], str], moved: StoryMoved) -> None:
        self.root = root
        self._reader = reader
        self._display = display
        self._moved = moved  # told of each path whose story changed
        self.files: dict[str, FileState] = {}
        self._problem_paths: set[str] = set()  # paths whose latest reading has problems
        self.photos = PhotoUsers(reader)
        self.settle_before_ns: int | None = None  # a scan leaves files modified after this
        self.last_look_ns = 0
        self.closed: dict[str, str] = {}  # folders the last walk could not enter → why
        self.waiting: set[str] = set()  # paths left unread: their writer was at work
        self.bodies = RecentBodies()  # bodies of the readings made as files change

    def story(self, relpath: str) -> Article | None:
        """The story `relpath` would publish: its latest good reading."""
        known = self.files.get(relpath)
        return known.effective if known else None

    def racy(self, key: StatKey) -> bool:
        """Modified so close to the last look that an edit within the same clock tick could hide."""
        return key[0] >= self.last_look_ns - RACY_NS

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
        self.waiting &= seen
        for relpath in [p for p in self.files if p not in seen and not listing.inside_closed(p)]:
            self._forget(relpath, changes)
        for photo in self.photos.photos():
            for relpath in self._read_with_another(photo):
                self._consider(relpath, changes, True)

    def look_at(self, paths: Iterable[str], changes: Changes) -> None:
        """Re-read only these store-relative paths (a watcher named them): articles, or photos in use."""
        for relpath in sorted({p.replace(os.sep, "/").lstrip("/") for p in paths}):
            parts = relpath.split("/")
            if parts[0] == MEDIA_DIR:
                for user in self._read_with_another(relpath) if relpath in self.photos else ():
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
                self._wait(relpath, changes)  # perhaps half-saved: the next look takes it
                continue
            key = stat_key(st)
            entry = cached.get(relpath)
            if entry is not None and entry[0] == key and key[0] < written_ns - RACY_NS and self._photo_same(entry[1]):
                self._file(relpath, key, entry[1], changes)
            else:
                to_read.append((relpath, key, st))
        done = total - len(to_read)  # taken from the cache, or left for a later look
        if progress is not None:
            progress(done, total)
        for relpath, key, reading in read_many(self._reader, to_read):
            if reading is None:
                self._wait(relpath, changes)
            else:
                self._file(relpath, key, reading, changes)
            done += 1
            if progress is not None and (done % PROGRESS_STEP == 0 or done == total):
                progress(done, total)
        self.waiting &= seen
        for relpath in [p for p in self.files if p not in seen and not listing.inside_closed(p)]:
            self._forget(relpath, changes)
        return len(to_read) + len(cached.keys() - seen)

    def _read_with_another(self, photo: str) -> list[str]:
        """The paths using `photo` that were read with another version of it than the one there now.

        Asked of each reading, not of the reader's measurements: whoever measures the new version
        first (a /media/ request, a build) must not hide the change from the stories."""
        now = self._reader.photo_stat(photo)
        return [relpath for relpath in self.photos.users(photo) if self.files[relpath].photo_key != now]

    def _photo_same(self, reading: Reading) -> bool:
        """Was this (cached) reading made with the version of its photo that is there now?"""
        photo = reading.result.photo_path
        return photo is None or reading.photo_key == self._reader.photo_stat(photo)

    # ---- one file ------------------------------------------------------------------------------

    def _consider(self, relpath: str, changes: Changes, force: bool, st: os.stat_result | None = None) -> None:
        """Re-read one article file if it changed (or `force`), and file the result."""
        path = self.root / relpath
        if st is None:
            try:
                st = path.lstat()
            except (FileNotFoundError, NotADirectoryError):
                check_root(self.root)  # the store folder gone is no deletion: StoreUnreadable
                self.waiting.discard(relpath)
                if relpath in self.files:
                    self._forget(relpath, changes)
                return
            except OSError as exc:  # there, but out of reach: not a deletion
                self._file_unreachable(relpath, exc, changes)
                return
        key = stat_key(st)
        known = self.files.get(relpath)
        if known is not None and known.stat == key and not force and not self.racy(key):
            return
        reading = None if self._unsettled(relpath, st) else self._reader.read(relpath, st, keep_body=True)
        if reading is None:
            self._wait(relpath, changes)  # being written: look again shortly
        else:
            self._file(relpath, key, reading, changes)

    def _wait(self, relpath: str, changes: Changes) -> None:
        """Leave `relpath` for a later look: its writer is at work. Its last good story stays; a file
        with none is reported (BEING_WRITTEN) until it is read."""
        self.waiting.add(relpath)
        changes.deferred.add(relpath)

    def _unsettled(self, relpath: str, st: os.stat_result) -> bool:
        """Perhaps half-saved: modified within the settle time, or (lately modified and) still open
        for writing by another process."""
        if self.settle_before_ns is not None and st.st_mtime_ns > self.settle_before_ns:
            return True
        return (
            stat.S_ISREG(st.st_mode)
            and st.st_size <= self._reader.max_article_bytes  # never opens what it refuses
            and recently_modified(st)
            and being_written(self.root / relpath)
        )

    def _file(self, relpath: str, key: StatKey, reading: Reading, changes: Changes) -> None:
        """File a new reading of one path: keep the last good story, note what changed, re-index."""
        result = reading.result
        self.waiting.discard(relpath)
        if result.body is not None and result.article is not None and not self._reader.keep_bodies:
            self.bodies.keep(relpath, result.article.digest, result.body)
            result.body = None
        known = self.files.get(relpath)
        before = known.effective if known else None
        self.photos.move(relpath, known.current.photo_path if known else None, result.photo_path)
        if known is None:
            known = self.files[relpath] = FileState(key, result, result.article, reading.photo_key)
            changes.added.add(relpath)
        else:
            if result.article is None and known.last_good is not None:
                result.problems.append(
                    Problem(
                        self._display(relpath),
                        None,
                        "the last good version stays published until this is fixed",
                        "warning",
                    )
                )
            unchanged = (
                result.article.revision == known.current.article.revision
                and result.article.modified == known.current.article.modified  # saved again: dates move
                and result.article.photo == known.current.article.photo
                if result.article and known.current.article
                else result.article is None
                and known.current.article is None
                and result.problems == known.current.problems
            )
            known.stat, known.current, known.photo_key = key, result, reading.photo_key
            if unchanged:
                return
            known.last_good = result.article or known.last_good
            changes.edited.add(relpath)
        if result.problems:
            self._problem_paths.add(relpath)
        else:
            self._problem_paths.discard(relpath)
        self._moved(relpath, before, known.effective)

    def _file_unreachable(self, relpath: str, error: OSError, changes: Changes) -> None:
        """A file whose stat cannot be taken (a folder on its path lost its permissions) is kept as
        last read, with a problem, until it can be looked at again."""
        key = (0, 0, 0, 0)  # never matches: the next look reads it again
        problem = Problem(self._display(relpath), None, f"cannot be read ({error.strerror or error})")
        self._file(relpath, key, Reading(ParseResult(None, [problem])), changes)

    def _forget(self, relpath: str, changes: Changes) -> None:
        known = self.files.pop(relpath)
        self.waiting.discard(relpath)
        self.bodies.forget(relpath)
        self.photos.move(relpath, known.current.photo_path, None)
        self._problem_paths.discard(relpath)
        self._moved(relpath, known.effective, None)
        changes.deleted.add(relpath)

    # ---- what the store asks of its files -------------------------------------------------------

    def problems(self, published: Callable[[str], bool]) -> list[Problem]:
        """The problems of every file's latest reading; for a story left out, also its related ids that
        no story has (`published` says which have one) — said with its other problems, in one run."""
        found = []
        for relpath in self._problem_paths:
            current = self.files[relpath].current
            found += current.problems
            found += [
                dangling(self._display(relpath), index, target)
                for index, target in current.related_ids
                if not published(target)
            ]
        return found

    def trouble(self) -> list[Problem]:
        """The problems of the folder rather than of one file's content: folders it cannot enter, and
        files it could not read because their writer was at work (and that publish nothing meanwhile)."""
        return [
            *(Problem(self._display(folder), None, why) for folder, why in sorted(self.closed.items())),
            *(
                Problem(self._display(relpath), None, BEING_WRITTEN)
                for relpath in sorted(self.waiting)
                if relpath not in self.files
            ),
        ]

    def body(self, article: Article) -> str | None:
        """`article`'s Markdown body, read back from its file; None if the file no longer holds that version."""
        known = self.files.get(article.path)
        if known is not None and known.current.body is not None and known.current.article is article:
            body, known.current.body = known.current.body, None  # kept from the reading (builds): used once
            return body
        kept = self.bodies.get(article.path, article.digest)
        if kept is not None:
            return kept
        try:
            with open(self.root / article.path, "rb") as fh:
                data = fh.read(self._reader.max_article_bytes + 1)
        except OSError:
            return None
        return read_body(data) if file_digest(data) == article.digest else None

    def cache_entries(self) -> dict[str, CacheEntry]:
        """Every file's stat and current reading, bodies left out, as the parse cache keeps them."""
        return {
            relpath: (
                known.stat,
                Reading(replace(known.current, body=None) if known.current.body else known.current, known.photo_key),
            )
            for relpath, known in self.files.items()
        }
