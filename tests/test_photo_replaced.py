"""A replaced photo re-reads the stories using it, whatever read it first.

The store once kept one record per photo for two jobs: measuring it once per version, and noticing
that it changed. A `/media/` request or a build that read the new photo before the store looked
again saved the new measurement in that record, the next look saw nothing changed, and the feeds
kept the old enclosure length and pixel size until the story was edited.
"""

from __future__ import annotations

import os
import time

import pytest

from feedsvc.serve.app import create_app
from feedsvc.static.build import build
from feedsvc.store.store import Store

from .conftest import BASE_URL, article, make_jpeg
from .feeds import NS, parsed, xml
from .test_build import config_for

PHOTO = "media/p.jpg"


@pytest.fixture
def photo_story(store_dir):
    make_jpeg(store_dir.root / PHOTO, size=(1200, 800))
    story = store_dir.write(
        "world/photo.md",
        article(title="A story whose photo is replaced", photo={"src": PHOTO, "caption": "c", "credit": "c"}),
    )
    an_hour_ago = time.time() - 3600  # old enough that no look re-reads it just in case (RACY_NS)
    os.utime(story, (an_hour_ago, an_hour_ago))
    return store_dir


def replace_photo(store_dir) -> int:
    """Save a larger photo of other dimensions under the same name; its new length."""
    path = make_jpeg(store_dir.root / PHOTO, size=(1600, 900), color=(200, 40, 40))
    return path.stat().st_size


def described(rss: bytes) -> tuple[int, tuple[str, str], int]:
    """(enclosure length, media:content width/height, media:content fileSize) of the feed's one photo."""
    document = xml(rss)
    [length] = document.xpath("//item/enclosure/@length")
    [content] = document.xpath("//item/media:content", namespaces=NS)
    return int(length), (content.get("width"), content.get("height")), int(content.get("fileSize"))


def rss_entry(body: bytes):
    feed = parsed(body, BASE_URL + "rss.xml", "application/rss+xml")
    [entry] = feed.entries
    return entry


@pytest.mark.parametrize("look", ["scan", "named"])
def test_a_photo_served_before_the_store_looks_again_still_updates_the_feeds(photo_story, look):
    app = create_app({"store": photo_story.root, "base_url": BASE_URL}, auto_refresh=False)
    client, service = app.test_client(), app.extensions["feedsvc"]
    old_length = (photo_story.root / PHOTO).stat().st_size
    assert described(client.get("/rss.xml").data)[0] == old_length

    new_length = replace_photo(photo_story)
    assert new_length != old_length
    served = client.get("/" + PHOTO)  # a reader's browser fetches the new photo first
    assert served.status_code == 200 and served.data == (photo_story.root / PHOTO).read_bytes()
    service.store.refresh(None if look == "scan" else [PHOTO])

    body = client.get("/rss.xml").data
    assert described(body) == (new_length, ("1600", "900"), new_length)
    assert int(rss_entry(body).enclosures[0]["length"]) == new_length


def test_a_parse_cache_saved_after_such_a_read_does_not_bring_the_old_length_back(photo_story, tmp_path):
    cache = tmp_path / "cache"
    app = create_app({"store": photo_story.root, "base_url": BASE_URL, "cache_dir": str(cache)}, auto_refresh=False)
    client, service = app.test_client(), app.extensions["feedsvc"]
    service.store.save_cache()
    new_length = replace_photo(photo_story)
    assert client.get("/" + PHOTO).status_code == 200
    service.store.save_cache()  # saved before any look at the store

    restarted = create_app(
        {"store": photo_story.root, "base_url": BASE_URL, "cache_dir": str(cache)}, auto_refresh=False
    )
    assert described(restarted.test_client().get("/rss.xml").data) == (new_length, ("1600", "900"), new_length)


def test_a_build_after_the_store_measured_the_new_photo_describes_the_new_file(photo_story, tmp_path):
    config = config_for(photo_story.root)
    store = Store.open(config.store, media_base_url=config.feeds.base_url, limits=config.read)
    new_length = replace_photo(photo_story)
    assert store.photo_acceptable(PHOTO)  # what a /media/ request asks, in a service

    out = tmp_path / "public"
    build(config, out, store=store)
    assert (out / PHOTO).read_bytes() == (photo_story.root / PHOTO).read_bytes()
    for name in ("rss.xml", "sections/world/rss.xml"):
        assert described((out / name).read_bytes()) == (new_length, ("1600", "900"), new_length), name
