"""Photos kept in the store, served as they are: only plain image files under media/, reached
without a symbolic link or a hidden name on the way, read once per version and kept in a small cache."""
from __future__ import annotations

import io
import os
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from PIL import Image, UnidentifiedImageError

from ..source.photos import WEB_IMAGE_TYPES
from ..render.document import MEDIA, Rendered
from ..store.files import is_hidden

MEDIA_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class MediaLibrary:
    def __init__(self, media_root: Path, max_bytes: int, cache_bytes: int = 64 << 20,
                 acceptable: Callable[[str], bool] = lambda relative: True) -> None:
        self.root = Path(media_root)
        self.max_bytes = max_bytes
        self.acceptable = acceptable      # the store's own verdict on a photo: served only if it would publish it
        self.cache_bytes = cache_bytes
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[tuple, Rendered | None]] = OrderedDict()
        self._cached_bytes = 0

    def paths(self) -> list[str]:
        """Every servable file, relative to media/, sorted."""
        found = []
        for directory, subdirs, files in os.walk(self.root):
            subdirs[:] = sorted(d for d in subdirs
                                if not is_hidden(d) and not os.path.islink(os.path.join(directory, d)))
            relative = os.path.relpath(directory, self.root).replace(os.sep, "/")
            for name in files:
                if not is_hidden(name) and name.lower().endswith(MEDIA_EXTENSIONS) \
                        and not os.path.islink(os.path.join(directory, name)):
                    found.append(name if relative == "." else f"{relative}/{name}")
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

    def version(self, relative: str) -> tuple | None:
        """What identifies this version of the photo (its stat), or None if it would not be served."""
        found = self._stat(relative)
        if found is None:
            return None
        st = found[1]
        return (relative, st.st_mtime_ns, st.st_size, st.st_ino)

    def get(self, relative: str) -> Rendered | None:
        """The photo at media/<relative>, or None for anything that is not a plain image file there."""
        found = self._stat(relative)
        if found is None:
            return None
        path, st = found
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            cached = self._cache.get(relative)
            if cached is not None and cached[0] == key:
                self._cache.move_to_end(relative)
                return cached[1]
        rendered = self._read(path, st)
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
        if not relative or len(relative) > 1024 or "\\" in relative or "\x00" in relative:
            return None
        parts = relative.split("/")
        if any(part in ("", ".", "..") or is_hidden(part) for part in parts):
            return None
        if not relative.lower().endswith(MEDIA_EXTENSIONS):
            return None
        try:
            root = self.root.resolve(strict=True)
            resolved = (self.root / relative).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if resolved != root.joinpath(*parts) or not resolved.is_file():
            return None  # a symbolic link somewhere on the way: refused, wherever it points
        return resolved

    def _read(self, path: Path, st: os.stat_result) -> Rendered | None:
        if st.st_size > self.max_bytes:
            return None
        try:
            data = path.read_bytes()
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
        except (OSError, UnidentifiedImageError, ValueError):
            return None
        if kind not in WEB_IMAGE_TYPES or not self.acceptable(str(path.relative_to(self.root.resolve()))):
            return None                   # damaged, truncated or oversized: the store refuses it too
        modified = datetime.fromtimestamp(st.st_mtime // 1, timezone.utc)
        return Rendered.of(data, WEB_IMAGE_TYPES[kind], modified, kind=MEDIA, gzip_level=None)
