"""Subscribe pages, one per feed scope: where the pages' RSS, Atom and JSON Feed buttons lead. Each says
what a feed reader is, links into five web readers with this feed's address, offers a feed: link for
apps, the address to copy and the raw feeds — and is discoverable, cacheable and listed nowhere a feed
reader or a search engine would take it for content."""

from __future__ import annotations

import re
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

import lxml.html
import pytest
from lxml import etree

from .conftest import BASE_URL, SAMPLE_STORE
from .test_pages import Page

SCOPES = {  # folder: what the page is about
    "": "The Sample Times",
    "sections/science/": "Science",
    "authors/priya-natarajan/": "Priya Natarajan",
    "tags/harbor-street/": "Harbor Street",
}
FORMATS = (
    ("RSS", "rss.xml", "application/rss+xml"),
    ("Atom", "atom.xml", "application/atom+xml"),
    ("JSON Feed", "feed.json", "application/feed+json"),
)
# Where each reader reads the feed's address in its "add feed" URL (see tests/unit/test_subscribe_links.py).
READER_PARAMETER = {"Inoreader": "add_feed", "NewsBlur": "url", "Feedbin": "subscribe", "The Old Reader": "url"}


def subscribe_page(client, folder: str):
    response = client.get(f"/{folder}subscribe/")
    assert response.status_code == 200, folder
    assert response.mimetype == "text/html" and response.mimetype_params["charset"] == "utf-8"
    return response, lxml.html.fromstring(response.data)


def the_address_a_reader_is_given(name: str, href: str) -> str:
    """The feed URL a reader gets from its link, decoded as the reader decodes it."""
    parts = urlsplit(href)
    if name == "Feedly":
        assert parts.netloc == "feedly.com" and parts.path.startswith("/i/subscription/feed%2F") and not parts.query
        return unquote(parts.path.removeprefix("/i/subscription/"))
    query = parse_qs(parts.query, strict_parsing=True)
    assert list(query) == [READER_PARAMETER[name]] and len(query[READER_PARAMETER[name]]) == 1
    return query[READER_PARAMETER[name]][0]


@pytest.mark.parametrize("folder", list(SCOPES), ids=["all", "section", "writer", "tag"])
def test_each_scope_has_a_subscribe_page_a_newcomer_can_follow(client, folder):
    _, page = subscribe_page(client, folder)
    name, rss = SCOPES[folder], f"{BASE_URL}{folder}rss.xml"
    assert page.findtext(".//title") == f"Subscribe to {name} — The Sample Times"
    assert page.xpath("string(//h1)") == f"Subscribe to {name}"
    assert page.xpath("//p[@class='back']/a/@href") == [BASE_URL + folder]

    # Two sentences on what a feed reader is.
    lede = page.xpath("string(//p[@class='lede'])")
    assert lede.startswith("A feed reader is an app or website") and len(re.findall(r"[.!?](\s|$)", lede)) == 2

    # One click into each web reader, with this feed's address as that reader reads it.
    readers = [(a.text_content(), a.get("href")) for a in page.xpath("//section[@aria-labelledby='web-readers']//a")]
    assert [reader for reader, _ in readers] == ["Feedly", "Inoreader", "NewsBlur", "Feedbin", "The Old Reader"]
    for reader, href in readers:
        expected = "feed/" + rss if reader == "Feedly" else rss  # Feedly takes a feed id: "feed/" + URL
        assert href.startswith("https://") and the_address_a_reader_is_given(reader, href) == expected, reader

    # The app link, the address to copy, and the raw feeds one click further.
    assert page.xpath("//section[@aria-labelledby='apps']//a/@href") == ["feed:" + rss]
    assert page.xpath("//code[@id='feed-url']/text()") == [rss]
    raw = page.xpath("//section[@aria-labelledby='raw']//li")
    assert [
        (li.xpath("string(a)"), li.xpath("string(a/@href)"), li.xpath("string(a/@type)"), li.xpath("string(code)"))
        for li in raw
    ] == [(label, BASE_URL + folder + file, kind, BASE_URL + folder + file) for label, file, kind in FORMATS]


@pytest.mark.parametrize("folder", list(SCOPES), ids=["all", "section", "writer", "tag"])
def test_a_subscribe_page_keeps_autodiscovery_pointing_at_the_feeds_themselves(client, folder):
    response, _ = subscribe_page(client, folder)
    page = Page(response.data.decode())
    title = "The Sample Times" + (f" — {SCOPES[folder]}" if folder else "")
    assert page.alternates == [(kind, BASE_URL + folder + file, f"{title} ({label})") for label, file, kind in FORMATS]
    scope_page = Page(client.get(f"/{folder}").data.decode())
    assert set(page.alternates) <= set(scope_page.alternates)  # the same as the page it belongs to


@pytest.mark.parametrize("folder", list(SCOPES), ids=["all", "section", "writer", "tag"])
def test_search_engines_are_asked_to_index_the_page_not_its_subscribe_page(client, folder):
    """A subscribe page per scope says the same thing many times over: it must not crowd the newsroom's
    own pages out of search results."""

    def robots(path: str) -> list[str]:
        tree = lxml.html.fromstring(client.get(path).data)
        return tree.xpath('//head/meta[@name="robots"]/@content')

    assert robots(f"/{folder}subscribe/") == ["noindex"]
    assert robots(f"/{folder}") == []


@pytest.mark.parametrize(
    "path",
    ["/sections/sports/subscribe/", "/authors/nobody/subscribe/", "/tags/botany/subscribe/", "/tags/nope/subscribe/"],
)
def test_a_scope_without_feeds_has_no_subscribe_page(client, path):
    assert client.get(path).status_code == 404


def test_the_buttons_on_every_page_lead_to_its_subscribe_page(client):
    for folder in SCOPES:
        page = Page(client.get(f"/{folder}").data.decode())
        assert page.buttons == [(f"{BASE_URL}{folder}subscribe/", label) for label, _, _ in FORMATS], folder


def test_subscribe_pages_are_served_and_built_but_named_in_no_feed_list_or_sitemap(client, sample_app):
    publisher = sample_app.extensions["feedsvc"].publisher
    paths = publisher.paths()
    pages = [p for p in paths if p == "" or (p.endswith("/") and not p.endswith("subscribe/"))]
    assert sorted(p for p in paths if p.endswith("subscribe/")) == sorted(p + "subscribe/" for p in pages)
    assert {f + "subscribe/" for f in SCOPES} <= set(paths)
    for path in paths:
        if path.endswith((".xml", ".json", ".opml")):  # feeds, archives, OPML lists, the sitemap
            body = client.get("/" + path).data.decode()
            assert "subscribe/" not in body, path
    assert "subscribe/" not in client.get("/robots.txt").data.decode()
    for kind in ("feeds", "authors", "tags"):
        outlines = etree.fromstring(client.get(f"/{kind}.opml").data).iter("outline")
        assert all("subscribe" not in value for outline in outlines for value in outline.attrib.values())


def test_a_subscribe_page_is_cached_like_a_page_answers_304_and_names_no_story(client):
    first = client.get("/sections/science/subscribe/")
    assert first.headers["Cache-Control"].startswith("public, max-age=300")
    site_saved = (SAMPLE_STORE / "_site.yml").stat().st_mtime  # it shows no story: only the site file dates it
    assert first.headers["Last-Modified"] == formatdate(int(site_saved), usegmt=True)
    assert (
        client.get("/sections/science/subscribe/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    )
    assert "Volunteer sky watchers" not in first.data.decode()
