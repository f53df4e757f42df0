"""The subscribe pages' parts that are plain functions: their paths in the one table of paths, the
readers' "add feed" addresses (written out here from each reader's documentation, so a change to the
renderer's table has to be made twice, on purpose), the feed: URI, and which photos a page can load."""

from __future__ import annotations

import pytest

from feedsvc.model import AUTHOR, EVERYTHING, SECTION, TAG, Scope
from feedsvc.paths import FeedKey, PageKey, SubscribeKey, build_file_name, route
from feedsvc.render.pages import photo_loads
from feedsvc.render.subscribe import READERS, feed_uri

FEED = "https://feeds.example.com/sections/world-nation/rss.xml"
ENCODED = "https%3A%2F%2Ffeeds.example.com%2Fsections%2Fworld-nation%2Frss.xml"


@pytest.mark.parametrize(
    "scope, path",
    [
        pytest.param(EVERYTHING, "subscribe/", id="every section: at the root"),
        pytest.param(Scope(SECTION, "world-nation"), "sections/world-nation/subscribe/", id="a section"),
        pytest.param(Scope(AUTHOR, "priya-natarajan"), "authors/priya-natarajan/subscribe/", id="a writer"),
        pytest.param(Scope(TAG, "harbor-street"), "tags/harbor-street/subscribe/", id="a tag"),
        pytest.param(Scope(SECTION, "subscribe"), "sections/subscribe/subscribe/", id="a section called subscribe"),
    ],
)
def test_a_subscribe_page_path_routes_back_to_its_scope(scope, path):
    assert SubscribeKey(scope).path == path
    assert route(path) == SubscribeKey(scope)
    assert build_file_name(path) == path + "index.html"  # a page: the build writes an index.html


@pytest.mark.parametrize(
    "path, key",
    [
        pytest.param(
            "sections/subscribe/", PageKey(Scope(SECTION, "subscribe")), id="a section's page, not a subscribe page"
        ),
        pytest.param("subscribe", None, id="no slash: not a page"),
        pytest.param("sections/x/subscribe", None, id="nor here"),
        pytest.param("sections/x/subscribe/rss.xml", None, id="no feeds under a subscribe page"),
        pytest.param("sections/x/rss.xml", FeedKey(Scope(SECTION, "x"), "rss"), id="the feed itself is unchanged"),
    ],
)
def test_paths_near_a_subscribe_page_keep_their_meaning(path, key):
    assert route(path) == key


@pytest.mark.parametrize(
    "name, address",
    [
        # Feedly: feed id "feed/<url>", URL-encoded (developer.feedly.com/cloud/, Resource Ids; its follow button)
        pytest.param("Feedly", f"https://feedly.com/i/subscription/feed%2F{ENCODED}", id="Feedly"),
        # Inoreader: the handler it registered with SubToMe (superfeedr/subtome, store.js)
        pytest.param("Inoreader", f"https://www.inoreader.com/?add_feed={ENCODED}", id="Inoreader"),
        # NewsBlur: "?url=" opens its add-site dialog (samuelclay/NewsBlur, feed_list_view.js)
        pytest.param("NewsBlur", f"https://www.newsblur.com/?url={ENCODED}", id="NewsBlur"),
        # Feedbin: "https://feedbin.com/?subscribe=%s" (Feedbin help, How to Subscribe)
        pytest.param("Feedbin", f"https://feedbin.com/?subscribe={ENCODED}", id="Feedbin"),
        # The Old Reader: "…/feeds/subscribe?url=%s" (its Howto, theoldreader/i18n)
        pytest.param("The Old Reader", f"https://theoldreader.com/feeds/subscribe?url={ENCODED}", id="The Old Reader"),
    ],
)
def test_each_reader_gets_its_documented_add_feed_address(name, address):
    assert {reader.name: reader.url(FEED) for reader in READERS}[name] == address


def test_the_five_readers_in_the_order_a_page_lists_them():
    assert [reader.name for reader in READERS] == ["Feedly", "Inoreader", "NewsBlur", "Feedbin", "The Old Reader"]


@pytest.mark.parametrize(
    "feed, encoded",
    [
        pytest.param(
            "https://example.com/feeds/rss.xml?a=1&b=2",
            "https%3A%2F%2Fexample.com%2Ffeeds%2Frss.xml%3Fa%3D1%26b%3D2",
            id="& and = cannot end the reader's own parameter",
        ),
        pytest.param(
            "https://example.com/caf%C3%A9/rss.xml",
            "https%3A%2F%2Fexample.com%2Fcaf%25C3%25A9%2Frss.xml",
            id="an escape in the feed's URL is escaped again, and comes back whole",
        ),
    ],
)
def test_a_feed_url_is_percent_encoded_whole(feed, encoded):
    assert READERS[2].url(feed) == "https://www.newsblur.com/?url=" + encoded


@pytest.mark.parametrize(
    "feed, uri",
    [
        pytest.param("https://feeds.example.com/rss.xml", "feed:https://feeds.example.com/rss.xml", id="https"),
        pytest.param("http://127.0.0.1:8000/rss.xml", "feed:http://127.0.0.1:8000/rss.xml", id="http"),
    ],
)
def test_the_feed_uri_is_feed_colon_and_the_feeds_url(feed, uri):
    assert feed_uri(feed) == uri


BASE = "https://feeds.example.com/"


@pytest.mark.parametrize(
    "url, loads",
    [
        pytest.param(BASE + "media/2013/tide-pools.jpg", True, id="ours, even on an example domain"),
        pytest.param("https://images.newsroom.org/a.jpg", True, id="a remote photo on a real domain"),
        pytest.param("http://localhost:8000/a.jpg", True, id="localhost serves"),
        pytest.param("https://news.example.com/images/remote-example.jpg", False, id="example.com (RFC 2606)"),
        pytest.param("https://example.org/a.jpg", False, id="example.org itself"),
        pytest.param("https://photos.example/a.jpg", False, id=".example"),
        pytest.param("https://photos.test/a.jpg", False, id=".test"),
        pytest.param("https://photos.invalid/a.jpg", False, id=".invalid"),
        pytest.param("https://NEWS.EXAMPLE.COM./a.jpg", False, id="case and a trailing dot"),
        pytest.param("https://notexample.com/a.jpg", True, id="a name that only ends like one"),
    ],
)
def test_a_photo_on_a_domain_reserved_for_examples_cannot_load(url, loads):
    assert photo_loads(url, BASE) is loads
