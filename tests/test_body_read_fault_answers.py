"""What a subscriber, a cache and the log get while a story's body cannot be read back (see
test_body_read_faults.py for the feed itself): an incomplete answer is never dated like the whole one nor
cached for long, a takedown made meanwhile is not held back, and every episode is named in the log."""

from __future__ import annotations

import contextlib

import feedparser

from feedsvc.publish.cache import RETRY_SECONDS
from feedsvc.publish.publisher import Publisher

from .test_body_read_faults import FEED, KEPT, OTHER, Subscriber, saved_halfway, stories

__all__ = ["stories"]  # the fixture, shared with test_body_read_faults


def entries(response) -> list[str]:
    assert response.status_code == 200
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.bozo_exception
    return [entry.title for entry in parsed.entries]


@contextlib.contextmanager
def started_while_being_saved(store_dir, monkeypatch, relpath: str):
    """A Subscriber whose service renders its first documents while `relpath` is halfway through a save;
    the file is back as it was once the block ends."""
    first_warm = Publisher.warm
    with contextlib.ExitStack() as saving:

        def warm_while_being_saved(self, now=None):
            monkeypatch.setattr(Publisher, "warm", first_warm)
            saving.enter_context(saved_halfway(store_dir.root / relpath))
            return first_warm(self, now)

        monkeypatch.setattr(Publisher, "warm", warm_while_being_saved)
        yield Subscriber(store_dir)


def test_an_incomplete_feed_is_undated_so_a_poll_by_date_alone_gets_the_whole_one_once_it_reads_back(
    stories, monkeypatch
):
    """A reader that keeps Last-Modified alone (no ETag) and polls with If-Modified-Since."""
    with started_while_being_saved(stories, monkeypatch, "world/kept.md") as reader:
        during = reader.client.get(FEED)
        assert entries(during) == [OTHER]
        assert "Last-Modified" not in during.headers
        assert "Last-Modified" not in reader.client.get("/").headers  # a page alike
        kept_date = during.headers.get("Last-Modified")
    reader.wait(RETRY_SECONDS + 0.5)
    after = reader.client.get(FEED, headers={"If-Modified-Since": kept_date} if kept_date else {})
    assert sorted(entries(after)) == sorted([KEPT, OTHER])
    dated = after.headers["Last-Modified"]
    assert reader.client.get(FEED, headers={"If-Modified-Since": dated}).status_code == 304  # whole: dated
