"""The publication: every public path mapped to its rendered document.

This is the one rendering path. The service asks it for the document at a request's path; the static
build asks it for every path and writes the bytes. It renders a document only when the store changed
what that document shows (or a scheduled story's moment came), so a warm request does no rendering.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from ..model import ALL, EVERYTHING, Article, Scope
from ..paths import (
    MEDIA_PREFIX,
    OPML_PATHS,
    FeedKey,
    MediaKey,
    NewsSitemapKey,
    OpmlKey,
    PageKey,
    RobotsKey,
    SubscribeKey,
    archive_paths,
    feed_keys,
    route,
)
from ..render.document import CachePolicy, Rendered
from ..render.feedmodel import Prepared
from ..store.snapshot import Snapshot, StoreSnapshot
from ..store.store import Store
from ..store.timeline import Timeline, month_of
from .archives import Plan, plan
from .cache import FOREVER, RETRY_SECONDS, DocumentCache, Unreadable
from .documents import DocumentPlanner
from .fingerprint import Fingerprints
from .media import MediaLibrary
from .prepared import PreparedCache
from .settings import FeedSettings, MemorySettings
from .warming import Warmer


class Publisher:
    """Maps public paths to Rendered documents for one store, its feed settings and its cache policy.
    Thread-safe."""

    def __init__(
        self,
        store: Store,
        feeds: FeedSettings,
        policy: CachePolicy = CachePolicy(),
        clock: Callable[[], datetime] | None = None,
        cold_cache_bytes: int = MemorySettings().cold_cache_bytes,
    ) -> None:
        self.store = store
        self.feeds = feeds
        self.policy = policy
        self.clock = clock or (lambda: datetime.now(UTC))
        self.media = MediaLibrary(
            store.root / MEDIA_PREFIX,
            store.limits.max_photo_bytes,
            acceptable=lambda relative: store.photo_acceptable(MEDIA_PREFIX + relative),
        )
        self.documents = DocumentCache(cold_cache_bytes, store.display_root)  # archives: within cold_cache_bytes
        self.planner = DocumentPlanner(feeds, policy, self.plan, self.prepared, store.display_root)
        self.prepared_cache = PreparedCache(store, feeds.summary_length, feeds.base_url)
        self._plans: dict[tuple[Scope, int, str], tuple[Timeline, Plan]] = {}
        self.fingerprints = Fingerprints(feeds, policy)  # each document's identity, digested
        self._headers: dict[tuple[str, bool], tuple[Rendered, dict[str, str]]] = {}
        self.warmer = Warmer(self)

    @property
    def cold_bytes(self) -> int:
        """The bytes the archives kept in memory hold now, gzip copies included (at most cold_cache_bytes)."""
        return self.documents.cold_bytes

    @property
    def trimmed(self) -> dict[str, tuple[int, int]]:
        """Feed path → (full size, stories left out) for each feed cut to fit max_feed_bytes."""
        return self.planner.trimmed

    # ---- what exists ----------------------------------------------------------------------------

    def feed_keys(self, snapshot: StoreSnapshot | None = None, now: datetime | None = None) -> list[FeedKey]:
        """Every subscription feed of the site at `now` (archives aside): every section's, writer's and
        tag's. The feeds a WebSub hub hears about."""
        snapshot = snapshot or self.store.snapshot
        if not isinstance(snapshot, Snapshot):
            return feed_keys([])
        return feed_keys(self.planner.scopes.every(snapshot, now or self.clock()))

    def paths(self, now: datetime | None = None, *, archives: bool = True) -> list[str]:
        """Every path the publication serves at `now`, as the static build writes them."""
        if not isinstance(self.store.snapshot, Snapshot):  # no site file read yet
            return []
        return self.document_paths(now, archives=archives) + [MediaKey(name).path for name in self.media.paths()]

    def document_paths(self, now: datetime | None = None, *, archives: bool = True) -> list[str]:
        """Every rendered document's path at `now` (the photos are served as they are)."""
        now = now or self.clock()
        snapshot = self.store.snapshot
        if not isinstance(snapshot, Snapshot):  # no site file read yet
            return []
        scopes = self.planner.scopes.every(snapshot, now)
        paths = [
            PageKey(EVERYTHING).path,
            *(PageKey(scope).path for scope in scopes),
            *(SubscribeKey(scope).path for scope in [EVERYTHING, *scopes]),
            *(OpmlKey(kind).path for kind in OPML_PATHS),
            NewsSitemapKey().path,
            RobotsKey().path,
            *(key.path for key in feed_keys(scopes)),
        ]
        if archives and self.feeds.archives:
            for scope in scopes:
                paths += archive_paths(scope, self.plan(snapshot, scope, now).pages)
        return paths

    def plan(self, snapshot: Snapshot, scope: Scope, now: datetime) -> Plan:
        """How `scope`'s stories split between its feed and its archives; remembered while the
        scope's timeline is the same object (snapshots share an unchanged scope's timeline)."""
        timeline = snapshot.timeline(scope)
        memo_key = (scope, timeline.visible_count(now), month_of(now.timestamp()))
        memo = self._plans.get(memo_key)
        if memo is not None and memo[0] is timeline:
            return memo[1]
        result = plan(
            timeline,
            now,
            self.feeds.items_per_feed,
            self.feeds.max_feed_bytes,
            self.feeds.archives and scope.kind != ALL,
        )
        if len(self._plans) > 100_000:
            self._plans.clear()
        self._plans[memo_key] = (timeline, result)
        return result

    # ---- documents ------------------------------------------------------------------------------

    def document(self, path: str, now: datetime | None = None) -> Rendered | None:
        """The document at `path` as of `now`, or None if the publication has no such path (see `answer`)."""
        answer = self.answer(path, now)
        return None if answer is None else answer[0]

    def answer(self, path: str, now: datetime | None = None) -> tuple[Rendered, float] | None:
        """The document at `path` as of `now` and until when it holds (POSIX time), of one cache entry; or None.
        Raises Unreadable for an archive that cannot be rendered whole while the store folder cannot be read."""
        now = now or self.clock()
        ready = self.ready(path, now.timestamp())  # the warm path: one lookup, no routing, no rendering
        if ready is not None:
            return ready
        key = route(path)
        if isinstance(key, MediaKey):
            photo = self.media.get(key.name)
            return None if photo is None else (photo, FOREVER)
        snapshot = self.store.snapshot
        make_plan = self.planner.lookup(key, snapshot, now)
        try:
            return None if make_plan is None else self.documents.get(path, snapshot.generation, now, make_plan)
        except Unreadable as unread:  # the store can be read: as a freshly started service would answer
            if self.store.unreadable:
                raise
            return unread.partial, now.timestamp() + RETRY_SECONDS  # cached briefly (made as a feed: documents.py)

    def is_warm(self, path: str) -> bool:
        """Is the document at `path` kept in memory for good (a current feed, a page, a list)? Memos of
        anything else would keep alive what the cold cache drops."""
        return self.documents.is_warm(path)

    def ready(self, path: str, timestamp: float) -> tuple[Rendered, float] | None:
        """The document at `path` and until when it holds, if it is rendered and current — or kept with a
        read fault while the refresher renders it again (`retried_apart`), held past its time until then;
        None if answering needs more than a lookup (a first render, a changed store, a scheduled story due)."""
        return self.documents.ready(path, self.store.snapshot.generation, timestamp)

    def render(self, path: str, now: datetime | None = None) -> Rendered | None:
        """The document at `path`, rendered now and not kept: the static build writes each document
        once and needs none of them afterwards (a large build must not hold every document in memory).
        Raises Unreadable, with what could be rendered, if stories were left out for a read fault."""
        now = now or self.clock()
        key = route(path)
        if isinstance(key, MediaKey):
            return self.media.get(key.name)
        make_plan = self.planner.lookup(key, self.store.snapshot, now)
        return None if make_plan is None else make_plan().render()

    def fingerprint(self, path: str, now: datetime | None = None) -> tuple[str, float] | None:
        """A digest of everything the document at `path` depends on, computed without rendering it, and
        until when that holds (POSIX time); None if there is none. The static build skips unchanged documents."""
        now = now or self.clock()
        key = route(path)
        if isinstance(key, MediaKey):
            version = self.media.version(key.name)
            return None if version is None else (self.fingerprints.of(path, version), FOREVER)
        make_plan = self.planner.lookup(key, self.store.snapshot, now)
        planned = None if make_plan is None else make_plan()
        return None if planned is None else (self.fingerprints.of(path, planned.identity), planned.valid_until)

    def warm(self, now: datetime | None = None) -> int:
        """Render every current feed and page ahead of requests, or what the store changed since the last
        time (`Warmer.warm`). Returns how many documents were rendered."""
        return self.warmer.warm(now)

    def feed_etags(self, now: datetime | None = None) -> dict[str, str]:
        """Every subscription feed's URL (its WebSub topic) and current ETag."""
        etags = {}
        for key in self.feed_keys():
            document = self.document(key.path, now)
            if document is not None:
                etags[self.feeds.base_url + key.path] = document.etag
        return etags

    def headers(self, path: str, document: Rendered, gzipped: bool = False, *, keep: bool = True) -> dict[str, str]:
        """The response headers for `document` at `path` — for the service and the build's manifest alike.

        Computed once per rendered document and kept with it (`keep`) if it is a warm one; callers must
        not modify the dict they get. Of any other (an archive, a photo: a build writes each document
        once) none is kept: the document would be kept too, whatever its cache dropped.
        """
        memo = self._headers.get((path, gzipped))
        if memo is not None and memo[0] is document:
            return memo[1]
        headers = document.headers(self.policy, gzipped)
        if gzipped:
            self.documents.measure(path, document)  # its gzip copy may have been made just now
        key = route(path)
        if self.feeds.hub_url and isinstance(key, FeedKey) and key.month is None:
            # WebSub §4: discovery by HTTP Link headers as well as in the document.
            headers["Link"] = f'<{self.feeds.hub_url}>; rel="hub", <{self.feeds.base_url + path}>; rel="self"'
        if keep and self.is_warm(path):
            if len(self._headers) > 10_000:
                self._headers.clear()
            self._headers[(path, gzipped)] = (document, headers)
        return headers

    def prepared(self, article: Article) -> Prepared | None:
        """The article's HTML and summary, rendered once per revision (see PreparedCache.get: None, or
        BodyUnread when its file no longer holds this version)."""
        return self.prepared_cache.get(article)
