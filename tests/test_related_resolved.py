"""A story's related links are resolved once per store snapshot and reused by every document that
carries the story (publish.selection.Selector) — but never past the moment a linked story appears,
nor once the linked story has changed."""

from __future__ import annotations

import feedparser
import pytest

from feedsvc.publish.publisher import Publisher
from feedsvc.publish.settings import FeedSettings
from feedsvc.store.store import Store

from .conftest import BASE_URL, article, utc

BEFORE, AFTER = utc(2013, 5, 4, 12), utc(2013, 5, 6, 12)  # the linked story appears on the 5th


@pytest.fixture
def publisher(store_dir):
    store_dir.write("world/linking.md", article(title="The story that links", related=["business/linked"]))
    store_dir.write(
        "business/linked.md",
        article(title="The linked story, scheduled", section="business", published="2013-05-05 09:00"),
    )
    store = Store(store_dir.root, media_base_url=BASE_URL)
    store.refresh()
    return Publisher(store, FeedSettings(base_url=BASE_URL))


def related(publisher: Publisher, path: str, now) -> list[str]:
    """The titles of the linking story's related links in the feed at `path`, as a reader sees them."""
    entry = next(
        e for e in feedparser.parse(publisher.document(path, now).body).entries if e.title == "The story that links"
    )
    return [link.title for link in entry.links if link.rel == "related"]


def test_a_link_to_a_scheduled_story_appears_with_it_in_every_document(publisher):
    assert related(publisher, "sections/world/rss.xml", BEFORE) == []
    assert related(publisher, "sections/world/atom.xml", BEFORE) == []
    assert related(publisher, "sections/world/rss.xml", AFTER) == ["The linked story, scheduled"]
    assert related(publisher, "rss.xml", AFTER) == ["The linked story, scheduled"]
    assert related(publisher, "sections/world/atom.xml", AFTER) == ["The linked story, scheduled"]


def test_a_later_moment_does_not_answer_for_an_earlier_one(publisher):
    assert related(publisher, "sections/world/rss.xml", AFTER) == ["The linked story, scheduled"]
    assert related(publisher, "sections/world/atom.xml", BEFORE) == []


def test_the_linked_story_retitled_is_linked_by_its_new_title(publisher, store_dir):
    assert related(publisher, "sections/world/rss.xml", AFTER) == ["The linked story, scheduled"]
    store_dir.write(
        "business/linked.md",
        article(title="The linked story, retitled", section="business", published="2013-05-05 09:00"),
    )
    publisher.store.refresh(["business/linked.md"])
    assert related(publisher, "sections/world/rss.xml", AFTER) == ["The linked story, retitled"]
    assert related(publisher, "sections/world/atom.xml", AFTER) == ["The linked story, retitled"]
