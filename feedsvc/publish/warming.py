"""Rendering ahead of requests: every current feed and page before the service answers, what a store
change touches as soon as the change is read, and — while a read fault lasts — each document it left
incomplete or held, once its time to try again has come (`retry`). All of it runs where the service
looks at the store (its start, its refresher's thread), so requests find documents rendered."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from ..model import ALL, EVERYTHING, Scope
from ..paths import OPML_PATHS, FeedKey, NewsSitemapKey, OpmlKey, PageKey, SubscribeKey, feed_keys, route
from ..store.snapshot import Snapshot, StoreSnapshot
from .cache import RETRY_MAX_SECONDS
from .faults import named
from .gzipapart import GzipApart

if TYPE_CHECKING:
    from .publisher import Publisher

log = logging.getLogger(__name__)

# From this many documents to warm (a first render: 610 at 100,000 stories), their gzip copies are made
# by a forked process while this one renders (publish/gzipapart.py); an edit's few are compressed here.
GZIP_APART_MINIMUM = 100


class Warmer:
    """Keeps one publisher's current documents rendered (see the module's docstring)."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher
        self._warmed: int | None = None  # the store generation last warmed
        self._scope_of: dict[str, Scope | None | bool] = {}  # path → the scope of the feed it is (None: not a feed)

    def warm(self, now: datetime | None = None) -> int:
        """Render every subscription feed and page now, each kept as its gzip copy alone, so requests
        find them ready (archives render on first request). Returns how many documents were rendered.

        After the first time, only what the store changed since is planned again: the feeds (and
        archives) of scopes no story moved in are declared current as they are, and the feeds and pages
        of the scopes that changed, with the lists and pages of everything, are rendered. So an edit
        costs the same with ten writers or ten thousand. (Pages of other scopes are checked when asked
        for: a tag crossing its threshold changes the links on them.)"""
        publisher = self.publisher
        now = now or publisher.clock()
        snapshot = publisher.store.snapshot
        warmed = self._warmed
        changed = snapshot.changed_since(warmed) if warmed is not None else None
        if warmed is None or changed is None or not isinstance(snapshot, Snapshot):
            paths = publisher.document_paths(now, archives=False)
        else:
            publisher.documents.carry(warmed, snapshot.generation, lambda path: self._feed_outside(path, changed))
            paths = self._changed_paths(changed, snapshot, now)
        self._warmed = snapshot.generation
        rendered = 0
        with GzipApart(apart=len(paths) >= GZIP_APART_MINIMUM) as gzips:
            for path in paths:
                before = publisher.documents.latest(path)
                document = publisher.document(path, now)
                if document is not None and document is not before:
                    gzips.keep_gzip_only(document)  # compressed now, not in a request; a plain one inflates it
                    rendered += 1
        return rendered

    def retry(self, now: datetime | None = None) -> int:
        """Render again each current document a read fault left incomplete or held whose time to try
        again has come (`DocumentCache.due`), as the refresher's ticks do while `retried_apart` lets
        requests get what is kept meanwhile. Returns how many came out different. One that raises is
        logged and tried again RETRY_MAX_SECONDS later: it holds back no other document's retry."""
        publisher = self.publisher
        now = now or publisher.clock()
        snapshot, timestamp = publisher.store.snapshot, now.timestamp()
        documents, rendered = publisher.documents, 0
        for path in documents.due(snapshot.generation, timestamp):
            try:
                rendered += self._render_again(path, snapshot, now)
            except Exception:  # noqa: BLE001 — a renderer's bug in one document must not stop the others'
                log.exception("%s: could not be rendered again; tried again in %.0f s", named(path), RETRY_MAX_SECONDS)
                documents.postpone(path, timestamp + RETRY_MAX_SECONDS)
        return rendered

    def _render_again(self, path: str, snapshot: StoreSnapshot, now: datetime) -> int:
        """`retry` for one document: 1 if it came out different, else 0."""
        publisher = self.publisher
        documents = publisher.documents
        make_plan = publisher.planner.lookup(route(path), snapshot, now)
        if make_plan is None:  # the store changed since: the publication has no such document now
            documents.forget(path)
            return 0
        before = documents.latest(path)
        document, _ = documents.get(path, snapshot.generation, now, make_plan, retrying=True)
        if document is before:
            return 0
        document.keep_gzip_only()  # compressed now, not in a request (as `warm` does)
        return 1

    def _feed_outside(self, path: str, changed: frozenset[Scope]) -> bool:
        """Is `path` a feed (or archive) of a scope not in `changed`? Such a feed depends on its scope's
        stories alone (and on the site and authors files, whose change changes every scope)."""
        scope = self._scope_of.get(path, False)
        if scope is False:
            key = route(path)
            scope = key.scope if isinstance(key, FeedKey) else None
            if len(self._scope_of) > 200_000:
                self._scope_of.clear()
            self._scope_of[path] = scope
        return scope is not None and scope not in changed

    def _changed_paths(self, changed: frozenset[Scope], snapshot: Snapshot, now: datetime) -> list[str]:
        """The pages (and subscribe pages) and subscription feeds of the changed scopes that have feeds,
        and the documents that list or sum up every scope (the home page, the OPML lists, the news sitemap)."""
        scopes = self.publisher.planner.scopes
        paths = [
            PageKey(EVERYTHING).path,
            SubscribeKey(EVERYTHING).path,
            *(OpmlKey(kind).path for kind in OPML_PATHS),
            NewsSitemapKey().path,
        ]
        for scope in sorted(changed):
            if scope.kind != ALL and scopes.exists(scope, snapshot, now):
                paths += [PageKey(scope).path, SubscribeKey(scope).path]
        return paths + [key.path for key in feed_keys([s for s in sorted(changed) if scopes.exists(s, snapshot, now)])]
