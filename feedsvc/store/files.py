"""Reading article files from a store folder: a path and its stat → a ParseResult.

Kept apart from the Store's indexes so that a full read of a large store can run in several
processes at once (`read_many`): the reader is plain, picklable data plus a photo cache.

The photo cache only saves measuring a photo twice; it says nothing of what the stories were read
with. Anyone may measure a photo first (a /media/ request, a build), so each reading carries the
version of its photo that it used, and that is what tells the store a photo changed under a story.
"""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from .. import forking
from ..model import Problem, Site
from ..source.article import ParseResult, parse_article
from ..source.photos import ImageInfo, PhotoError, photo_file, probe_image

StatKey = tuple[int, int, int, int]  # (mtime ns, size, inode, ctime ns)
PhotoEntry = tuple["StatKey | None", "ImageInfo | PhotoError"]

WRITER_CHECK_NS = 60_000_000_000  # a file modified this recently is checked for a writer still at work

# Below this, one process is as fast: results come back through a pipe (figures in docs/PERFORMANCE.md).
PARALLEL_MINIMUM = 5_000
CHUNK = 1000


class Reading(NamedTuple):
    """One reading of an article file, and the version (stat) of its store photo it was read with."""

    result: ParseResult
    photo_key: StatKey | None = None  # None: no store photo, or none on disk when it was read


def stat_key(st: os.stat_result) -> StatKey:
    """What says a file may have changed: mtime, size, inode (a file replaced by a rename) and ctime.
    A ctime equal to the mtime (a file written once) is the same int object: one fewer per file kept."""
    mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
    return (mtime, st.st_size, st.st_ino, mtime if ctime == mtime else ctime)


