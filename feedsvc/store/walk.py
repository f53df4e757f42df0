"""The file walk: every article file in the store folder, and the folders it could not enter.

A folder the walk cannot enter is not a folder without stories: the files it held are kept as last
read (the caller decides) and the folder is named. The store folder itself is checked first, so a
renamed, deleted or unreadable store is never mistaken for an empty one.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..source.links import MEDIA_DIR
from .files import is_hidden

UNLISTED = (
    "cannot be listed ({reason}); the stories in it stay as they were last read, and changes in it "
    "are not seen until it can be"
)
LINKED_FOLDER = (
    "is a link to a folder; links are not followed, so the stories in it are not read "
    "(move the folder into the store instead)"
)


class StoreUnreadable(Exception):
    """The store folder itself cannot be listed: nothing it held can be taken as gone."""

    def __init__(self, root: Path, error: OSError) -> None:
        super().__init__(f"{root}: {error.strerror or error}")
        self.root = root
        self.reason = error.strerror or str(error)


@dataclass
class Listing:
    """What one walk found: article files with their lstat (None: it could not be taken), and the
    folders it did not enter (store-relative, ending in "/") with why."""

    files: list[tuple[str, os.stat_result | None]] = field(default_factory=list)
    closed: dict[str, str] = field(default_factory=dict)

    def inside_closed(self, relpath: str) -> bool:
        """Was `relpath` in a folder this walk could not enter (so it may still be there)?"""
        return bool(self.closed) and relpath.startswith(tuple(self.closed))


def check_root(root: Path) -> None:
    """Raise StoreUnreadable unless the store folder is there and can be opened for listing."""
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise StoreUnreadable(root, exc) from None
    os.close(fd)


def _root_identity(root: Path) -> tuple[int, int]:
    try:
        st = os.stat(root)
    except OSError as exc:
        raise StoreUnreadable(root, exc) from None
    return st.st_dev, st.st_ino


def walk(root: Path) -> Listing:
    """Every article file (store-relative path, lstat), skipping hidden names and media/.

    Links are not followed: a linked file is listed (and refused by the reader), a linked folder is
    closed, as is a folder that cannot be listed. A folder that vanished during the walk is gone —
    unless the store folder itself went (renamed, deleted, swapped) while it was walked: then nothing
    the walk missed can be taken as gone, and it raises StoreUnreadable.
    """
    started_in = _root_identity(root)
    listing = _walk(root)
    if _root_identity(root) != started_in:
        raise StoreUnreadable(root, FileNotFoundError(errno.ENOENT, "the store folder moved while it was listed"))
    return listing


def _walk(root: Path) -> Listing:
    listing = Listing()
    stack = [("", str(root))]
    while stack:
        prefix, path = stack.pop()
        try:
            entries = list(os.scandir(path))
        except OSError as exc:
            if not prefix:
                raise StoreUnreadable(root, exc) from None
            if not isinstance(exc, (FileNotFoundError, NotADirectoryError)):  # else removed meanwhile: gone
                listing.closed[prefix] = UNLISTED.format(reason=_reason(exc))
            continue
        for entry in entries:
            name = entry.name
            if is_hidden(name) or (prefix == "" and name == MEDIA_DIR):
                continue
            relpath = prefix + name
            if _is_folder(entry):
                stack.append((relpath + "/", entry.path))
            elif name.endswith(".md"):
                try:
                    listing.files.append((relpath, entry.stat(follow_symlinks=False)))
                except OSError:
                    listing.files.append((relpath, None))
            elif _is_linked_folder(entry):
                listing.closed[relpath + "/"] = LINKED_FOLDER
    return listing


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_linked_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink() and entry.is_dir()
    except OSError:
        return False


def _reason(error: OSError) -> str:
    return error.strerror or os.strerror(error.errno or errno.EIO)
