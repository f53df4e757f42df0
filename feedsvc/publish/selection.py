"""Which stories a document shows, with their related links resolved at a moment: what its bytes
depend on, known before anything is rendered, and the items the renderers take."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from ..model import Article, RelatedLink, RelatedRef, Site
from ..render.feedmodel import Item, Prepared
from ..store.snapshot import Snapshot
from .cache import FOREVER
from .dating import link_times, newest, site_times, story_times


class Chosen(NamedTuple):
    """A story as a document shows it: with the related links a reader can follow at the moment of
    selection, and the times its part of the document depends on (publish/dating.py)."""

    article: Article
    related: tuple[RelatedLink, ...]
    times: tuple[datetime, ...]


Selection = tuple[Chosen, ...]


def resolve_related(
    article: Article, snapshot: Snapshot, now: datetime
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


class Selected(NamedTuple):
    """What a document shows: the stories with their links, until when that holds on its own, and
    what its bytes depend on, one text per story (its revision, and its links and times as resolved)."""

    chosen: Selection
    valid_until: float
    identity: tuple[str, ...]


class Selector:
    """`resolve_related` for each story of a document, remembered for the snapshot: a build plans a
    newsroom story into its section's, writers' and tags' feeds and archives in both formats (some
    sixteen documents), and resolving its links again for each, then spelling them out for the
    document's fingerprint, was most of planning them.

    A resolution made at a moment holds until the next linked story appears (in one snapshot a story
    only ever becomes visible), so it serves any later moment before that. Thread-safe: an entry
    names the generation it was made in, and only that generation reads it."""

    LIMIT = 50_000  # entries kept at most: a worker asked for every archive does not keep them all

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, Article, float, float, Chosen, str]] = {}
        self._generation = -1

    def _resolved(self, article: Article, snapshot: Snapshot, now: datetime) -> tuple[Chosen, float, str]:
        """The story as chosen at `now`, when its links next change, and the text of both for identities."""
        generation, moment = snapshot.generation, now.timestamp()
        if generation != self._generation or len(self._known) >= self.LIMIT:
            self._known, self._generation = {}, generation
        known = self._known.get(article.id)
        if known is not None and known[0] == generation and known[1] is article and known[2] <= moment < known[3]:
            return known[4], known[3], known[5]
        related, appears, times = resolve_related(article, snapshot, now)
        chosen = Chosen(article, related, story_times(article) + times)
        # A revision is a fixed-length digest: revision and digest read back unambiguously. A digest, not
        # the links' and times' text: a document's fingerprint hashes the texts of all its stories.
        text = article.revision + hashlib.blake2b(repr((related, chosen.times)).encode(), digest_size=12).hexdigest()
        self._known[article.id] = (generation, article, moment, appears, chosen, text)
        return chosen, appears, text

    def select(self, articles: Iterable[Article], snapshot: Snapshot, now: datetime) -> Selected:
        """`articles` with their related links resolved at `now`, the moment those links next change on
        their own, and what that selection's bytes depend on."""
        chosen, identity, valid_until = [], [], FOREVER
        for article in articles:
            story, appears, text = self._resolved(article, snapshot, now)
            valid_until = min(valid_until, appears)
            chosen.append(story)
            identity.append(text)
        return Selected(tuple(chosen), valid_until, tuple(identity))


def items(chosen: Selection, prepared: Callable[[Article], Prepared | None], base_url: str) -> list[Item]:
    """The selection as renderable items, store photos' URLs made absolute under `base_url` (the
    parse leaves them relative); a story whose body is not on disk any more is left out of this render."""
    found = []
    for article, related, _ in chosen:
        body = prepared(article)
        if body is not None:
            found.append(Item(article.served_from(base_url), body, related))
    return found


def chosen_times(chosen: Selection, site: Site) -> list[datetime]:
    """Every time a document showing `chosen` depends on: the site file's, and each story's with its links'."""
    return [*site_times(site), *(t for c in chosen for t in c.times)]


def last_modified_of(shown: Iterable[Item], chosen: Selection, site: Site, now: datetime) -> datetime | None:
    """Of what the document holds (a feed kept under max_feed_bytes does not hold every story chosen)."""
    times = {c.article.id: c.times for c in chosen}
    return newest([*site_times(site), *(t for item in shown for t in times[item.article.id])], now)
