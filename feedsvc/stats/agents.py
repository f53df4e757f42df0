"""A feed request's User-Agent → who polled: an aggregator that polls once for all its users and says
how many they are (and its own id of the feed), a crawler reading for itself, or a direct client —
one reader's app on a desktop, a phone or a server.

Each aggregator reports its count in its own format; `FORMATS` holds them as each service documents
or shows them, with where. A fetcher that follows the convention Google's Feedfetcher set and FeedPress
asks every fetcher to keep ("Name (+URL; 16 subscribers; feed-id=…)") is an aggregator under its own
name even when it is not in the table. Anyone can claim any count: these are the aggregators' figures,
taken as they come.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

AGGREGATOR, DIRECT, CRAWLER = "aggregator", "direct", "crawler"
MAX_REPORTED = 1_000_000_000  # a larger claim is taken as this (and fits any integer column)


@dataclass(frozen=True, slots=True)
class Agent:
    kind: str  # AGGREGATOR, DIRECT or CRAWLER
    name: str | None = None  # the aggregator or crawler
    subscribers: int | None = None  # the aggregator's count; None when its format carries none
    feed_id: str = ""  # the aggregator's own id of the feed, when it gives one


@dataclass(frozen=True)
class Format:
    """One aggregator's User-Agent: what names it, and where its own id of the feed is."""

    name: str
    marker: re.Pattern[str]
    feed_id: re.Pattern[str] | None
    documented: str  # where the format is published, for whoever checks it next


_COUNT = re.compile(r"(\d[\d,]{0,14})\s+subscribers?\b", re.I)
_FEED_ID = re.compile(r"\bfeed-?id\s*[=:]\s*([\w.-]{1,100})", re.I)  # feed-id=…, feed-id:…, feedID: …

FORMATS = (
    Format(
        "Feedly",
        re.compile(r"^Feedly/"),
        _FEED_ID,
        "feedly.com/fetcher.html (Feedly/1.0); with its count: "
        "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )",
    ),
    Format(
        "Inoreader",
        re.compile(r"\binoreader\.com\b", re.I),
        _FEED_ID,
        "Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)",
    ),
    Format(
        "NewsBlur",
        re.compile(r"^NewsBlur Feed Fetcher\b"),
        re.compile(r"newsblur\.com/site/(\d{1,20})"),
        "NewsBlur Feed Fetcher - 27 subscribers - https://www.newsblur.com/site/7704055/<name> (<browser UA>)",
    ),
    Format("Feedbin", re.compile(r"^Feedbin\b"), _FEED_ID, "Feedbin feed-id:1697787 - 102 subscribers"),
    Format(
        "The Old Reader",
        re.compile(r"\btheoldreader\.com\b", re.I),
        _FEED_ID,
        "Mozilla/5.0 (compatible; theoldreader.com; 1 subscribers; feed-id=cead6c3a837650eeefd8fe4a)",
    ),
    Format(
        "Feedspot",
        re.compile(r"\bFeedspot\b"),
        _FEED_ID,
        "Feedspot/1.0 (+https://www.feedspot.com/fs/fetcher; like FeedFetcher-Google): no count",
    ),
    Format(
        "Netvibes",
        re.compile(r"^Netvibes\b"),
        _FEED_ID,
        "Netvibes (http://www.netvibes.com/; 1 subscribers; feedID: 6639445)",
    ),
    Format(
        "BazQux",
        re.compile(r"\bBazQux/"),
        _FEED_ID,
        "Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 1 subscribers)",
    ),
)

# Robots that read feeds for themselves (search engines, previews, validators): polls, not readers.
_CRAWLER = re.compile(
    r"\b(Googlebot|bingbot|Baiduspider|YandexBot|DuckDuckBot|Applebot|Slurp|"
    r"facebookexternalhit|Twitterbot|W3C_Validator|FeedValidator|AhrefsBot|SemrushBot|"
    r"PetalBot|GPTBot|CCBot|ClaudeBot)\b",
    re.I,
)
_PRODUCT = re.compile(r"^([A-Za-z][\w.-]{0,40})")
_COMPATIBLE = re.compile(r"\(compatible;\s*([A-Za-z][\w.-]{0,40})")


@lru_cache(maxsize=4096)
def classify(user_agent: str) -> Agent:
    """Who sent a request with this User-Agent (pure; remembered, since pollers repeat themselves)."""
    for form in FORMATS:
        if form.marker.search(user_agent):
            found = form.feed_id.search(user_agent) if form.feed_id else None
            return Agent(AGGREGATOR, form.name, _count(user_agent), found.group(1) if found else "")
    crawler = _CRAWLER.search(user_agent)
    if crawler:
        return Agent(CRAWLER, crawler.group(1))
    subscribers = _count(user_agent)
    if subscribers is not None:  # the Feedfetcher convention, from a fetcher not listed
        found = _FEED_ID.search(user_agent)
        return Agent(AGGREGATOR, _product(user_agent), subscribers, found.group(1) if found else "")
    return Agent(DIRECT)


def _count(user_agent: str) -> int | None:
    found = _COUNT.search(user_agent)
    if found is None:
        return None
    return min(int(found.group(1).replace(",", "") or 0), MAX_REPORTED)


def _product(user_agent: str) -> str:
    """A fetcher's name: its first product token, or the one after "compatible;" in a Mozilla/… string."""
    compatible = _COMPATIBLE.search(user_agent)
    if user_agent.startswith("Mozilla/") and compatible:
        return compatible.group(1).split("/")[0]
    product = _PRODUCT.match(user_agent)
    return product.group(1).split("/")[0] if product else "other"
