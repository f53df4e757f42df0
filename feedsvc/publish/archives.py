"""How a section's stories are split between its subscription feed and its RFC 5005 archives.

A feed holds the newest stories, up to `items_per_feed` and up to what fits in `max_feed_bytes`. If
that is every story, the feed is complete (fh:complete) and has no archives. Otherwise every month
that is over gets archive pages — stories oldest first, a new page whenever one would pass either
limit — so every story of a past month is in an archive, whatever the feed holds, and no document
outgrows a feed. (Stories of the month under way that no longer fit in the feed wait for its end.)

Whether everything fits, and where pages break, is decided before anything is rendered (paths and
links must be known first), from each story's file size and a generous estimate of what it becomes;
a document that still comes out too large is trimmed when rendered, and the publisher reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..model import Article
from ..store.timeline import Timeline

FEED_OVERHEAD = 8_000  # channel or feed elements: title, links, image, namespaces…


def estimated_bytes(article: Article) -> int:
    """A generous guess at one item's size in a feed: escaped HTML, summary, media, links."""
    return 3 * article.size + 3_000


@dataclass(frozen=True)
class Plan:
    complete: bool  # the feed can hold every visible story: no archives
    pages: tuple[str, ...] = ()  # archive ids, oldest first: "2013-05", "2013-05-2", …
    spans: tuple[tuple[int, int], ...] = ()  # per page: [low, high) of its month's stories, oldest first

    def span(self, archive: str) -> tuple[int, int] | None:
        try:
            return self.spans[self.pages.index(archive)]
        except ValueError:
            return None


def plan(timeline: Timeline, now: datetime, items_per_feed: int, max_bytes: int, archives: bool) -> Plan:
    """Whether `timeline`'s visible stories all fit in its feed, and if not (and `archives`), its pages."""
    budget = max_bytes - FEED_OVERHEAD
    complete = (
        timeline.visible_count(now) <= items_per_feed
        and sum(estimated_bytes(article) for article in timeline.visible_at(now, items_per_feed)) <= budget
    )
    if complete or not archives:
        return Plan(complete)
    pages, spans = _pages(timeline, now, items_per_feed, budget)
    return Plan(False, tuple(pages), tuple(spans))


def _pages(timeline: Timeline, now: datetime, per_page: int, budget: int) -> tuple[list[str], list[tuple[int, int]]]:
    """Walk the visible stories oldest first, month by month (months that are over), filling pages."""
    pages: list[str] = []
    spans: list[tuple[int, int]] = []
    for month, stories in timeline.past_months(now):
        position, low, count, used, page = 0, 0, 0, 0, 1
        for article in stories:
            size = estimated_bytes(article)
            if count and (count == per_page or used + size > budget):
                pages.append(month if page == 1 else f"{month}-{page}")
                spans.append((low, position))
                page, low, count, used = page + 1, position, 0, 0
            count, used, position = count + 1, used + size, position + 1
        pages.append(month if page == 1 else f"{month}-{page}")
        spans.append((low, position))
    return pages, spans
