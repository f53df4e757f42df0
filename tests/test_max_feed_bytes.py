"""max_feed_bytes. A feed over it drops whole items from its end: never cut mid-item, still valid, no
more items than needed, its Last-Modified from what it holds, and not claiming to be complete (RFC
5005); a story too long for any feed is carried by its summary and a link; archives obey the same limit
and, with the feed, still reach every story.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, StoreDir, article
from .feeds import NS, xml
from .hostile import feed_paths, read_feed


def long_store(store_dir: StoreDir, sizes: list[int]) -> None:
    """Stories newest first with bodies of `sizes` words; the oldest one corrected most recently."""
    newest = datetime(2013, 5, 28, 12, tzinfo=UTC)
    for i, words in enumerate(sizes):
        path = store_dir.write(
            f"world/s{i:02d}.md",
            article(
                title=f"Story {i:02d}",
                published=(newest - timedelta(hours=i)).isoformat(),
                updated="2014-01-01T00:00:00Z" if i == len(sizes) - 1 else None,
                body="\n\n".join(
                    "Lorem ipsum dolor sit amet, consectetur adipiscing. " * 10 for _ in range(words // 80 + 1)
                ),
            ),
        )
        saved = datetime(2014, 1, 1, tzinfo=UTC) if i == len(sizes) - 1 else newest - timedelta(days=365)
        os.utime(path, (saved.timestamp(), saved.timestamp()))  # each file saved when it was dated
    os.utime(store_dir.root / "_site.yml", (0, 0))


def items_of(path: str, body: bytes) -> list[bytes]:
    """Each item as its own bytes (RSS item, Atom entry, JSON Feed item)."""
    if path.endswith(".json"):
        return [json.dumps(item, sort_keys=True).encode() for item in json.loads(body)["items"]]
    tag = "channel/item" if path.endswith("rss.xml") else "atom:entry"
    # Exclusive C14N: namespaces the item does not use (fh:, when the feed says it is complete) don't count.
    return [
        etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
        for element in xml(body).iterfind(tag, NS)
    ]


SHAPES = {"uniform": [1200] * 30, "short-new-long-old": [20] * 20 + [1500] * 20}
LIMIT = 50_000
FEEDS = feed_paths(["world"], formats=("rss.xml", "atom.xml", "feed.json"))


@pytest.fixture(params=SHAPES)
def trimmed(request, store_dir):
    """Each feed of a store that overflows LIMIT: (path, trimmed response, complete body) for every feed."""
    long_store(store_dir, SHAPES[request.param])
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": LIMIT}, auto_refresh=False)
    whole = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    feeds = [(path, app.test_client().get("/" + path), whole.test_client().get("/" + path).data) for path in FEEDS]
    for _path, _, complete in feeds:
        assert len(complete) > LIMIT, "the test store must overflow the limit"
    return store_dir, feeds


def test_a_feed_over_max_feed_bytes_drops_whole_items_from_its_end(trimmed):
    _, feeds = trimmed
    for path, response, complete in feeds:
        assert len(response.data) <= LIMIT, (path, len(response.data))
        read_feed(path, response.data)  # still valid
        kept, every = items_of(path, response.data), items_of(path, complete)
        assert kept and kept == every[: len(kept)], path  # whole items, the newest ones


def test_a_trimmed_feed_keeps_every_item_that_fits(trimmed):
    store_dir, feeds = trimmed
    for path, response, _ in feeds:
        kept = len(items_of(path, response.data))
        one_more = (
            create_app({"store": store_dir.root, "base_url": BASE_URL, "items_per_feed": kept + 1}, auto_refresh=False)
            .test_client()
            .get("/" + path)
            .data
        )
        assert len(one_more) > LIMIT, (
            f"{path}: kept {kept} items in {len(response.data):,} bytes, but "
            f"{kept + 1} fit in {len(one_more):,} bytes (limit {LIMIT:,})"
        )


def test_a_trimmed_feeds_last_modified_is_its_newest_item(trimmed):
    """Last-Modified comes from what the document holds (README), not from items left out of it."""
    _, feeds = trimmed
    for path, response, _ in feeds:
        if path.endswith(".json"):
            items = json.loads(response.data)["items"]
            newest = max(datetime.fromisoformat(item["date_modified"]) for item in items)
        else:
            entries = read_feed(path, response.data).entries
            newest = max(datetime(*e.updated_parsed[:6], tzinfo=UTC) for e in entries)
        assert response.headers["Last-Modified"] == newest.strftime("%a, %d %b %Y %H:%M:%S GMT"), path


def test_a_story_too_long_for_any_feed_is_carried_by_its_summary_and_a_link(store_dir):
    """A 130 KB body in feeds limited to 20 KB: rather than vanish from every feed, the story is there,
    whole, with its summary and a link to the full text; a story of ordinary length beside it keeps its body."""
    long_store(store_dir, [200, 20_000])
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": 20_000}, auto_refresh=False)
    for path in feed_paths(["world"], formats=("rss.xml", "atom.xml", "feed.json")):
        body = app.test_client().get("/" + path).data
        assert len(body) <= 20_000, path
        if path.endswith(".json"):
            contents = {item["title"]: item["content_html"] for item in json.loads(body)["items"]}
        else:
            contents = {e.title: e.content[0].value for e in read_feed(path, body).entries}
        assert set(contents) == {"Story 00", "Story 01"}, path
        assert contents["Story 00"].count("Lorem ipsum") > 10  # the short one, whole
        assert (
            "Read the whole story" in contents["Story 01"]
            and "https://news.example.com/world/s01" in contents["Story 01"]
            and contents["Story 01"].count("Lorem ipsum") <= 6
        )  # the summary, not the body


def test_a_trimmed_feed_does_not_claim_to_be_complete(store_dir):
    """README: "while every story of a section fits in its feed, the feed says so (fh:complete)". A feed
    that left stories out to fit max_feed_bytes must not say so: RFC 5005 readers would take the stories
    left out as deleted."""
    long_store(store_dir, [1200] * 30)  # 30 stories: fewer than items_per_feed
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": LIMIT}, auto_refresh=False)
    for path in feed_paths(["world"]):
        body = app.test_client().get("/" + path).data
        kept = len(items_of(path, body))
        assert kept < 30, "the test store must overflow the limit"
        complete = xml(body).find(".//{http://purl.org/syndication/history/1.0}complete")
        assert complete is None, f"{path} holds {kept} of 30 stories and says it is complete (fh:complete)"


def test_archive_documents_stay_under_max_feed_bytes_too(store_dir):
    """A section that outgrows its feed gets monthly RFC 5005 archives; they are feeds as well, fetched by
    anyone, and must not grow without bound (a busy month of long stories)."""
    newest = datetime(2013, 5, 28, 12, tzinfo=UTC)
    for i in range(80):
        store_dir.write(
            f"world/s{i:02d}.md",
            article(
                title=f"Story {i:02d}",
                published=(newest - timedelta(hours=i)).isoformat(),
                body="Lorem ipsum dolor sit amet, consectetur. " * 60,
            ),
        )
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": LIMIT}, auto_refresh=False)
    client = app.test_client()
    for fmt in ("rss.xml", "atom.xml"):
        archives = [p for p in app.extensions["feedsvc"].publisher.paths() if "/archive/" in p and p.endswith(fmt)]
        assert archives, "the store must have archives"
        seen = {e.id for e in read_feed(f"sections/world/{fmt}", client.get(f"/sections/world/{fmt}").data).entries}
        for path in archives:
            body = client.get("/" + path).data
            assert len(body) <= LIMIT, f"{path}: {len(body):,} bytes, over max_feed_bytes ({LIMIT:,})"
            seen |= {e.id for e in read_feed(path, body).entries}
        # RFC 5005 §4: the feed and its archives together hold every entry; a story trimmed from an
        # archive page to fit is in no document at all.
        missing = sorted(
            f"tag:news.example.com,2013-01-01:world/s{i:02d}"
            for i in range(80)
            if f"tag:news.example.com,2013-01-01:world/s{i:02d}" not in seen
        )
        assert not missing, f"{fmt}: {len(missing)} of 80 stories are in neither the feed nor any archive"
