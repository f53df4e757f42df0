"""A story moved to another file with the same bytes — its `id` given, its `url` not — keeps its id but
takes the new file's address: its slug, and so its URL, are the file's name. What was rendered of it
(a feed kept as current, an item feedgen wrote, a document a build recorded) must not outlive the move:
each is known by the story's revision, which therefore covers its path."""

from __future__ import annotations

import feedparser

from feedsvc.serve.app import create_app
from feedsvc.static.build import build

from .conftest import BASE_URL, article
from .test_build import config_for
from .test_prepared_files import built, prepared, written_items

__all__ = ["prepared", "written_items"]  # the fixtures, shared with test_prepared_files

FEED = "/sections/world/atom.xml"
STORY = article("A body with a [footnote](#notes), long enough to summarise.", title="Moved", id="moved-story")


def moved(store_dir) -> None:
    (store_dir.root / "world/first-name.md").rename(store_dir.root / "world/second-name.md")


def test_the_service_serves_a_moved_story_at_its_new_address(store_dir):
    store_dir.write("world/first-name.md", STORY)
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    service, client = app.extensions["feedsvc"], app.test_client()
    [before] = feedparser.parse(client.get(FEED).get_data()).entries
    assert before.link == "https://news.example.com/world/first-name"
    moved(store_dir)
    assert service.store.refresh().added == {"world/second-name.md"}
    feed = client.get(FEED).get_data()
    [after] = feedparser.parse(feed).entries
    assert (after.id, after.link) == (before.id, "https://news.example.com/world/second-name")
    assert b"first-name" not in feed and b"first-name" not in client.get("/").get_data()


def test_a_one_off_build_writes_a_moved_story_as_a_fresh_build_does(store_dir, tmp_path, prepared, written_items):
    """A new process, with the items and HTML an earlier build kept and the documents it recorded."""
    written, new_process = written_items
    store_dir.write("world/first-name.md", STORY)
    store_dir.write("world/other.md", article(title="Another story, not moved", published="2013-05-01"))
    out = tmp_path / "public"
    built(store_dir, out, tmp_path, prepared)
    new_process()
    moved(store_dir)
    build(config_for(store_dir.root, cache_dir=str(tmp_path / "cache")), out)
    assert "Moved" in written and "Another story, not moved" not in written  # the other's items were kept
    [entry] = [e for e in feedparser.parse((out / FEED.lstrip("/")).read_bytes()).entries if e.title == "Moved"]
    assert entry.link == "https://news.example.com/world/second-name"
    new_process()
    built(store_dir, out, tmp_path, prepared)  # compared with a build without any cache
