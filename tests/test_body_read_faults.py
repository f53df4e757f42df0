"""A story whose body cannot be read back for a moment — its file caught halfway through being saved
again, then written back exactly as it was — never takes a feed backwards, and is back in it within the
retry interval without any change in the store. A story really deleted meanwhile is gone at once, and a
fault that lasts renders the feed again only every few seconds, however often it is polled."""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from feedsvc.publish.cache import HOLD_SECONDS, RETRY_MAX_SECONDS, RETRY_SECONDS
from feedsvc.publish.publisher import Publisher
from feedsvc.serve.app import create_app

from .conftest import BASE_URL, article
from .servers import gunicorn, request

FEED = "/sections/world/rss.xml"
KEPT = "The story a fault must not take away"
OTHER = "Another world story"
CORRECTED = "Another world story, corrected"
SAVED_AT = 1_368_000_000  # the files' time (2013): long settled, for every look of the store


@contextlib.contextmanager
def saved_halfway(path: Path):
    """An editor's tool saving `path` in place, stopped halfway: the file is open for writing and holds
    half of its old bytes. On leaving, the tool writes it back as it was, with its time, as `cp -p` or
    `rsync -t` do: the file is again the one the store read, and the store's next look finds nothing new."""
    data, saved = path.read_bytes(), path.stat()
    with open(path, "r+b") as file:
        file.truncate(0)
        file.write(data[: len(data) // 2])
        file.flush()
        try:
            yield
        finally:
            file.seek(0)
            file.truncate(0)
            file.write(data)
            file.flush()
            os.utime(file.fileno(), ns=(saved.st_atime_ns, saved.st_mtime_ns))


def settled(store_dir, relpath: str, text: str) -> None:
    store_dir.write(relpath, text)
    os.utime(store_dir.root / relpath, (SAVED_AT, SAVED_AT))


@pytest.fixture
def stories(store_dir):
    settled(store_dir, "world/kept.md", article(title=KEPT, published="2013-05-02 10:00"))
    settled(store_dir, "world/other.md", article(title=OTHER, published="2013-05-02 11:00"))
    return store_dir


class Subscriber:
    """Polls a feed through the app, as a feed reader does, on a clock the test moves."""

    def __init__(self, store_dir, **config) -> None:
        self.now = datetime(2020, 1, 1, tzinfo=UTC)
        self.app = create_app(
            {"store": store_dir.root, "base_url": BASE_URL, **config}, auto_refresh=False, clock=lambda: self.now
        )
        self.service = self.app.extensions["feedsvc"]
        self.client = self.app.test_client()

    def titles(self, path: str = FEED) -> set[str]:
        response = self.client.get(path, headers={"Accept-Encoding": "gzip"})  # the warm path's everyday poll
        assert response.status_code == 200
        parsed = feedparser.parse(gzip.decompress(response.get_data()))
        assert not parsed.bozo, parsed.bozo_exception
        return {entry.title for entry in parsed.entries}

    def max_age(self, path: str = FEED) -> int:
        """How long the feed's answer tells a cache it stays fresh (seconds)."""
        directives = self.client.get(path).headers["Cache-Control"].split(", ")
        return next(int(d.removeprefix("max-age=")) for d in directives if d.startswith("max-age="))

    def wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def within(self, seconds: float, path: str = FEED) -> set[str]:
        """The titles of the first poll that finds the feed whole (fresh: a cache keeps it the full
        max-age), polling every half second for `seconds` at most; else those of the last poll."""
        for _ in range(int(seconds / 0.5) + 1):
            titles = self.titles(path)
            if self.max_age(path) == 300:
                return titles
            self.wait(0.5)
        return titles

    def holds_no_prepared_story(self) -> None:
        """Like a worker of a large store whose 20,000 prepared stories a crawler's archive requests have
        moved past: every render reads its stories' bodies back from their files."""
        self.service.publisher.prepared_cache.limit = 0


def reader_of_a_large_store(stories) -> Subscriber:
    """A subscriber of a worker that holds no prepared story, who has seen both stories in the feed."""
    reader = Subscriber(stories)
    reader.holds_no_prepared_story()
    assert reader.titles() == {KEPT, OTHER}
    return reader


@contextlib.contextmanager
def other_corrected_while_kept_is_saved(reader: Subscriber, stories):
    """other.md corrected, and the store told of it alone (as the watcher names the file it saw change),
    while kept.md is stopped halfway through a save: the feed renders again and cannot read kept.md back."""
    with saved_halfway(stories.root / "world/kept.md"):
        settled(stories, "world/other.md", article(title=CORRECTED, published="2013-05-02 11:00"))
        reader.service.store.refresh(["world/other.md"])
        yield


def unread_warnings(caplog, name: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and f"{name}: could not be read back" in r.getMessage()
    ]


def test_a_feed_keeps_a_story_it_cannot_read_back_for_a_moment_and_is_whole_again_without_a_store_change(
    stories, caplog
):
    caplog.set_level(logging.INFO)
    reader = reader_of_a_large_store(stories)
    store = reader.service.store
    with other_corrected_while_kept_is_saved(reader, stories):
        for _ in range(12):  # six seconds of polls: several tries to render the feed again, all failing
            assert KEPT in reader.titles(), "the feed went back: a story it had is gone for a read fault"
            reader.wait(0.5)
    generation = store.snapshot.generation
    assert not store.refresh(), "kept.md is again what the store read: its look finds nothing new"
    assert reader.within(RETRY_SECONDS * 4) == {KEPT, CORRECTED}  # the next try after the last failed one
    assert store.snapshot.generation == generation
    # Named once, however many polls and tries; and said when it is over.
    assert len(unread_warnings(caplog, "world/kept.md")) == 1
    assert any("world/kept.md: no document leaves it out now" in r.getMessage() for r in caplog.records)


def test_a_story_unreadable_as_the_service_starts_is_in_its_feed_once_it_reads_back(stories, monkeypatch):
    first_warm = Publisher.warm
    with contextlib.ExitStack() as saving:

        def warm_while_kept_is_being_saved(self, now=None):  # the service's first renders
            monkeypatch.setattr(Publisher, "warm", first_warm)
            saving.enter_context(saved_halfway(stories.root / "world/kept.md"))
            return first_warm(self, now)

        monkeypatch.setattr(Publisher, "warm", warm_while_kept_is_being_saved)
        reader = Subscriber(stories)
        assert reader.titles() == {OTHER}  # no whole version to show: what could be rendered
        assert reader.max_age() <= RETRY_SECONDS  # and no cache keeps it long
    store = reader.service.store
    generation = store.snapshot.generation
    assert not store.refresh()
    assert reader.within(RETRY_SECONDS) == {KEPT, OTHER}
    assert reader.within(RETRY_SECONDS, "/rss.xml") == {KEPT, OTHER}
    assert store.snapshot.generation == generation


def test_a_story_deleted_while_it_could_not_be_read_back_is_gone_at_once(stories):
    reader = reader_of_a_large_store(stories)
    store = reader.service.store
    with other_corrected_while_kept_is_saved(reader, stories):
        assert KEPT in reader.titles()
    stories.delete("world/kept.md")
    assert store.refresh().deleted == {"world/kept.md"}
    assert reader.titles() == {CORRECTED}  # no retry interval to wait: the store's change is rendered
    assert reader.max_age() == 300


def test_a_lasting_fault_renders_the_feed_again_every_few_seconds_and_holds_it_back_a_minute_at_most(
    stories, monkeypatch, caplog
):
    from feedsvc.store.store import Store

    reads = []
    body = Store.body
    monkeypatch.setattr(Store, "body", lambda self, a: reads.append(a.path) or body(self, a))
    reader = reader_of_a_large_store(stories)
    store = reader.service.store
    with other_corrected_while_kept_is_saved(reader, stories):
        reads.clear()
        polls, step = 0, 0.25
        while polls * step < HOLD_SECONDS - 1:  # a busy feed: four polls a second for a minute
            assert KEPT in reader.titles()
            reader.wait(step)
            polls += 1
        tries = reads.count("world/kept.md")
        assert 3 <= tries <= 6, f"{tries} renders in {polls} polls"  # 2, 4, 8, 16, 32 s apart
        reader.wait(1)
        assert reader.titles() == {CORRECTED}, "a fault that lasts does not hold the feed back for good"
        assert len(unread_warnings(caplog, "world/kept.md")) == 1
        assert [r for r in caplog.records if "still could not be read back" in r.getMessage()]
    generation = store.snapshot.generation
    assert not store.refresh()
    assert reader.within(RETRY_MAX_SECONDS) == {KEPT, CORRECTED}
    assert store.snapshot.generation == generation


def test_a_real_server_never_shows_a_feed_a_fault_took_a_story_from_and_mends_it_by_itself(store_dir, tmp_path):
    """gunicorn with the shipped settings: two workers, each with its own watcher. The newest world story's
    date is corrected to before the oldest one's while that one, rendered nowhere yet, is halfway through a
    save: each worker renders the feed again at once, and cannot read it back. No poll may show the feed
    with fewer stories than it had (its last whole version stands in); once the file is back as it was,
    every poll shows it within the retry interval, whichever worker answers."""
    settled(store_dir, "world/newest.md", article(title="Newest", published="2013-05-02 12:00"))
    settled(store_dir, "world/middle.md", article(title="Middle", published="2013-05-02 11:00"))
    settled(store_dir, "world/oldest.md", article(title="Oldest", published="2013-05-02 10:00"))
    small = {"FEEDSVC_ITEMS_PER_FEED": "2", "FEEDSVC_ITEMS_PER_PAGE": "2"}  # the oldest is rendered nowhere
    log, workers = tmp_path / "gunicorn.log", 2  # as shipped
    seen: list[set[str]] = []

    def poll() -> set[str]:
        reply = request(port, FEED)
        assert reply.status == 200
        seen.append({entry.title for entry in feedparser.parse(reply.body).entries})
        return seen[-1]

    def warned() -> int:
        """How many workers said they could not read it back: each says so once an episode."""
        return log.read_text("utf-8", "replace").count("world/oldest.md: could not be read back")

    with gunicorn(store_dir.root, BASE_URL, workers=workers, extra_env=small, log=log) as port:
        assert poll() == {"Newest", "Middle"}
        with saved_halfway(store_dir.root / "world/oldest.md"):
            store_dir.write("world/newest.md", article(title="Newest", published="2013-05-02 09:00"))
            deadline = time.monotonic() + 15
            while warned() < workers and time.monotonic() < deadline:  # the fault, in every worker
                poll()
                time.sleep(0.02)
            assert warned() == workers, log.read_text()
        assert {"Middle"} not in seen, "a poll got the feed without a story a read fault left out"
        # Each worker tries again at its own moment: the feed is mended once every poll for longer than
        # a retry interval has it.
        whole_since, deadline = None, time.monotonic() + 2 * RETRY_MAX_SECONDS
        while time.monotonic() < deadline:
            whole = poll() == {"Middle", "Oldest"}
            whole_since = (whole_since or time.monotonic()) if whole else None
            if whole_since is not None and time.monotonic() - whole_since > 2 * RETRY_SECONDS:
                break
            time.sleep(0.02)
        assert whole_since is not None and time.monotonic() - whole_since > 2 * RETRY_SECONDS, seen[-3:]
        assert set(map(frozenset, seen)) == {frozenset({"Newest", "Middle"}), frozenset({"Middle", "Oldest"})}
