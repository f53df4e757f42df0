"""The background refresher brings edits into the store within the promised two seconds, with file-system
events or, where those are unavailable, by scanning."""

from __future__ import annotations

import time

import pytest

from feedsvc.store.store import Store
from feedsvc.store.watch import Refresher

from .conftest import article

pytestmark = pytest.mark.serial  # the two seconds are the promise: measured with nothing beside it


def wait_for(predicate, timeout=2.0):
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            return None
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.mark.parametrize("use_events", [True, False], ids=["events", "polling"])
def test_edits_adds_and_deletes_arrive_within_two_seconds(store_dir, use_events):
    store_dir.write("world/a.md", article(title="The story as first written"))
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    store.refresh()
    seen = []
    refresher = Refresher(store, interval=0.1, rescan_every=30, use_events=use_events, on_change=seen.append).start()
    try:
        store_dir.write("world/b.md", article(title="A story added while watching"))
        assert wait_for(lambda: "world/b" in store.snapshot.by_id) is not None
        store_dir.write("world/a.md", article(title="The story as corrected"))
        assert wait_for(lambda: store.snapshot.by_id["world/a"].title == "The story as corrected") is not None
        store_dir.delete("world/b.md")
        assert wait_for(lambda: "world/b" not in store.snapshot.by_id) is not None
        assert seen and all(seen)
    finally:
        refresher.stop()


def test_a_story_written_in_pieces_is_read_once_complete(store_dir):
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    store.refresh()
    refresher = Refresher(store, interval=0.05, rescan_every=30, use_events=True).start()
    try:
        text = article(title="Written slowly", body="First paragraph.\n\nSecond paragraph, the end.")
        path = store_dir.root / "world/slow.md"
        path.parent.mkdir()
        with open(path, "w") as fh:
            fh.write(text[: len(text) - 20])
            fh.flush()
            time.sleep(0.1)  # still open: nothing is read yet
            assert "world/slow" not in store.snapshot.by_id
            fh.write(text[len(text) - 20 :])
        assert wait_for(lambda: "world/slow" in store.snapshot.by_id) is not None
        assert store.body(store.snapshot.by_id["world/slow"]).endswith("Second paragraph, the end.")
    finally:
        refresher.stop()


def test_a_watcher_started_after_an_edit_still_catches_it(store_dir):
    """A gunicorn worker may load the store, then start watching a moment later: nothing in between is lost."""
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    store.refresh()
    store_dir.write("world/between.md", article(title="Written between the first read and the watch"))
    refresher = Refresher(store, interval=0.5, rescan_every=30, use_events=True).start()
    try:
        assert wait_for(lambda: "world/between" in store.snapshot.by_id) is not None
    finally:
        refresher.stop()


def test_a_saved_story_is_applied_at_once_not_at_the_next_poll(store_dir):
    """A file its writer has closed wakes the refresher: with a poll only every 60 seconds, an edit
    still arrives within the two seconds promised (what `build --watch` and the service rely on)."""
    store_dir.write("world/a.md", article(title="The story as first written"))
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    store.refresh()
    refresher = Refresher(store, interval=60, rescan_every=600, use_events=True).start()
    try:
        time.sleep(0.3)  # past the first pass (a full scan) and into the long wait
        store_dir.write("world/a.md", article(title="The story as corrected"))
        assert wait_for(lambda: store.snapshot.by_id["world/a"].title == "The story as corrected") is not None
        store_dir.write("world/b.md", article(title="A second story, added"))
        assert wait_for(lambda: "world/b" in store.snapshot.by_id) is not None
    finally:
        refresher.stop()
