"""What the publication is told: the settings that shape what every feed and page says.

A frozen value the configuration fills in (config.py keeps the flat keys users write). With the cache
policy, it is all of the configuration a rendered byte depends on, so it is what the static build's
fingerprint covers: a service setting (how often to look, whether to count, how much to keep) re-renders
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeedSettings:
    base_url: str = "http://127.0.0.1:8000/"  # where feeds and media are served: self links, enclosures
    items_per_feed: int = 50
    items_per_page: int = 20  # stories on the home and section pages
    summary_length: int = 300
    max_feed_bytes: int = 2_000_000  # Google News' limit; items are dropped from the end
    gzip_level: int = 6
    archives: bool = True  # monthly archives once a section outgrows its feed
    tag_feeds: bool = True  # a feed and page per tag (false: none, however many stories)
    tag_feed_min_stories: int = 3  # a tag gets them once this many published stories carry it
    webfeeds: bool = False  # Feedly's webfeeds elements (the W3C validator warns of them)
    hub_url: str | None = None  # WebSub hub named in every feed (rel="hub") and told of changes


@dataclass(frozen=True)
class MemorySettings:
    """How much of what it renders only when asked for (RFC 5005 archives) a running service keeps; the
    rest it renders again, to the same bytes. Shapes no byte, so no part of a build's fingerprint."""

    cold_cache_mb: int = 64  # per worker: archives' bytes and gzip copies; the least recently used go first

    @property
    def cold_cache_bytes(self) -> int:
        return self.cold_cache_mb << 20
