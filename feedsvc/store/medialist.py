"""The photos under media/ as they are now, listed as cheaply as a stat scan lists the stories.

`feedsvc build --watch` compares this listing at each full scan (every 0.75 s where there are no
file-system events), so it must cost little for a large library: one `os.scandir` walk, each file's
stat from its directory entry, no path object and no second stat per photo (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..source.links import MEDIA_DIR
from ..source.photos import PHOTO_TYPES
from .files import StatKey, is_hidden, stat_key

PHOTO_ENDINGS = tuple(PHOTO_TYPES)


def photo_keys(store_root: Path) -> dict[str, StatKey]:
    """Each file under media/ that may be a photo by its name, by store-relative path → its stat key.

    The names `source.photos.photo_file` accepts: no hidden name on the way, a web image's extension,
    no link followed (a linked folder is not entered, a linked file not listed; nor media/ itself).
    A folder that cannot be listed lists nothing."""
    found: dict[str, StatKey] = {}
    media = store_root / MEDIA_DIR
    try:
        if not stat.S_ISDIR(media.lstat().st_mode):
            return found
    except OSError:
        return found
    folders = [(str(media), f"{MEDIA_DIR}/")]
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if is_hidden(name):
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((entry.path, f"{prefix}{name}/"))
                    elif name.lower().endswith(PHOTO_ENDINGS) and entry.is_file(follow_symlinks=False):
                        found[f"{prefix}{name}"] = stat_key(entry.stat(follow_symlinks=False))
                except OSError:
                    continue  # gone meanwhile
    return found
