"""Shared by the hostile-input tests: fetch every document a publication serves and read it the way
subscribers' software does. What in a document could run script: tests/script_spotting.py; which
files the process opens: tests/audit.py."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from feedparser import FeedParserDict

from .conftest import BASE_URL
from .feeds import parsed, xml

FEED_TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}


def feed_paths(section_slugs, formats=("rss.xml", "atom.xml")) -> list[str]:
    """Every feed path of a site with these sections, as README's table lists them (no leading '/')."""
    paths = list(formats)
    for slug in section_slugs:
        paths += [f"sections/{slug}/{name}" for name in formats]
    return paths


def read_feed(path: str, body: bytes):
    """Strict XML (or JSON) and feedparser with bozo false, or the test fails; returns feedparser's result."""
    if path.endswith(".json"):
        return json_feed(body)
    xml(body)
    return parsed(body, BASE_URL + path, FEED_TYPES[path.rsplit("/", 1)[-1]])


def json_feed(body: bytes) -> FeedParserDict:
    """A JSON Feed 1.1 read strictly (feedparser 6.0 reads no JSON), shaped like feedparser's result."""
    document = json.loads(body.decode("utf-8"))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    entries = []
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"]
        entries.append(
            FeedParserDict(
                id=item["id"],
                link=item.get("url"),
                title=item.get("title"),
                content=[FeedParserDict(value=item.get("content_html", ""))],
            )
        )
    return FeedParserDict(feed=document, entries=entries, bozo=False, json=document)


def served_paths(app, section_slugs) -> list[str]:
    """README's paths ("/", each RSS and Atom feed) and whatever else the publication lists (JSON Feed,
    OPML, section pages, archives), photos aside."""
    listed = app.extensions["feedsvc"].publisher.paths()
    wanted = ["", *feed_paths(section_slugs)]
    return wanted + [p for p in listed if p not in wanted and not p.startswith("media/")]


def fetch_everything(app, section_slugs) -> dict[str, bytes]:
    """GET every served document through the Flask test client: each must be a 200; path → body."""
    client = app.test_client()
    bodies = {}
    for path in served_paths(app, section_slugs):
        response = client.get("/" + path)
        assert response.status_code == 200, (path, response.status_code, response.data[:200])
        bodies[path] = response.data
    return bodies


def check_document(path: str, body: bytes):
    """Read one served document as its readers would: feeds by feedparser (bozo false) and strictly,
    OPML strictly, pages as UTF-8 HTML. Returns feedparser's result for feeds, else None."""
    name = path.rsplit("/", 1)[-1]
    if name in FEED_TYPES:
        return read_feed(path, body)
    if name.endswith((".opml", "sitemap.xml")):
        xml(body)
        return None
    if name == "robots.txt":
        assert body.decode("ascii").startswith("User-agent: *\n"), body
        return None
    assert name == "", path
    page = PageSkeleton.of(body)
    assert page.tags and page.tags[0][0] == "html", path
    return None


class PageSkeleton(HTMLParser):
    """The tags and attribute names of an HTML page, in order: text may vary, structure may not."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))

    def handle_data(self, data):
        self.text.append(data)

    @classmethod
    def of(cls, page: bytes) -> PageSkeleton:
        skeleton = cls()
        skeleton.feed(page.decode("utf-8"))
        skeleton.close()
        return skeleton
