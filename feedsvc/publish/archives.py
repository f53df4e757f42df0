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

import bisect
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from ..model import Article
from ..store.store import OrderKey, Snapshot

FEED_OVERHEAD = 8_000           # channel or feed elements: title, links, image, namespaces…


def estimated_bytes(article: Article) -> int:
    """A generous guess at one item's size in a feed: escaped HTML, summary, media, links."""
    return 3 * article.size + 3_000


def month_of(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m")


def month_bounds(archive: str) -> tuple[float, float]:
    """[start, end) of the month of an archive id ("YYYY-MM" or "YYYY-MM-<page>") in UTC, as POSIX times."""
    year, number = int(archive[:4]), int(archive[5:7])
    start = datetime(year, number, 1, tzinfo=timezone.utc)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=timezone.utc)
    return start.timestamp(), end.timestamp()


@dataclass(frozen=True)
class Plan:
    complete: bool                              # the feed can hold every visible story: no archives
    pages: tuple[str, ...] = ()                 # archive ids, oldest first: "2013-05", "2013-05-2", …
    spans: tuple[tuple[int, int], ...] = ()     # per page: [low, high) of its month's stories, oldest first

    def span(self, archive: str) -> tuple[int, int] | None:
        try:
            return self.spans[self.pages.index(archive)]
        except ValueError:
            return None


def plan(snapshot: Snapshot, section: str | None, now: datetime, items_per_feed: int, max_bytes: int,
         archives: bool) -> Plan:
    keys = snapshot.order.get(section, ())
    first = bisect.bisect_left(keys, (-now.timestamp(),))
    budget = max_bytes - FEED_OVERHEAD
    visible = len(keys) - first
    complete = visible <= items_per_feed and \
        sum(estimated_bytes(snapshot.by_id[key[1]]) for key in keys[first:]) <= budget
    if complete or not archives or section is None:
        return Plan(complete)
    pages, spans = _pages(snapshot, keys, first, month_of(now.timestamp()), items_per_feed, budget)
    return Plan(False, tuple(pages), tuple(spans))


def _pages(snapshot: Snapshot, keys: tuple[OrderKey, ...], first: int, this_month: str, per_page: int,
           budget: int) -> tuple[list[str], list[tuple[int, int]]]:
    """Walk the visible stories oldest first, month by month (months that are over), filling pages."""
    pages: list[str] = []
    spans: list[tuple[int, int]] = []
    index = len(keys) - 1
    while index >= first:
        month = month_of(-keys[index][0])
        if month >= this_month:
            break
        _, end = month_bounds(month)
        # Stories of this month: from `index` back to the first one at or after `end` (newer).
        stop = max(first, bisect.bisect_left(keys, (math.nextafter(-end, math.inf),)))
        position, low, count, used, page = 0, 0, 0, 0, 1
        for at in range(index, stop - 1, -1):
            size = estimated_bytes(snapshot.by_id[keys[at][1]])
            if count and (count == per_page or used + size > budget):
                pages.append(month if page == 1 else f"{month}-{page}")
                spans.append((low, position))
                page, low, count, used = page + 1, position, 0, 0
            count, used, position = count + 1, used + size, position + 1
        pages.append(month if page == 1 else f"{month}-{page}")
        spans.append((low, position))
        index = stop - 1
    return pages, spans
