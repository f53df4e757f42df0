"""What a subscriber, a cache and the log get while a story's body cannot be read back (see
test_body_read_faults.py for the feed itself): an incomplete answer is never dated like the whole one nor
cached for long, a takedown made meanwhile is not held back, and every episode is named in the log."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import feedparser
import lxml.html
import pytest

from feedsvc.publish.cache import RETRY_MAX_SECONDS, RETRY_SECONDS
from feedsvc.publish.publisher import Publisher
from feedsvc.render.document import Rendered
from feedsvc.serve.app import create_app

from .conftest import BASE_URL, article
from .servers import RecordingHub
from .test_body_read_faults import (
    CORRECTED,
    FEED,
    KEPT,
    OTHER,
    Subscriber,
    other_corrected_while_kept_is_saved,
    saved_halfway,
    settled,
    stories,
    unread_warnings,
)

__all__ = ["stories"]  # the fixture, shared with test_body_read_faults


def announced(notification) -> set[str]:
    assert notification["hub.mode"] == ["publish"]
    return set(notification["hub.url"])


def entries(response) -> list[str]:
    assert response.status_code == 200
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.bozo_exception
    return [entry.title for entry in parsed.entries]


def headlines(response) -> set[str]:
    """The headlines of the stories a page shows, as a reader sees them (not any text of the page)."""
    assert response.status_code == 200
    return {"".join(h.itertext()) for h in lxml.html.fromstring(response.get_data()).xpath("//article/h2")}


@contextlib.contextmanager
def started_while_being_saved(store_dir, monkeypatch, relpath: str):
    """A Subscriber whose service renders its first documents while `relpath` is halfway through a save,
    and what writes the file back as it was (`close()`; at the latest when the block ends)."""
    first_warm = Publisher.warm
    with contextlib.ExitStack() as saving:

        def warm_while_being_saved(self, now=None):
            monkeypatch.setattr(Publisher, "warm", first_warm)
            saving.enter_context(saved_halfway(store_dir.root / relpath))
            return first_warm(self, now)

        monkeypatch.setattr(Publisher, "warm", warm_while_being_saved)
        yield Subscriber(store_dir), saving


def max_age(response) -> int:
    directives = response.headers["Cache-Control"].split(", ")
    return next(int(d.removeprefix("max-age=")) for d in directives if d.startswith("max-age="))


def test_an_incomplete_feed_is_undated_so_a_poll_by_date_alone_gets_the_whole_one_once_it_reads_back(
    stories, monkeypatch, caplog
):
    """A reader that keeps Last-Modified alone (no ETag) and polls with If-Modified-Since."""
    caplog.set_level(logging.WARNING)
    with started_while_being_saved(stories, monkeypatch, "world/kept.md") as (reader, _):
        during = reader.client.get(FEED)
        assert entries(during) == [OTHER]
        assert "Last-Modified" not in during.headers
        assert "Last-Modified" not in reader.client.get("/").headers  # a page alike
        kept_date = during.headers.get("Last-Modified")
    [warning] = unread_warnings(caplog, "world/kept.md")
    assert "left out of / and" in warning  # the home page, rendered first, by its path
    reader.wait(RETRY_SECONDS + 0.5)
    after = reader.client.get(FEED, headers={"If-Modified-Since": kept_date} if kept_date else {})
    assert sorted(entries(after)) == sorted([KEPT, OTHER])
    dated = after.headers["Last-Modified"]
    assert reader.client.get(FEED, headers={"If-Modified-Since": dated}).status_code == 304  # whole: dated


@pytest.fixture
def four_stories(store_dir):
    """Two stories in the world feed (2 items), two in its archives (one in April)."""
    for i, published in enumerate(["2013-04-02 10:00", "2013-05-02 10:00", "2013-05-02 11:00", "2013-05-02 12:00"]):
        settled(store_dir, f"world/s{i}.md", article(title=f"S{i}", published=published))
    return store_dir


def test_a_story_left_out_of_an_archive_once_is_named_again_when_a_feed_leaves_it_out_later(four_stories, caplog):
    """An archive a crawler asked for once is never rendered whole again: it must not keep the story's
    episode open, or the next one goes unsaid (and a crawler's archives would pile up in memory)."""
    caplog.set_level(logging.INFO)
    reader = Subscriber(four_stories, items_per_feed=2)
    reader.holds_no_prepared_story()
    reader.service.publisher.prepared_cache._prepared.clear()  # nor those its start rendered
    april = "/sections/world/archive/2013-04/rss.xml"
    with saved_halfway(four_stories.root / "world/s0.md"):
        assert entries(reader.client.get(april)) == []  # its one story left out, said at INFO
    assert any("world/s0.md: could not be read back" in r.getMessage() for r in caplog.records)
    assert unread_warnings(caplog, "world/s0.md") == []
    assert entries(reader.client.get(april)) == ["S0"]
    reader.wait(3600)
    with saved_halfway(four_stories.root / "world/s0.md"):
        four_stories.delete("world/s3.md")
        four_stories.delete("world/s2.md")
        reader.service.store.refresh()
        reader.client.get(FEED)
    [warning] = unread_warnings(caplog, "world/s0.md")
    assert "sections/world/rss.xml" in warning


TAKEN_DOWN = "A story its newsroom takes down"


@pytest.mark.parametrize("take_down", ["delete", "unpublish"])
def test_a_story_taken_down_while_another_cannot_be_read_back_is_gone_at_once(stories, take_down):
    """The feed's last whole version shows the story taken down: it must not stand in for the feed."""
    settled(stories, "world/gone.md", article(title=TAKEN_DOWN, published="2013-05-02 09:00"))
    reader = Subscriber(stories)
    reader.holds_no_prepared_story()
    reader.service.publisher.prepared_cache._prepared.clear()  # nor those its start rendered
    store = reader.service.store
    assert reader.titles() == {KEPT, OTHER, TAKEN_DOWN}
    assert TAKEN_DOWN in headlines(reader.client.get("/"))  # the home page, as the feed
    with saved_halfway(stories.root / "world/kept.md"):
        if take_down == "delete":
            stories.delete("world/gone.md")
        else:
            settled(stories, "world/gone.md", article(title=TAKEN_DOWN, published="2013-05-02 09:00", status="draft"))
        store.refresh(["world/gone.md"])
        assert reader.titles() == {OTHER}  # what can be rendered now, not the version showing it
        assert reader.max_age() <= RETRY_SECONDS
        assert TAKEN_DOWN not in headlines(reader.client.get("/"))
    assert reader.within(RETRY_SECONDS * 2) == {KEPT, OTHER}


def test_an_incomplete_answer_keeps_its_short_max_age_whatever_another_request_renders_meanwhile(stories, monkeypatch):
    """The document and how long it holds come from one cache entry: another request rendering the feed
    whole between the two must not give the incomplete one the whole one's max-age."""
    with started_while_being_saved(stories, monkeypatch, "world/kept.md") as (reader, saving):
        headers = Publisher.headers

        def headers_while_another_request_renders_it_whole(self, path, document, *args, **kwargs):
            monkeypatch.setattr(Publisher, "headers", headers)
            saving.close()  # kept.md reads back, and an edit to other.md renders the feed again
            settled(stories, "world/other.md", article(title=CORRECTED, published="2013-05-02 11:00"))
            self.store.refresh(["world/other.md"])
            assert self.document(path) is not document
            return headers(self, path, document, *args, **kwargs)

        monkeypatch.setattr(Publisher, "headers", headers_while_another_request_renders_it_whole)
        response = reader.client.get(FEED)
        assert entries(response) == [OTHER]
        assert max_age(response) <= RETRY_SECONDS
    assert sorted(entries(reader.client.get(FEED))) == sorted([KEPT, CORRECTED])


def test_an_archive_left_incomplete_is_cached_briefly_never_as_an_immutable_month(four_stories):
    reader = Subscriber(four_stories, items_per_feed=2)
    reader.holds_no_prepared_story()
    reader.service.publisher.prepared_cache._prepared.clear()
    april = "/sections/world/archive/2013-04/rss.xml"
    with saved_halfway(four_stories.root / "world/s0.md"):
        during = reader.client.get(april)
        assert entries(during) == []
        assert "immutable" not in during.headers["Cache-Control"]
        assert max_age(during) <= RETRY_SECONDS
        assert "Last-Modified" not in during.headers
    whole = reader.client.get(april)
    assert entries(whole) == ["S0"]
    assert whole.headers["Cache-Control"] == "public, max-age=604800, immutable"


def test_the_hub_hears_of_a_feed_mended_after_a_read_fault_without_any_request(stories):
    """The store does not change when the story reads back: the refresher's ticks announce while a fault
    lasts (the feed's held version was announced already; the mended one is news)."""
    world = BASE_URL + FEED.lstrip("/")
    with RecordingHub() as hub:
        app = create_app({"store": stories.root, "base_url": BASE_URL, "hub_url": hub.url, "refresh_seconds": 0.1})
        service = app.extensions["feedsvc"]
        try:
            assert world in announced(hub.wait_for(1)[0])
            service.publisher.prepared_cache.limit = 0
            service.publisher.prepared_cache._prepared.clear()
            with saved_halfway(stories.root / "world/kept.md"):
                stories.write("world/other.md", article(title=CORRECTED, published="2013-05-02 11:00"))
                deadline = time.monotonic() + 10
                while not service.publisher.documents.faults.lasting and time.monotonic() < deadline:
                    time.sleep(0.05)  # the watcher reads other.md: the feed cannot be rendered whole
                assert service.publisher.documents.faults.lasting
            deadline = time.monotonic() + RETRY_SECONDS * 4  # the first retry, and a tick
            while not any(world in announced(n) for n in hub.received[1:]) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert any(world in announced(n) for n in hub.received[1:]), [announced(n) for n in hub.received]
            titles = {e.title for e in feedparser.parse(service.publisher.document(FEED.lstrip("/")).body).entries}
            assert titles == {KEPT, CORRECTED}
        finally:
            service.close()


def test_as_served_no_request_renders_a_document_a_read_fault_left_held_its_refresher_does(stories, monkeypatch):
    """With a refresher watching the store, as served, the refresher's ticks render again what a read fault
    left held: a request after the retry time gets the held feed and page at once, rendering nothing, and
    the whole ones follow once the story reads back. Renders are counted by the thread that makes them."""
    moment = [datetime.now(UTC)]
    app = create_app({"store": stories.root, "base_url": BASE_URL, "refresh_seconds": 0.05}, clock=lambda: moment[0])
    service, client = app.extensions["feedsvc"], app.test_client()
    requests, renders = threading.current_thread().name, []  # the test client answers in this thread
    made = Rendered.of.__func__

    def counted(cls, *args, **kwargs):
        renders.append(threading.current_thread().name)
        return made(cls, *args, **kwargs)

    def answers() -> tuple[set[str], set[str]]:
        """The feed's titles and the home page's headlines, asserting that answering them rendered nothing."""
        feed, page = set(entries(client.get(FEED))), headlines(client.get("/"))
        assert requests not in renders, "a request rendered a document"
        return feed, page

    def until(condition) -> None:
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert condition()

    def rendered() -> bool:
        """Are the feed and the page rendered since the store changed? The refresher's renders are waited
        for, so that no request finds one still to be made."""
        return all(service.publisher.ready(path, moment[0].timestamp()) for path in (FEED.lstrip("/"), ""))

    def tried() -> bool:
        """Has the refresher rendered again every document due now?"""
        return not service.publisher.documents.due(service.store.snapshot.generation, moment[0].timestamp())

    try:
        service.publisher.prepared_cache.limit = 0  # every render reads its stories back
        service.publisher.prepared_cache._prepared.clear()
        monkeypatch.setattr(Rendered, "of", classmethod(counted))
        with saved_halfway(stories.root / "world/kept.md"):
            stories.write("world/other.md", article(title=CORRECTED, published="2013-05-02 11:00"))
            until(lambda: service.publisher.documents.faults.lasting and rendered())  # kept.md left out
            for wait in (RETRY_SECONDS, RETRY_SECONDS * 2, RETRY_SECONDS * 4):  # each just past the next try
                tries = len(renders)
                moment[0] += timedelta(seconds=wait + 0.5)
                feed, page = answers()
                assert feed == {KEPT, OTHER} and KEPT in page and CORRECTED not in page  # held, at once
                until(lambda tries=tries: len(renders) > tries and tried())  # the refresher's tries, failing again
        moment[0] += timedelta(seconds=RETRY_SECONDS * 8 + 0.5)  # the next try, within HOLD_SECONDS of the fault
        until(lambda: answers()[0] == {KEPT, CORRECTED} and CORRECTED in answers()[1])
    finally:
        service.close()


def test_edits_to_other_stories_during_a_fault_do_not_stretch_the_time_to_mend(stories):
    """An editor saving another story every half second while one cannot be read back: each save renders
    the feed again at once (and it fails again), but only a try that was due lengthens the interval, so
    the feed is whole within one interval of the story reading back, not the longest one."""
    reader = Subscriber(stories)
    reader.holds_no_prepared_story()
    store = reader.service.store
    with saved_halfway(stories.root / "world/kept.md"):
        for take in range(12):
            settled(stories, "world/other.md", article(title=f"{OTHER}, take {take}", published="2013-05-02 11:00"))
            store.refresh(["world/other.md"])
            assert KEPT in reader.titles()
            reader.wait(0.5)
    assert not store.refresh()  # kept.md holds what the store read again: nothing new for the store
    reader.within(RETRY_SECONDS * 2)
    assert reader.max_age() == 300, "whole again one interval after the story reads back"
    assert reader.titles() == {KEPT, f"{OTHER}, take 11"}


def test_a_retry_that_raises_holds_back_no_other_documents(stories, monkeypatch, caplog):
    """A bug in rendering one document (here the home page, the first the retries reach) is logged by
    name and tried again later; the feed it would have blocked is rendered whole by the same retry."""
    reader = Subscriber(stories)
    reader.holds_no_prepared_story()
    publisher = reader.service.publisher
    publisher.documents.retried_apart = True  # as under the refresher: only `retry` renders them again
    with other_corrected_while_kept_is_saved(reader, stories):
        assert reader.titles() == {KEPT, OTHER}  # held
        assert KEPT in headlines(reader.client.get("/"))  # the home page, held too
    reader.wait(RETRY_SECONDS + 0.5)
    assert {"", FEED.lstrip("/")} <= set(
        publisher.documents.due(publisher.store.snapshot.generation, reader.now.timestamp())
    )
    lookup = publisher.planner.lookup

    def broken(key, snapshot, now):
        if key is not None and key.path == "":
            raise RuntimeError("a renderer's bug")
        return lookup(key, snapshot, now)

    monkeypatch.setattr(publisher.planner, "lookup", broken)
    with caplog.at_level(logging.ERROR):
        publisher.warmer.retry(reader.now)
    assert reader.titles() == {KEPT, CORRECTED} and reader.max_age() == 300
    assert [
        r
        for r in caplog.records
        if r.levelno == logging.ERROR and r.getMessage().startswith("/: could not be rendered again")
    ]
    generation, moment = publisher.store.snapshot.generation, reader.now.timestamp()
    assert "" not in publisher.documents.due(generation, moment + RETRY_SECONDS)  # not at every tick
    assert "" in publisher.documents.due(generation, moment + RETRY_MAX_SECONDS)  # but later, as for any fault
