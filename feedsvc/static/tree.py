"""The static build's output tree: written beside the old one, file by file, then swapped in with one
atomic rename (renameat2 RENAME_EXCHANGE on Linux), durable before it becomes visible. A failed or
killed build leaves the previous output exactly as it was; a file with the same bytes and the same
time as before is a hard link to the previous output's, so it keeps its inode.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..render.document import strong_etag

# What a rendering process put into the staging tree, for the parent to merge: (record, written, bytes, reused).
Part = tuple[dict[str, Any], list[str], int, int]
BUILD_RECORD = ".feedsvc-build.json"  # what the last build wrote: lets the next one reuse files
RECORD_VERSION = 2


class BuildError(RuntimeError):
    """The build could not finish; the previous output is untouched."""


@dataclass(frozen=True)
class Output:
    """One file for the new tree."""

    name: str  # file name under the output folder
    data: bytes
    mtime_ns: int | None  # its time (its Last-Modified), written as it is with os.utime(ns=…); None: when written
    etag: str
    size: int = 0

    @classmethod
    def text(cls, name: str, text: str) -> Output:
        """A text file the build writes itself (the header rules), dated when written."""
        data = text.encode("utf-8")
        return cls(name, data, None, strong_etag(data), len(data))


def _read_record(out_dir: Path) -> dict[str, Any]:
    try:
        record = json.loads((out_dir / BUILD_RECORD).read_text("utf-8"))
        return record if isinstance(record, dict) and record.get("version") == RECORD_VERSION else {}
    except (OSError, ValueError):
        return {}


def _intact(out_dir: str, name: str, entry: dict[str, Any] | None) -> os.stat_result | None:
    """The file's lstat, if the previous build wrote it and it is still there as written; else None."""
    if entry is None:
        return None
    try:
        st = os.lstat(f"{out_dir}/{name}")
    except OSError:
        return None
    return st if st.st_size == entry.get("size") and st.st_mtime_ns == entry.get("mtime_ns") else None


def _dated_alike(entry: dict[str, Any], mtime_ns: int | None) -> bool:
    """Would the new file be dated as the previous build's is? Its time is its Last-Modified, which
    may move while the bytes stay (an empty news sitemap); an undated file (None) is dated when
    written, and the previous one will do."""
    return mtime_ns is None or entry.get("mtime_ns") == mtime_ns