def file_time(mtime_ns: int) -> datetime:
    """A file's modification time as an aware datetime, to the microsecond (the same in every process)."""
    seconds, nanoseconds = divmod(mtime_ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=nanoseconds // 1000)


def is_hidden(name: str) -> bool:
    """Files and folders named `_…` or `.…` are not content (drafts folders, the site file, VCS)."""
    return name.startswith(("_", "."))


def being_written(path: Path) -> bool:
    """True while another process holds `path` open for writing (an editor or a copy mid-save)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return _held_for_writing(fd)
    finally:
        os.close(fd)


def _held_for_writing(fd: int) -> bool:
    """Is the file open for writing anywhere? `fd` must be open read-only.

    Linux refuses a read lease on such a file (fcntl(2), F_SETLEASE); where leases are not
    available the answer is False and the caller falls back on modification times. A writer that
    opens the file during the instant the lease is held breaks it, and the kernel signals the
    holder: SIGIO unless F_SETSIG names another, and SIGIO ends a Python process. SIGURG, ignored
    unless a handler is set, is named instead.
    """
    set_lease = getattr(fcntl, "F_SETLEASE", None)
    if set_lease is None:
        return False
    try:
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, set_lease, fcntl.F_RDLCK)
    except BlockingIOError:
        return True
    except OSError:
        return False  # not our file, or a file system without leases
    fcntl.fcntl(fd, set_lease, fcntl.F_UNLCK)
    return False


def _read_unchanged(path: str, st: os.stat_result, limit: int) -> bytes | None:
    """The file's bytes (at most `limit`), or None if it is no longer the file `st` describes or a
    writer still holds it open. Plain descriptors, not `open()`: its buffered file object costs
    about 5 µs a file, which a full read of a store pays for every story (docs/PERFORMANCE.md)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        want = min(st.st_size + 65536, limit)  # sized to the file: reading `limit` would allocate it
        chunks: list[bytes] = []
        while want > 0:  # one read but for a file that grew, or a file system that returns less
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
        if stat_key(os.fstat(fd)) != stat_key(st) or (recently_modified(st) and _held_for_writing(fd)):
            return None
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def recently_modified(st: os.stat_result) -> bool:
    """Modified so lately that its writer may still be at work."""
    return st.st_mtime_ns > time.time_ns() - WRITER_CHECK_NS


@dataclass
class ArticleReader:
    root: Path
    site: Site | None
    max_article_bytes: int
    max_photo_bytes: int
    max_photo_pixels: int
    display_root: str
    photos: dict[str, PhotoEntry] = field(default_factory=dict)  # store photo → (stat, measurement)

    def display(self, relpath: str) -> str:
        return self.display_root + relpath

    def read(self, relpath: str, st: os.stat_result, keep_body: bool = False) -> Reading | None:
        """Read and parse one article file whose lstat is `st`; never raises for the file's content.

        None when the file was being written while it was read (it changed from `st`, or a writer
        still holds it open): what was read may be any moment of a save, not a version of the story,
        so it is neither published nor reported; the caller looks again.
        """

        def problem(message: str) -> Reading:
            return Reading(ParseResult(None, (Problem(self.display(relpath), None, message),)))

        if not stat.S_ISREG(st.st_mode):  # `st` is an lstat: a link is not a regular file
            return problem("is not a regular file (links are not followed)")
        if st.st_size > self.max_article_bytes:
            return problem(
                f"is {st.st_size:,} bytes, over the {self.max_article_bytes:,}-byte limit for one "
                "article; it was not read"
            )
        if self.site is None:
            return Reading(ParseResult(None))  # nothing can be read without a site file; reported once
        try:
            data = _read_unchanged(f"{self.root}/{relpath}", st, self.max_article_bytes + 1)
        except OSError as exc:
            return problem(f"cannot be read ({exc.strerror})")
        if data is None:
            return None
        if len(data) > self.max_article_bytes:
            return problem(f"is over the {self.max_article_bytes:,}-byte limit for one article; it was not read")
        used: dict[str, StatKey | None] = {}

        def photo_info(photo: str) -> ImageInfo:
            used[photo] = key = self.photo_stat(photo)  # taken before the measurement, never after
            return self._measure(photo, key)

        result = parse_article(
            relpath,
            data,
            self.site,
            photo_info,
            display_root=self.display_root,
            keep_body=keep_body,
            modified=file_time(st.st_mtime_ns),  # when it was saved, for Last-Modified (publish/dating.py)
        )
        photo = result.photo_path
        photo_key = None if photo is None else used[photo] if photo in used else self.photo_stat(photo)
        article = result.article
        if article is not None and article.photo is not None and photo_key is not None:
            shown = replace(article.photo, modified=file_time(photo_key[0]))
            result.article = replace(article, photo=shown)
        return Reading(result, photo_key)

    # ---- photos kept in the store -------------------------------------------------------------

    def photo_stat(self, photo: str) -> StatKey | None:
        try:
            return stat_key((self.root / photo).stat())
        except OSError:
            return None

    def photo_info(self, photo: str) -> ImageInfo:
        """A store photo's measurements, made once per version (its stat); raises PhotoError."""
        return self._measure(photo, self.photo_stat(photo))

    def _measure(self, photo: str, key: StatKey | None) -> ImageInfo:
        cached = self.photos.get(photo)
        if cached is None or cached[0] != key:
            try:
                if key is None:
                    raise PhotoError("file not found")
                result: ImageInfo | PhotoError = probe_image(
                    photo_file(self.root, photo), self.max_photo_bytes, self.max_photo_pixels
                )
            except PhotoError as exc:
                result = exc
            cached = self.photos[photo] = (key, result)
        if isinstance(cached[1], PhotoError):
            raise cached[1]
        return cached[1]


def _read_chunk(
    reader: ArticleReader, items: list[tuple[str, StatKey, os.stat_result]]
) -> tuple[list[tuple[str, StatKey, Reading | None]], dict[str, PhotoEntry]]:
    results = [(relpath, key, reader.read(relpath, st)) for relpath, key, st in items]
    return results, reader.photos


def read_many(
    reader: ArticleReader, items: list[tuple[str, StatKey, os.stat_result]]
) -> Iterator[tuple[str, StatKey, Reading | None]]:
    """Read many files, in parallel processes when there are enough of them to pay for starting those
    (None for a file caught mid-save, as `ArticleReader.read` says).

    Photo measurements made by the other processes are merged back into `reader.photos`.
    """
    # fork (spawn would re-run the caller's main module in every child)
    if len(items) < PARALLEL_MINIMUM or not forking.can_fork():
        for relpath, key, st in items:
            yield relpath, key, reader.read(relpath, st)
        return
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    with forking.forked_pool() as pool:
        for results, photos in pool.map(_read_chunk, [reader] * len(chunks), chunks):
            reader.photos.update(photos)
            yield from results
