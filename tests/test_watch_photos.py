"""`feedsvc build --watch` publishes every photo under media/ as it is now, not only when a story
changes: a photo uploaded before the story that will use it, one deleted, and one overwritten in
place with its old length and mtime (which no story reads otherwise) reach the output within seconds,
as a cold build would write them. Found by tests/test_paths_agree.py."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from feedsvc.static.build import BUILD_RECORD

from .cli import build_watching
from .conftest import BASE_URL, article
from .newsroom import jpeg_bytes
from .test_photo_in_place import PHOTO, overwrite_keeping_stat

UNUSED = "media/later.jpg"


@pytest.fixture(params=["events", "polling"])
def watching(store_dir, tmp_path, request) -> Iterator[Path]:
    """A store with one story and its photo, and `feedsvc build --watch` on it, told of changes by
    file-system events or, where there are none (`watch = false`, no inotify), by its scans every
    0.75 s; its output folder."""
    store_dir.write(PHOTO, jpeg_bytes((64, 48), (30, 90, 160)))
    store_dir.write("world/photo.md", article(photo={"src": PHOTO, "caption": "Boats", "credit": "Us"}))
    an_hour_ago = os.stat(store_dir.root / PHOTO).st_mtime_ns - 3600 * 10**9
    for name in (PHOTO, "world/photo.md"):
        os.utime(store_dir.root / name, ns=(an_hour_ago, an_hour_ago))
    out = tmp_path / "public"
    settings = {"FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_WATCH": str(request.param == "events").lower()}
    with build_watching(out, store_dir.root, settings):
        assert soon(lambda: (out / BUILD_RECORD).exists(), 30)
        yield out


def soon(done: Callable[[], bool], seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def holds(out: Path, name: str, data: bytes | None) -> Callable[[], bool]:
    """Does the output hold `data` as `name` (None: no such file)?"""

    def check() -> bool:
        try:
            return (out / name).read_bytes() == data
        except FileNotFoundError:
            return data is None

    return check


def test_a_photo_uploaded_before_its_story_is_published_and_a_deleted_one_withdrawn(watching, store_dir):
    data = jpeg_bytes((40, 30), (20, 160, 60))
    store_dir.write(UNUSED, data)
    assert soon(holds(watching, UNUSED, data)), "the new photo was not published"
    store_dir.delete(UNUSED)
    assert soon(holds(watching, UNUSED, None)), "the deleted photo is still published"


def test_a_photo_overwritten_in_place_keeping_its_stat_is_published_anew(watching, store_dir):
    data = overwrite_keeping_stat(store_dir)
    assert soon(holds(watching, PHOTO, data)), "the output keeps the old photo"


@pytest.mark.parametrize("name", [PHOTO, UNUSED], ids=["used", "unused"])
def test_a_photo_uploaded_slowly_is_published_once_whole(watching, store_dir, name):
    """An upload that writes in place (cp, SFTP) with a pause halfway: meanwhile the output keeps the
    photo it had (none, for a new one), never a half, and never loses it; once closed, the whole one."""
    path = store_dir.root / name
    before = path.read_bytes() if path.exists() else None
    data = jpeg_bytes((320, 240), (200, 40, 40))
    seen = []
    with open(path, "wb") as upload:
        upload.write(data[: len(data) // 2])
        upload.flush()
        deadline = time.monotonic() + 2.5  # events settle in 0.2 s, polling scans every 0.75 s
        while time.monotonic() < deadline:
            out = watching / name
            seen.append(out.read_bytes() if out.exists() else None)
            time.sleep(0.05)
        upload.write(data[len(data) // 2 :])
    assert set(seen) == {before}, "the output lost the photo, or held half of it, while it was uploaded"
    assert soon(holds(watching, name, data)), "the whole photo was not published"
