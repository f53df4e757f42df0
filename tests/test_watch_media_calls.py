"""What the refresher says of photos under media/: a photo alone changes no story, so the service
(`on_change`: it warms and tells the hub) hears nothing of it, while `feedsvc build --watch`
(`on_media`) hears of each photo it publishes, and only of photos."""

from __future__ import annotations

import time

import pytest

from feedsvc.store.medialist import photo_keys
from feedsvc.store.store import Store
from feedsvc.store.watch import Refresher

from .newsroom import jpeg_bytes
from .test_watch import wait_for

pytestmark = pytest.mark.serial  # timings: measured with nothing beside it


@pytest.fixture(params=[True, False], ids=["events", "polling"])
def refresher(store_dir, request):
    """A refresher on a store with no story, recording what each callback hears."""
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    store.refresh()
    heard: dict[str, list[object]] = {"change": [], "media": []}
    refresher = Refresher(
        store,
        interval=0.1,
        rescan_every=30,
        use_events=request.param,
        on_change=heard["change"].append,
        on_media=heard["media"].append,
        media_listing=lambda: photo_keys(store_dir.root),  # as build --watch
    ).start()
    try:
        yield heard
    finally:
        refresher.stop()


def test_a_photo_alone_is_no_store_change(store_dir, refresher):
    time.sleep(0.3)  # the first full scan
    store_dir.write("media/new.jpg", jpeg_bytes((40, 30), (20, 160, 60)))
    assert wait_for(lambda: refresher["media"]) is not None, "build --watch heard nothing of the photo"
    time.sleep(0.3)
    assert refresher["change"] == [], "the service heard of a change that is none"


def test_files_beside_the_photos_are_no_photos(store_dir, refresher):
    """An upload's partial file, a desktop's index, a note: none is published, none makes a rebuild."""
    time.sleep(0.3)
    for name in ("media/upload.jpg.part", "media/Thumbs.db", "media/notes.txt"):
        store_dir.write(name, b"not a photo")
    time.sleep(1.0)  # more than a polling scan
    store_dir.write("media/new.jpg", jpeg_bytes((40, 30), (20, 160, 60)))
    assert wait_for(lambda: refresher["media"]) is not None
    time.sleep(0.3)
    assert refresher["media"] == [{"media/new.jpg"}]
