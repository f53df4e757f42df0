"""Reading feeds the way subscribers' software does: lxml with namespaces, and feedparser."""

from __future__ import annotations

import re

import feedparser
from lxml import etree

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "media": "http://search.yahoo.com/mrss/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def xml(body: bytes) -> etree._Element:
    """Parse strictly: any well-formedness error fails the test."""
    return etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, recover=False))


def parsed(body: bytes, url: str, content_type: str):
    """feedparser's view, as if fetched from `url` with that Content-Type."""
    result = feedparser.parse(body, response_headers={"content-location": url, "content-type": content_type})
    assert not result.bozo, f"{url}: feedparser says bozo: {result.get('bozo_exception')!r}"
    return result


def urls_in(fragment: str) -> list[str]:
    """Every href and src in an HTML fragment, as written."""
    return re.findall(r'(?:href|src)="([^"]*)"', fragment)
