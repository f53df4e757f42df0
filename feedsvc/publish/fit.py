"""Keeping a feed under `max_feed_bytes` (Google News reads at most 2 MB of one): which stories a feed
holds whole, which carry only their summary, and which are left out — the one story too large for it,
or, when many are, those at its end.

A pure function of the renderer, the feed and its items: the publisher records and logs what it did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from ..model import Article
from ..render.feedmodel import FeedInfo, Item, abridge

Renderer = Callable[[FeedInfo, list[Item]], bytes]


@dataclass(frozen=True)
class Fitted:
    """A feed's bytes within its limit, and what was done to get there."""

    body: bytes
    items: list[Item]  # what `body` holds, in order
    abridged: tuple[Article, ...] = ()  # stories carried by their summary and a link, largest first
    full_size: int | None = None  # set when stories were left out: the size with every story
    left_out: int = 0  # then: how many stories were left out, in all
    too_large: tuple[Article, ...] = ()  # of those, the stories too large for this feed even abridged


def fit(render: Renderer, info: FeedInfo, items: list[Item], limit: int) -> Fitted:
    """Render within `limit`: first a story that would fill a quarter of the feed alone is abridged, or
    left out if even that is too large (see `_shrink_offenders`), so one oversized story never costs the
    others their place; then, if many stories together are still too large, as many whole items from
    the start as fit: never an item cut in half, never one fewer than fits."""
    body = render(info, items)
    if len(body) <= limit:
        return Fitted(body, items)
    full_size = len(body)
    body, items, abridged, too_large = _shrink_offenders(render, info, items, limit)
    if too_large:
        info = replace(info, complete=False)  # stories left out: no longer complete
    if len(body) <= limit:
        return Fitted(body, items, abridged, full_size if too_large else None, len(too_large), too_large)
    fits, too_many = 0, len(items)  # invariant: `fits` items fit, `too_many` don't
    info = replace(info, complete=False)
    fitting = render(info, [])
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        candidate = render(info, items[:middle])
        if len(candidate) <= limit:
            fits, fitting = middle, candidate
        else:
            too_many = middle
    return Fitted(fitting, items[:fits], abridged, full_size, len(too_large) + len(items) - fits, too_large)


def _shrink_offenders(
    render: Renderer, info: FeedInfo, items: list[Item], limit: int
) -> tuple[bytes, list[Item], tuple[Article, ...], tuple[Article, ...]]:
    """Before whole stories are left out of a feed over its size limit, a story that would fill a
    quarter of it alone (a 500 KB data table in a 2 MB feed, or every field and list at its limit in a
    small one) is made smaller, largest first, until the feed fits: it carries its summary and a link
    instead of its body, then also only its first author and no tags or related links; a story still
    that large is left out, and only it. Measured as each story renders in this very format, since
    escaping and repeated fields make some stories grow far more than their body's length suggests.
    Returns the feed's bytes, the items it holds, those abridged, and those left out."""
    share = limit // 4
    empty = len(render(info, []))

    def alone(item: Item) -> int:
        return len(render(info, [item])) - empty

    sizes = [alone(item) for item in items]
    items = list(items)
    abridged: list[Article] = []
    left_out: set[int] = set()
    body = b""
    for index in sorted((i for i, size in enumerate(sizes) if size > share), key=lambda i: -sizes[i]):
        article = items[index].article
        for smaller in _abridgements(items[index]):
            items[index] = smaller
            if alone(smaller) <= share:
                abridged.append(article)
                break
        else:
            left_out.add(index)
            info = replace(info, complete=False)
        body = render(info, [item for i, item in enumerate(items) if i not in left_out])
        if len(body) <= limit:
            break
    kept = [item for i, item in enumerate(items) if i not in left_out]
    if not body:
        body = render(info, kept)
    return body, kept, tuple(abridged), tuple(items[i].article for i in sorted(left_out))


def _abridgements(item: Item) -> Iterator[Item]:
    """Ever smaller forms of a story, for a feed too small for it."""
    item = replace(item, prepared=abridge(item.prepared, item.article))
    yield item  # its summary and a link instead of its body
    article = item.article
    yield replace(item, article=replace(article, tags=(), authors=article.authors[:1]), related=())
