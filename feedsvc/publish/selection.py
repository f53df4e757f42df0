"""Which stories a document shows, with their related links resolved at a moment: what its bytes
depend on, known before anything is rendered, and the items the renderers take."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from ..model import Article, RelatedLink, RelatedRef
from ..render.feeds import Item, Prepared
from ..store.snapshot import Snapshot
from .cache import FOREVER
from .dating import link_times, story_times


class Chosen(NamedTuple):
    """A story as a document shows it: with the related links a reader can follow at the moment of
    selection, and the times its part of the document depends on (publish/dating.py)."""
    article: Article
    related: tuple[RelatedLink, ...]
    times: tuple[datetime, ...]


Selection = tuple[Chosen, ...]


def resolve_related(article: Article, snapshot: Snapshot, now: datetime
                    ) -> tuple[tuple[RelatedLink, ...], float, tuple[datetime, ...]]:
    """The article's related links at `now` — a link to another story only once that story is
    visible —, the moment the next such story appears (FOREVER if none is waiting), and the times
    of the stories linked to."""
    links: list[RelatedLink] = []
    appears = FOREVER
    times: tuple[datetime, ...] = ()
    for link in article.related:
        if isinstance(link, RelatedRef):
            target = snapshot.by_id.get(link.article_id)
            if target is None:
                continue
            if not target.visible_at(now):
                appears = min(appears, target.published.timestamp())
                continue
            links.append(RelatedLink(target.title, target.url))
            times += link_times(target)
        else:
            links.append(link)
    return tuple(links), appears, times


def select(articles: Iterable[Article], snapshot: Snapshot, now: datetime) -> tuple[Selection, float]:
    """`articles` with their related links resolved at `now`, and the moment those links next change
    on their own."""
    chosen, valid_until = [], FOREVER
    for article in articles:
        related, appears, times = resolve_related(article, snapshot, now)
        valid_until = min(valid_until, appears)
        chosen.append(Chosen(article, related, story_times(article) + times))
    return tuple(chosen), valid_until


def items(chosen: Selection, prepared: Callable[[Article], Prepared | None], base_url: str) -> list[Item]:
    """The selection as renderable items, store photos' URLs made absolute under `base_url` (the
    parse leaves them relative); a story whose body is not on disk any more is left out of this render."""
    found = []
    for article, related, _ in chosen:
        body = prepared(article)
        if body is not None:
            found.append(Item(article.served_from(base_url), body, related))
    return found
