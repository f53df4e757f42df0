"""Keeping a feed under `max_feed_bytes` (Google News reads at most 2 MB of one): which stories a feed
holds whole, which carry only their summary, and which are left out from its end.

A pure function of the renderer, the feed and its items: the publisher records and logs what it did.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..model import Article
from ..render.feeds import FeedInfo, Item, abridge

Renderer = Callable[[FeedInfo, list[Item]], bytes]


@dataclass(frozen=True)
class Fitted:
    """A feed's bytes within its limit, and what was done to get there."""
    body: bytes
    items: list[Item]                      # what `body` holds, in order
    abridged: tuple[Article, ...] = ()     # stories carried by their summary and a link, largest first
    full_size: int | None = None           # set when even that was too large: the size with every story
    left_out: int = 0                      # then: how many stories were left out from the end


def fit(render: Renderer, info: FeedInfo, items: list[Item], limit: int) -> Fitted:
    """Render with as many whole items, from the start, as fit in `limit`: never an item cut in half,
    never one fewer than fits. Stories too long for any feed are abridged first (see `_abridged`)."""
    body = render(info, items)
    if len(body) <= limit:
        return Fitted(body, items)
    full_size = len(body)
    body, items, abridged = _abridged(render, info, items, body, limit)
    if len(body) <= limit:
        return Fitted(body, items, abridged)
    fits, too_many = 0, len(items)                           # invariant: `fits` items fit, `too_many` don't
    info = replace(info, complete=False)                     # stories left out: no longer complete
    fitting = render(info, [])
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        candidate = render(info, items[:middle])
        if len(candidate) <= limit:
            fits, fitting = middle, candidate
        else:
            too_many = middle
    return Fitted(fitting, items[:fits], abridged, full_size, len(items) - fits)


def _abridged(render: Renderer, info: FeedInfo, items: list[Item], body: bytes, limit: int
              ) -> tuple[bytes, list[Item], tuple[Article, ...]]:
    """Before any story is left out of a feed that is over its size limit, a story that would fill
    a quarter of it alone (a 500 KB data table in a 2 MB feed) carries its summary and a link instead
    of its body, largest first, until the feed fits: readers still find it, and it stays whole.
    `body` is the feed rendered with `items` as they are; it comes back unchanged if none is that long."""
    items = list(items)
    abridged: list[Article] = []
    largest = sorted(range(len(items)), key=lambda i: -len(items[i].prepared.body_html))
    for index in largest:
        item = items[index]
        if len(item.prepared.body_html) <= limit // 4:
            break
        items[index] = replace(item, prepared=abridge(item.prepared, item.article))
        abridged.append(item.article)
        body = render(info, items)
        if len(body) <= limit:
            break
    return body, items, tuple(abridged)