def _clear(path: str) -> None:
    """Remove whatever is at `path` in the staging tree: a file, a link or a folder."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def exchange(staging: Path, out_dir: Path) -> None:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); elsewhere, two quick renames."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(staging), at_fdcwd, os.fsencode(out_dir), rename_exchange) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), str(out_dir))
    aside = staging.with_name(staging.name + "-old")
    os.rename(out_dir, aside)
    os.rename(staging, out_dir)
    os.rename(aside, staging)


def make_durable(tree: Path) -> None:
    """Flush a freshly written tree to disk: one syncfs(2) of its file system (Linux), or else an
    fsync of every file and folder in it."""
    libc = ctypes.CDLL(None, use_errno=True)
    syncfs = getattr(libc, "syncfs", None)
    if syncfs is not None:
        fd = os.open(tree, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for path in sorted(tree.rglob("*"), key=lambda p: -len(p.parts)):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        else:
            fsync_dir(path)
    fsync_dir(tree)


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable, not only the files' bytes."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_leftovers(out_dir: Path) -> None:
    """Remove a build record that a killed build left half-written inside the output (a killed build's
    staging tree needs no cleaning: the next build checks every file in it)."""
    for leftover in out_dir.glob(f"{BUILD_RECORD}.tmp-*"):
        leftover.unlink(missing_ok=True)


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise BuildError(f"{out_dir}: exists and is not a folder; refusing to replace it")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / BUILD_RECORD).is_file():
        raise BuildError(
            f"{out_dir}: exists and was not written by feedsvc build; refusing to replace it "
            "(choose a new or empty folder)"
        )


class TreeWriter:
    """Writes a new output tree beside the old one, file by file as documents are rendered (nothing is
    held in memory), then swaps it in with one atomic rename — or leaves everything as it was if nothing
    changed. A file with the same bytes and the same time as before is a hard link to the previous
    output's, so it keeps its inode.

    The tree swapped out is kept, hidden, as the next build's staging tree (`.<out>.staging`): it
    differs from the output only in what the last build changed, so an incremental build fixes up
    those files instead of making every folder and link again (a store with archives has hundreds
    of folders; figures in docs/PERFORMANCE.md). Nothing in it is trusted: each file is checked
    against the output (same inode) or written anew, and whatever the new tree does not hold is
    removed before the swap.

    `written`, `reused` and `total_bytes` say what it did: files written anew, files kept from the
    previous output, and the size of the new tree.
    """

    def __init__(self, out_dir: Path, progress: Callable[[str], None] | None = None) -> None:
        self.out_dir = out_dir.absolute()
        _check_out_dir(self.out_dir)
        self.previous = _read_record(self.out_dir) if self.out_dir.is_dir() else {}
        self.old_files = self.previous.get("files", {})
        self.progress = progress
        self.written: list[str] = []
        self.reused = 0
        self.total_bytes = 0
        self.staging = self.out_dir.with_name(f".{self.out_dir.name}.staging")
        if self.staging.is_symlink() or (self.staging.exists() and not self.staging.is_dir()):
            self.staging.unlink()
        self.staging.mkdir(parents=True, exist_ok=True)
        self.record: dict[str, dict[str, Any]] = {}
        # What else the next build reads back from the record: `notes`, and `dated`, which says when
        # they were taken and is no reason of its own to write the record again.
        self.notes: dict[str, Any] = {}
        self.dated: dict[str, Any] = {}
        # Plain strings and a memory of checked folders: an incremental build visits thousands of files.
        self._old_root, self._new_root = str(self.out_dir), str(self.staging)
        self._folders: set[str] = {""}

    def kept(self, old_document: dict[str, Any]) -> bool:
        """Keep an unchanged document's files from the previous build, if they are all still intact."""
        names = old_document["files"]
        found = [st for name in names if (st := _intact(self._old_root, name, self.old_files.get(name))) is not None]
        if len(found) != len(names):
            return False
        for name, st in zip(names, found, strict=True):
            self._link(name, self.old_files[name], st)
        return True

    def put(self, output: Output) -> None:
        """Put one file into the new tree: a link to the previous output's if it has the same bytes and time."""
        entry = self.old_files.get(output.name)
        if entry is not None and entry.get("etag") == output.etag and _dated_alike(entry, output.mtime_ns):
            st = _intact(self._old_root, output.name, entry)
            if st is not None:
                self._link(output.name, entry, st)  # the same bytes as last time: keep that very file
                return
        self.folder(output.name)
        target = f"{self._new_root}/{output.name}"
        try:
            fh = open(target, "xb")  # a new file: never written into what may be a link to a published file
        except FileExistsError:  # left in the staging tree by an earlier build
            _clear(target)
            fh = open(target, "xb")
        with fh:  # dated and looked at through the open file: no second walk of its path
            fh.write(output.data)
            fh.flush()
            if output.mtime_ns is not None:
                os.utime(fh.fileno(), ns=(output.mtime_ns, output.mtime_ns))
            mtime_ns = os.fstat(fh.fileno()).st_mtime_ns
        self.record[output.name] = {"etag": output.etag, "mtime_ns": mtime_ns, "size": output.size}
        self.written.append(output.name)
        self.total_bytes += output.size
        if self.progress is not None:
            self.progress(output.name)

    def has_new_bytes(self, name: str) -> bool:
        """Whether the new tree's file `name` holds other bytes than the previous output's. A file
        written anew only to move its time (a story saved again unchanged) holds the same."""
        return bool(self.record.get(name, {}).get("etag") != self.old_files.get(name, {}).get("etag"))

    def folder(self, name: str) -> None:
        """Make sure the staging folders that will hold the file `name` are real folders, once per build."""
        folder = name.rpartition("/")[0]
        if folder in self._folders:
            return
        parent, _, _ = folder.rpartition("/")
        if parent not in self._folders:
            self.folder(folder)
        path = f"{self._new_root}/{folder}"
        try:
            is_folder = stat.S_ISDIR(os.lstat(path).st_mode)
        except FileNotFoundError:
            os.mkdir(path)
        else:
            if not is_folder:  # a file, or a link that could lead out of the tree
                os.unlink(path)
                os.mkdir(path)
        self._folders.add(folder)

    def _link(self, name: str, entry: dict[str, Any], published: os.stat_result) -> None:
        self.folder(name)
        target = f"{self._new_root}/{name}"
        try:
            staged = os.lstat(target)
            already = (staged.st_ino, staged.st_dev) == (published.st_ino, published.st_dev)
        except FileNotFoundError:
            already = False
        if not already:
            _clear(target)
            os.link(f"{self._old_root}/{name}", target)
        self.record[name] = entry
        self.reused += 1
        self.total_bytes += entry["size"]

    def part(self) -> Part:
        """In a rendering process: what this writer put since the last call (then forget it), for `merge`."""
        done = (self.record, self.written, self.total_bytes, self.reused)
        self.record, self.progress = {}, None
        self.written, self.total_bytes, self.reused = [], 0, 0
        return done

    def merge(self, part: Part) -> None:
        """Take in what a rendering process put into the staging tree."""
        record, written, size, reused = part
        self.record.update(record)
        for name in record:  # the folders it made for them (an archive month's) are real folders too
            folder = name.rpartition("/")[0]
            while folder not in self._folders:
                self._folders.add(folder)
                folder = folder.rpartition("/")[0]
        self.written += written
        self.total_bytes += size
        self.reused += reused
        if self.progress is not None:
            for name in written:
                self.progress(name)

    def _remove_strays(self, folder: str = "", prefix: str = "") -> None:
        """Remove from the staging tree whatever the new tree does not hold (left by an earlier build):
        one scandir per folder, its entries named as the record names them (os.walk and relpath took
        twice as long over thousands of files)."""
        with os.scandir(folder or self._new_root) as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name in self._folders:
                        self._remove_strays(entry.path, name + "/")
                    else:
                        _clear(entry.path)
                elif name not in self.record:
                    os.unlink(entry.path)

    def finish(self, documents: dict[str, Any]) -> bool:
        """Swap the new tree in — unless it is the old one file for file, then leave everything as it
        was. `documents` is the build's record of documents, kept for the next build. True if swapped."""
        if not self.written and set(self.record) == set(self.old_files):
            if documents != self.previous.get("documents") or any(
                value != self.previous.get(name) for name, value in self.notes.items()
            ):
                self._replace_record(documents)
            return False
        self._remove_strays()
        record = f"{self._new_root}/{BUILD_RECORD}"
        _clear(record)
        with open(record, "x", encoding="utf-8") as fh:
            fh.write(self._record_text(documents))
        make_durable(self.staging)  # everything on disk before the swap makes it visible
        if self.out_dir.exists():
            exchange(self.staging, self.out_dir)  # the old tree is now the next build's staging tree
        else:
            os.rename(self.staging, self.out_dir)
        fsync_dir(self.out_dir.parent)
        return True

    def _record_text(self, documents: dict[str, Any]) -> str:
        record = {**self.dated, **self.notes, "version": RECORD_VERSION, "files": self.record, "documents": documents}
        return json.dumps(record, sort_keys=True)

    def _replace_record(self, documents: dict[str, Any]) -> None:
        """The same files, new fingerprints (a feedsvc upgrade, an edit that changed no output): record them,
        or every later build would render every document again only to find the same bytes. The record is
        replaced atomically; no public file is touched."""
        temporary = self.out_dir / f"{BUILD_RECORD}.tmp-{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as fh:
            fh.write(self._record_text(documents))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, self.out_dir / BUILD_RECORD)
        fsync_dir(self.out_dir)


def refuse_overlap(store: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> None:
    """Refuse an output folder inside the store, or one that holds the store, before anything is written.

    Inside, the output is read back as store content: its photos under media/ are published again,
    one level deeper on every build. Around, swapping in the new output takes the store away with
    the old one, and the next build deletes it as a stray. Links are followed: it is where the files
    end up that counts.
    """
    store_at, out_at = Path(os.path.realpath(store)), Path(os.path.realpath(out_dir))
    if out_at == store_at:
        raise BuildError(f"{out_at} is the store {store_at} itself; build into a folder outside the store")
    if out_at.is_relative_to(store_at):
        raise BuildError(
            f"{out_at} is inside the store {store_at}: each build would publish the last one again; "
            "build into a folder outside the store"
        )
    if store_at.is_relative_to(out_at):
        raise BuildError(
            f"{out_at} contains the store {store_at}: replacing the output would take the store with "
            "it; build into a folder of its own, beside the store"
        )


def why_not(exc: OSError, path: Path) -> str:
    """An OSError in words, naming the file: "/srv/.public.lock: Read-only file system"."""
    for folder in (path, *path.parents):
        if os.path.lexists(folder):
            if not folder.is_dir():
                return f"{folder} is a file, not a folder"
            break
    return f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)
