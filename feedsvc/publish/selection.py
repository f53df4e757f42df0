"""Which stories a document shows, with their related links resolved at a moment: what its bytes
depend on, known before anything is rendered, the items the renderers take, and what becomes of a
document of stories when one's body cannot be read back (`StoryDocuments`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import NamedTuple

from ..model import Article, RelatedLink, RelatedRef, Site
from ..render.document import ARCHIVE, FEED, Rendered
from ..render.feedmodel import Item, Prepared
from ..store.snapshot import Snapshot
from .cache import FOREVER, DocumentPlan, Unreadable
from .dating import link_times, newest, pending, site_times, story_times
from .prepared import BodyUnread
from .settings import FeedSettings


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
    """What a document shows: the stories with their links, until when that holds on its own, what its
    bytes depend on (a digest of one text per story: its revision, and its links and times as resolved),
    and the stories' times still to come at the moment of selection, in order."""

    chosen: Selection
    valid_until: float
    identity: str
    ahead: tuple[datetime, ...]


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
        # id → (generation, article, from, until, as chosen, its text, the newest of its times)
        self._known: dict[str, tuple[int, Article, float, float, Chosen, str, float]] = {}
        self._generation = -1

    def _resolved(self, article: Article, snapshot: Snapshot, now: datetime) -> tuple[Chosen, float, str, float]:
        """The story as chosen at `now`, when its links next change, the text of both for identities,
        and the newest of its times (POSIX)."""
        generation, moment = snapshot.generation, now.timestamp()
        if generation != self._generation or len(self._known) >= self.LIMIT:
            self._known, self._generation = {}, generation
        known = self._known.get(article.id)
        if known is not None and known[0] == generation and known[1] is article and known[2] <= moment < known[3]:
            return known[4], known[3], known[5], known[6]
        related, appears, times = resolve_related(article, snapshot, now)
        chosen = Chosen(article, related, story_times(article) + times)
        # A revision is a fixed-length digest: revision and digest read back unambiguously. A digest, not
        # the links' and times' text: a document's identity digests the texts of all its stories. Each
        # link as resolve_related makes it (title and URL), the times as POSIX times (each one is UTC):
        # their repr takes well under half the time of the dataclasses' and datetimes'.
        stamps = [t.timestamp() for t in chosen.times]
        spelled = repr(([(link.title, link.url) for link in related], stamps))
        text = article.revision + hashlib.blake2b(spelled.encode(), digest_size=12).hexdigest()
        latest = max(stamps)
        self._known[article.id] = (generation, article, moment, appears, chosen, text, latest)
        return chosen, appears, text, latest

    def select(self, articles: Iterable[Article], snapshot: Snapshot, now: datetime) -> Selected:
        """`articles` with their related links resolved at `now`, the moment those links next change on
        their own, what that selection's bytes depend on, and its times still to come."""
        chosen, texts, valid_until, moment, later = [], [], FOREVER, now.timestamp(), False
        for article in articles:
            story, appears, text, latest = self._resolved(article, snapshot, now)
            valid_until = min(valid_until, appears)
            chosen.append(story)
            texts.append(text)
            later = later or latest > moment
        # Looked for only if some time is still to come (a scheduled edit, a clock running fast): rarely.
        ahead = tuple(sorted(t for c in chosen for t in c.times if t > now)) if later else ()
        identity = hashlib.blake2b("".join(texts).encode(), digest_size=16).hexdigest()
        return Selected(tuple(chosen), valid_until, identity, ahead)


def items(
    chosen: Selection, prepared: Callable[[Article], Prepared | None], base_url: str
) -> tuple[list[Item], tuple[str, ...]]:
    """The selection as renderable items, store photos' URLs made absolute under `base_url` (the
    parse leaves them relative), and the store paths of the stories left out because their bodies could
    not be read back (`BodyUnread`): the document rendered from these items is not whole."""
    found, unread = [], []
    for article, related, _ in chosen:
        try:
            body = prepared(article)
        except BodyUnread as fault:
            unread.append(fault.path)
            continue
        if body is not None:
            found.append(Item(article.served_from(base_url), body, related))
    return found, tuple(unread)


def still_published(snapshot: Snapshot, now: datetime, ids: Iterable[str]) -> bool:
    """Is each of these stories still in the store and visible at `now`? An earlier rendering that shows
    one deleted, unpublished or withdrawn since must not stand in for the document (`DocumentPlan`)."""
    return all(snapshot.visible(story_id, now) is not None for story_id in ids)


def pending_of(selected: Selected, site: Site, now: datetime) -> tuple[tuple[datetime, ...], float]:
    """`dating.pending` of every time a document showing `selected` depends on (the site file's, and
    each story's with its links'), from those still to come: the rest cannot be."""
    return pending((*site_times(site), *selected.ahead), now)


def last_modified_of(shown: Iterable[Item], chosen: Selection, site: Site, now: datetime) -> datetime | None:
    """Of what the document holds (a feed kept under max_feed_bytes does not hold every story chosen)."""
    times = {c.article.id: c.times for c in chosen}
    return newest([*site_times(site), *(t for item in shown for t in times[item.article.id])], now)


class StoryDocuments:
    """The plans of documents that show stories (a feed, an archive page, a page for people), with the one
    rule for a story whose body cannot be read back: it is left out, and what could be rendered is undated
    — dated like the whole one, it would make an If-Modified-Since poll get 304 for the whole one once the
    story reads back (RFC 9110 §13.1.3) — and raised as `Unreadable`, for the document cache to decide
    what to serve and keep. An archive so rendered is no archive for good: it is made as a feed. A current
    document names the stories it shows: its last whole version stands in for it only while they are all
    still published. `prepared` gives a story's rendered body (once per revision)."""

    def __init__(self, prepared: Callable[[Article], Prepared | None], feeds: FeedSettings) -> None:
        self.prepared = prepared
        self.feeds = feeds

    def plan(
        self,
        identity: Hashable,
        valid_until: float,
        chosen: Selection,
        snapshot: Snapshot,
        now: datetime,
        write: Callable[[list[Item]], tuple[bytes, Sequence[Item]]],
        mimetype: str,
        kind: str,
    ) -> DocumentPlan:
        """The plan of a document of `kind` showing `chosen`: `write` makes its bytes of the items that
        could be rendered, and says which of them those bytes hold (a feed kept under max_feed_bytes
        may not hold them all)."""

        def render() -> Rendered:
            shown, unread = items(chosen, self.prepared, self.feeds.base_url)
            body, held = write(shown)
            rendered = Rendered.of(
                body,
                mimetype,
                None if unread else last_modified_of(held, chosen, snapshot.site, now),
                kind=FEED if unread and kind == ARCHIVE else kind,
                gzip_level=self.feeds.gzip_level,
            )
            if unread:  # not what the store holds: the caller decides what to serve and keep
                raise Unreadable(rendered, unread)
            return rendered

        if kind == ARCHIVE:
            return DocumentPlan(identity, valid_until, render, cold=True)
        shows = tuple([c.article.id for c in chosen])  # a list first: faster than from a generator
        return DocumentPlan(
            identity, valid_until, render, shows=shows, published=partial(still_published, snapshot, now)
        )
