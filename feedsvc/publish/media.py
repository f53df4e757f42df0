"""Photos kept in the store, served as they are: exactly the files the parser accepts as photos
(`source.photos.photo_file`: under media/, a web image's extension, no link or hidden name on the way),
read once per version and kept in a small cache. The static build copies what this serves."""

from __future__ import annotations

import io
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ..render.document import MEDIA, Rendered
from ..source.links import MEDIA_DIR
from ..source.photos import PHOTO_TYPES, WEB_IMAGE_TYPES, PhotoError, photo_file, pillow
from ..store.files import is_hidden, stat_key


def types_by_ending() -> dict[str, str]:
    """Each name ending a photo may have (`jpg`, …) → the type a static host gives it: the parser's rule,
    for the build's host rules (which may not import `source`)."""
    return {ending.removeprefix("."): mimetype for ending, mimetype in PHOTO_TYPES.items()}


class MediaLibrary:
    def __init__(
        self,
        media_root: Path,
        max_bytes: int,
        cache_bytes: int = 64 << 20,
        acceptable: Callable[[str], bool] = lambda relative: True,
    ) -> None:
        self.root = Path(media_root)  # the store's media/ folder
        self._store_root = self.root.parent
        self.max_bytes = max_bytes
        self.acceptable = acceptable  # the store's own verdict on a photo: served only if it would publish it
        self.cache_bytes = cache_bytes
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[tuple[object, ...], Rendered | None]] = OrderedDict()
        self._cached_bytes = 0

    def paths(self) -> list[str]:
        """Every file that may be served (and so built), relative to media/, sorted."""
        found = []
        for directory, subdirs, files in os.walk(self.root):
            subdirs[:] = sorted(d for d in subdirs if not is_hidden(d))  # links are not walked into
            relative = os.path.relpath(directory, self.root).replace(os.sep, "/")
            for name in files:
                candidate = name if relative == "." else f"{relative}/{name}"
                if self._safe_path(candidate) is not None:
                    found.append(candidate)
        return sorted(found)

    def _stat(self, relative: str) -> tuple[Path, os.stat_result] | None:
        """The photo's path and stat, or None for anything that would not be served."""
        path = self._safe_path(relative)
        if path is None:
            return None
        try:
            return path, path.stat()
        except OSError:
            return None

    def version(self, relative: str) -> tuple[object, ...] | None:
        """What identifies this version of the photo — (relative, mtime, size, inode, ctime), the store's
        own key: a photo overwritten in place with its old length and mtime differs in its ctime alone —
        or None if it would not be served."""
        found = self._stat(relative)
        if found is None:
            return None
        return (relative, *stat_key(found[1]))

    def length(self, relative: str) -> int | None:
        """The photo's length in bytes, from its stat alone, or None if it would not be served."""
        found = self._stat(relative)
        return None if found is None else found[1].st_size

    def get(self, relative: str) -> Rendered | None:
        """The photo at media/<relative>, or None for anything that is not a plain image file there."""
        found = self._stat(relative)
        if found is None:
            return None
        path, st = found
        key = (*stat_key(st), st.st_mtime <= time.time())  # as `version`; read again once its time comes
        with self._lock:
            cached = self._cache.get(relative)
            if cached is not None and cached[0] == key:
                self._cache.move_to_end(relative)
                return cached[1]
        rendered = self._read(relative, path, st)
        with self._lock:
            previous = self._cache.pop(relative, None)
            if previous is not None and previous[1] is not None:
                self._cached_bytes -= len(previous[1].body)
            self._cache[relative] = (key, rendered)
            self._cached_bytes += len(rendered.body) if rendered else 0
            while self._cached_bytes > self.cache_bytes and len(self._cache) > 1:
                _, (_, dropped) = self._cache.popitem(last=False)
                self._cached_bytes -= len(dropped.body) if dropped else 0
        return rendered

    def _safe_path(self, relative: str) -> Path | None:
        """The file at media/<relative> if it may be a photo by the parser's own rule; never opened here."""
        if not relative or len(relative) > 1024 or "\\" in relative or "\x00" in relative:
            return None
        try:
            return photo_file(self._store_root, f"{MEDIA_DIR}/{relative}")
        except PhotoError:
            return None

    def _read(self, relative: str, path: Path, st: os.stat_result) -> Rendered | None:
        if st.st_size > self.max_bytes:
            return None
        try:
            data = path.read_bytes()
            Image = pillow()
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
        except (OSError, ValueError):  # UnidentifiedImageError is an OSError
            return None
        if kind not in WEB_IMAGE_TYPES or not self.acceptable(relative):
            return None  # damaged, truncated or oversized: the store refuses it too
        # Last-Modified never after Date (RFC 9110 §8.8.2.1): a file time still ahead is not one yet.
        modified = datetime.fromtimestamp(st.st_mtime // 1, UTC) if st.st_mtime <= time.time() else None
        return Rendered.of(data, WEB_IMAGE_TYPES[kind], modified, kind=MEDIA, gzip_level=None)
