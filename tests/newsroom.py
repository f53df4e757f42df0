"""A small newsroom for the differential test of the caches (tests/test_paths_agree.py): a store kept
as data — each story's fields and its file's name, the photos — and the edits a newsroom makes to it,
each written to disk as an editor's tools would (a new file, a save in place, a rename).

Every file is dated by a clock of its own, an hour or more in the past and one second later for each
write: a file modified within two seconds of a look is read again whatever its stat says (RACY_NS in
feedsvc/store/folder.py), which would hide exactly the stat-keyed caches this test is about.
"""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from .conftest import article

SECTIONS = ("world", "business")
AUTHORS = ("Ana Ruiz", "Ben Okafor", "Chen Wei")  # three: a writer's feed appears at a third story
TAGS = ("harbor", "budget", "schools")  # and a tag's, from tag_feed_min_stories (3)
# Around month boundaries in the site's time zone (America/Los_Angeles): a move by an hour moves
# the story between two months' archives.
PAST_DATES = ("2013-04-30 23:30", "2013-05-01 00:30", "2013-05-02 17:40", "2013-05-31 23:00", "2013-06-01 06:00")
PHOTOS = ("media/p0.jpg", "media/p1.jpg")
PHOTO_BYTES = 8192  # every photo padded to this length: a replacement can keep its size
COLORS = ((30, 90, 160), (200, 40, 40), (20, 160, 60), (240, 200, 0))


def jpeg_bytes(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    """A JPEG of `size` in `color`, padded after its end marker to PHOTO_BYTES (readers stop at the marker)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=80)
    data = buffer.getvalue()
    assert len(data) <= PHOTO_BYTES
    return data + b"\0" * (PHOTO_BYTES - len(data))


class Newsroom:
    """The store's stories as data (file name → fields and body), and the edits made to them."""

    def __init__(self, root: Path, now: datetime) -> None:
        self.root = root
        self.now = now  # the clock every path is asked at: the builds' `now`, the services' clock
        self.stories: dict[str, dict[str, Any]] = {}
        self._written = int(time.time()) - 3600 - 100_000  # seconds: the file clock (see the module's docstring)
        self._made = 0
        self.deleted: dict[str, dict[str, Any]] = {}  # file name → fields, of the stories deleted
        self.touched: set[str] = set()  # store-relative paths written, renamed or removed since last taken

    def take_touched(self) -> set[str]:
        """The paths a file-system watcher would have named since the last call (temporary files and
        both sides of a rename included), as `Store.refresh(paths)` takes them."""
        touched, self.touched = self.touched, set()
        return touched

    def _touch(self, *paths: Path) -> None:
        self.touched.update(str(path.relative_to(self.root)) for path in paths)

    # ---- writing -----------------------------------------------------------------------------

    def _date(self, path: Path) -> None:
        self._written += 1
        os.utime(path, ns=(self._written * 10**9, self._written * 10**9))

    def save(self, name: str) -> None:
        """Write story `name` as a new file (an editor's save: a temporary file renamed over the old)."""
        fields = dict(self.stories[name])
        body = fields.pop("body")
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(".saving-" + path.name)
        temporary.write_text(article(body, **fields), "utf-8")
        self._date(temporary)
        os.replace(temporary, path)
        self._touch(temporary, path)

    def start(self, stories: list[dict[str, Any]]) -> None:
        for photo, color in zip(PHOTOS, COLORS, strict=False):
            self.put_photo(photo, (64, 48), color)
        for fields in stories:
            self.add(fields)

    def add(self, fields: dict[str, Any]) -> str:
        self._made += 1
        name = f"{fields['section']}/story-{self._made}.md"
        self.stories[name] = fields
        self.save(name)
        return name

    def pick(self, index: int) -> str:
        return sorted(self.stories)[index % len(self.stories)]

    def edit(self, index: int, **changes: Any) -> str:
        name = self.pick(index)
        self.stories[name].update(changes)
        self.save(name)
        return name

    def delete(self, index: int) -> None:
        name = self.pick(index)
        self.deleted[name] = self.stories.pop(name)
        (self.root / name).unlink()
        self._touch(self.root / name)

    def undelete(self, index: int) -> None:
        """A deleted story saved again under its old name (the same id, the same URL)."""
        name = sorted(self.deleted)[index % len(self.deleted)]
        self.stories[name] = self.deleted.pop(name)
        self.save(name)

    def rename(self, index: int) -> None:
        """The same text under a new name (so a new id, and a new URL)."""
        name = self.pick(index)
        self._made += 1
        new = f"{name.rpartition('/')[0]}/renamed-{self._made}.md"
        os.rename(self.root / name, self.root / new)
        self._touch(self.root / name, self.root / new)
        self.stories[new] = self.stories.pop(name)

    def save_again(self, index: int) -> None:
        """The same bytes saved again: a new file, a new time."""
        self.save(self.pick(index))

    def edit_in_place_keeping_stat(self, index: int) -> None:
        """Change the body without changing its length, in place, and put the old mtime back (a tool
        that preserves times, a restore from a backup): only the inode's ctime says it changed."""
        name = self.pick(index)
        body = self.stories[name]["body"]
        flipped = body.swapcase() if body.swapcase() != body else body[::-1]
        self.stories[name]["body"] = flipped
        fields = {k: v for k, v in self.stories[name].items() if k != "body"}
        data = article(flipped, **fields).encode("utf-8")
        path = self.root / name
        before = path.stat()
        assert len(data) == before.st_size
        with open(path, "r+b") as fh:
            fh.write(data)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        self._touch(path)

    # ---- photos --------------------------------------------------------------------------------

    def put_photo(self, photo: str, size: tuple[int, int], color: tuple[int, int, int]) -> None:
        """A new photo file under `photo` (an upload: written aside, renamed into place)."""
        path = self.root / photo
        aside = path.with_name(".upload-" + path.name)
        aside.parent.mkdir(parents=True, exist_ok=True)
        aside.write_bytes(jpeg_bytes(size, color))
        self._date(aside)
        os.replace(aside, path)
        self._touch(aside, path)

    def replace_photo_keeping_stat(self, photo: str, size: tuple[int, int], color: tuple[int, int, int]) -> None:
        """Other pixels, the same length, written in place, the old mtime put back."""
        path = self.root / photo
        if not path.exists():
            self.put_photo(photo, size, color)
            return
        before = path.stat()
        with open(path, "r+b") as fh:
            fh.write(jpeg_bytes(size, color))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        self._touch(path)

    def delete_photo(self, photo: str) -> None:
        path = self.root / photo
        if path.exists():
            path.unlink()
            self._touch(path)

    # ---- time ----------------------------------------------------------------------------------

    def later(self, hours: int) -> str:
        """A publication time `hours` after the newsroom's clock, as an editor would write it."""
        return (self.now + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def pass_time(self, hours: int) -> None:
        self.now += timedelta(hours=hours)


def start_of_clock() -> datetime:
    """The newsroom's clock at first: a day from now, to the second, so every file is older than it."""
    return datetime.fromtimestamp(int(time.time()) + 86400, UTC)
