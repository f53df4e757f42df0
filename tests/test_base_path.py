"""A publisher whose base URL has a path (`https://feeds.example.com/news/`): every address a feed,
page or OPML file publishes is answered there — and, for a proxy that strips the prefix, at the
un-prefixed path too, with the same bytes."""

from __future__ import annotations

from urllib.parse import urlsplit

import listparser
import pytest

from feedsvc.serve.app import create_app

from .conftest import SAMPLE_STORE
from .feeds import parsed, xml
from .servers import free_port, gunicorn, request
from .test_pages import Page
from .test_site_url import urls_in

BASE = "https://feeds.example.com/news/"


@pytest.fixture(scope="module")
def client():
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE}, auto_refresh=False)
    app.testing = True
    return app.test_client()


def published(client) -> set[str]:
    """Every address under the base URL that the feeds, pages and OPML file give a subscriber."""
    found: set[str] = set()
    for path in ("rss.xml", "atom.xml", "sections/world-nation/rss.xml", "sections/local/atom.xml"):
        found.update(urls_in(xml(client.get("/news/" + path).data)))
    for path in ("", "sections/business/"):
        page = Page(client.get("/news/" + path).data.decode("utf-8"))
        found.update(
            page.anchors, (href for _, href, _ in page.alternates), (img["src"] for img in page.images), page.outlines
        )
    found.update(feed.url for feed in listparser.parse(client.get("/news/feeds.opml").data.decode("utf-8")).feeds)
    return {url for url in found if url and url.startswith(BASE)}


def test_every_address_published_under_the_base_path_is_answered(client):
    addresses = published(client)
    assert {BASE + "rss.xml", BASE + "feeds.opml", BASE + "sections/world-nation/atom.xml"} <= addresses
    assert any("/media/" in url for url in addresses)  # enclosures and photos
    for url in addresses:
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200, url


@pytest.mark.parametrize("path", ["rss.xml", "sections/world-nation/atom.xml", "feed.json", "feeds.opml"])
def test_a_feed_read_at_its_published_address_names_itself_there(client, path):
    response = client.get("/news/" + path)
    assert response.status_code == 200
    if path.endswith(".xml"):
        feed = parsed(response.data, BASE + path, response.headers["Content-Type"]).feed
        assert [link.href for link in feed.links if link.rel == "self"] == [BASE + path]


@pytest.mark.parametrize("path", ["rss.xml", "sections/world-nation/atom.xml", "", "media/2013/obama-pena-nieto.jpg"])
def test_a_proxy_that_strips_the_prefix_gets_the_same_answer(client, path):
    prefixed, stripped = client.get("/news/" + path), client.get("/" + path)
    assert prefixed.status_code == stripped.status_code == 200
    assert prefixed.data == stripped.data
    assert prefixed.headers["ETag"] == stripped.headers["ETag"]


def test_the_base_path_without_its_slash_leads_to_the_home_page(client):
    response = client.get("/news")
    assert response.status_code == 301 and response.headers["Location"] == BASE
    tagged = client.get("/news", query_string="utm_source=letter")  # a campaign's link keeps its query
    assert tagged.status_code == 301 and tagged.headers["Location"] == BASE + "?utm_source=letter"
    assert client.get("/news/nowhere.xml").status_code == 404
    for page in ("/news/sections/world-nation", "/sections/world-nation"):  # kept or stripped by a proxy
        moved = client.get(page)
        assert moved.status_code == 301 and moved.headers["Location"] == BASE + "sections/world-nation/"


def test_a_base_path_that_is_also_a_public_name_stays_unambiguous():
    app = create_app({"store": SAMPLE_STORE, "base_url": "https://feeds.example.com/sections/"}, auto_refresh=False)
    client = app.test_client()
    published_here = client.get("/sections/sections/world-nation/rss.xml")
    stripped_by_a_proxy = client.get("/sections/world-nation/rss.xml")
    assert published_here.status_code == stripped_by_a_proxy.status_code == 200
    assert published_here.data == stripped_by_a_proxy.data
    assert client.get("/sections/").status_code == 200  # the home page, at the base URL


def test_gunicorn_answers_at_the_addresses_its_feeds_publish():
    port = free_port()
    base = f"http://127.0.0.1:{port}/feeds/"
    with gunicorn(SAMPLE_STORE, base, workers=1, threads=2, port=port):
        feed = request(port, "/feeds/rss.xml")
        assert feed.status == 200
        addresses = [url for url in urls_in(xml(feed.body)) if url.startswith(base)]
        assert base + "rss.xml" in addresses and any("/media/" in url for url in addresses)
        for url in addresses:
            assert request(port, urlsplit(url).path).status == 200, url
