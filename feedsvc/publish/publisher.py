"""The publication: every public path mapped to its rendered document.

This is the one rendering path. The service asks it for the document at a request's path; the static
build asks it for every path and writes the bytes. It renders a document only when the store changed
what that document shows (or a scheduled story's moment came), so a warm request does no rendering.
"""
from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Hashable, Iterable

from .archives import Plan, plan
from .fit import Fitted, fit
from ..config import Config
from ..render.jsonfeed import render_json_feed
from .media import MediaLibrary
from ..model import Article, RelatedLink, RelatedRef
from ..render.opml import OPML_MIMETYPE, render_opml
from ..render.months import archive_label
from ..render.pages import PageLinks, render_page
from ..render.feeds import FeedInfo, Item, Prepared, Webfeeds, prepare, render_feed, store_url
from ..render.document import ARCHIVE, FEED, PAGE, CachePolicy, Rendered, dated
from ..store.snapshot import Snapshot, StoreSnapshot
from ..store.store import Store
from ..store.timeline import Timeline, month_bounds, month_of
from ..paths import (ARCHIVE_FORMATS, MEDIA_PREFIX, OPML_PATH, FeedKey, MediaKey, OpmlKey, PageKey, Route, feed_keys,
                     route)

log = logging.getLogger(__name__)
FOREVER = math.inf


def _code_fingerprint() -> str:
    """Changes whenever feedsvc's own code or templates change: rendered bytes may change with them."""
    digest = hashlib.blake2b(digest_size=12)
    package = Path(__file__).parent.parent
    for path in sorted([*package.rglob("*.py"), *package.glob("render/templates/*")]):
        digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


CODE_FINGERPRINT = _code_fingerprint()
RENDERERS = {"rss": render_feed, "atom": render_feed, "json": render_json_feed}


@dataclass
class _Cached:
    generation: int
    valid_until: float          # POSIX time when a scheduled story changes what this shows
    identity: Hashable          # everything the bytes depend on
    rendered: Rendered

    def current(self, generation: int, timestamp: float) -> bool:
        """Rendered from this store generation, and no scheduled story has come due since."""
        return self.generation == generation and timestamp < self.valid_until


def _last_modified(times: Iterable[datetime | None], now: datetime) -> datetime | None:
    """The newest of `times`, but never later than `now`: RFC 9110 §8.8.2.1 forbids a Last-Modified
    after the response's Date, and an `updated` typed years ahead would otherwise make clients'
    If-Modified-Since answer 304 to every later change."""
    newest = max((t for t in times if t is not None), default=None)
    return None if newest is None else min(newest, now)


# A document's recipe: what it depends on, until when that holds, and how to render it.
Recipe = tuple[Hashable, float, Callable[[], Rendered]]


class Publisher:
    """Maps public paths to Rendered documents for one store and one configuration. Thread-safe."""

    def __init__(self, store: Store, config: Config, clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.config = config
        self.policy = CachePolicy(config.max_age, config.stale_while_revalidate, config.stale_if_error,
                                  config.media_max_age, config.archive_max_age)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.media = MediaLibrary(store.root / MEDIA_PREFIX, config.max_photo_bytes,
                                  acceptable=lambda relative: store.photo_acceptable(MEDIA_PREFIX + relative))
        self.links = PageLinks(config.base_url, config.base_url + OPML_PATH)
        self._config_key = repr(replace(config, cache_dir="", store=Path(".")))   # what rendering depends on
        self._documents: dict[str, _Cached] = {}
        self._prepared: OrderedDict[str, tuple[str, Prepared]] = OrderedDict()
        self._prepared_limit = 20_000
        self._plans: dict[tuple, tuple[Timeline, Plan]] = {}
        self.trimmed: dict[str, tuple[int, int]] = {}     # feed path → (full size, stories left out)
        self._render_lock = threading.RLock()
        self._headers: dict[tuple[str, bool], tuple[Rendered, dict[str, str]]] = {}
        self._fingerprints: dict[str, tuple[Hashable, str]] = {}   # path → (identity, its digest)

    # ---- what exists ----------------------------------------------------------------------------

    def feed_keys(self, snapshot: StoreSnapshot | None = None) -> list[FeedKey]:
        snapshot = snapshot or self.store.snapshot
        return feed_keys([s.slug for s in snapshot.site.sections] if snapshot.site else [])

    def paths(self, now: datetime | None = None, *, archives: bool = True) -> list[str]:
        """Every path the publication serves at `now`, as the static build writes them."""
        if not isinstance(self.store.snapshot, Snapshot):      # no site file read yet
            return []
        return self.document_paths(now, archives=archives) + [MediaKey(name).path for name in self.media.paths()]

    def document_paths(self, now: datetime | None = None, *, archives: bool = True) -> list[str]:
        """Every rendered document's path at `now` (the photos are served as they are)."""
        now = now or self.clock()
        snapshot = self.store.snapshot
        if not isinstance(snapshot, Snapshot):      # no site file read yet
            return []
        slugs = [s.slug for s in snapshot.site.sections]
        paths = [PageKey(None).path, *(PageKey(slug).path for slug in slugs), OpmlKey().path,
                 *(key.path for key in self.feed_keys(snapshot))]
        if archives and self.config.archives:
            for slug in slugs:
                for archive in self.plan(snapshot, slug, now).pages:
                    paths += [FeedKey(slug, fmt, archive).path for fmt in ARCHIVE_FORMATS]
        return paths

    def plan(self, snapshot: Snapshot, section: str | None, now: datetime) -> Plan:
        """How `section`'s stories split between its feed and its archives; remembered while the
        section's timeline is the same object (snapshots share an unchanged section's timeline)."""
        timeline = snapshot.timeline(section)
        memo_key = (section, timeline.visible_count(now), month_of(now.timestamp()))
        memo = self._plans.get(memo_key)
        if memo is not None and memo[0] is timeline:
            return memo[1]
        result = plan(timeline, now, self.config.items_per_feed, self.config.max_feed_bytes,
                      self.config.archives and section is not None)
        if len(self._plans) > 1000:
            self._plans.clear()
        self._plans[memo_key] = (timeline, result)
        return result

    # ---- documents ------------------------------------------------------------------------------

    def document(self, path: str, now: datetime | None = None) -> Rendered | None:
        """The document at `path` as of `now`, or None if the publication has no such path."""
        now = now or self.clock()
        ready = self.ready(path, now.timestamp())     # the warm path: one lookup, no routing, no rendering
        if ready is not None:
            return ready[0]
        target = route(path)
        if isinstance(target, MediaKey):
            return self.media.get(target.name)
        snapshot = self.store.snapshot
        recipe = self._recipe(target, snapshot, now)
        return None if recipe is None else self._cached(path, snapshot, now, recipe)

    def ready(self, path: str, timestamp: float) -> tuple[Rendered, float] | None:
        """The document at `path` and until when it holds, if it is rendered and current; None if
        answering needs more than a lookup (a first render, a changed store, a scheduled story due)."""
        cached = self._documents.get(path)
        if cached is not None and cached.current(self.store.snapshot.generation, timestamp):
            return cached.rendered, cached.valid_until
        return None

    def render(self, path: str, now: datetime | None = None) -> Rendered | None:
        """The document at `path`, rendered now and not kept: the static build writes each document
        once and needs none of them afterwards (a large build must not hold every document in memory)."""
        now = now or self.clock()
        target = route(path)
        if isinstance(target, MediaKey):
            return self.media.get(target.name)
        recipe = self._recipe(target, self.store.snapshot, now)
        return None if recipe is None else recipe()[2]()

    def _recipe(self, target: Route | None, snapshot: StoreSnapshot, now: datetime) -> Callable[[], Recipe] | None:
        """How to make the document a route names, or None if the publication has no such document."""
        if target is None or not isinstance(snapshot, Snapshot):
            return None
        site = snapshot.site
        if isinstance(target, OpmlKey):
            return lambda: self._opml_document(snapshot, now)
        if target.section is not None and site.section(target.section) is None:
            return None
        if isinstance(target, PageKey):
            return lambda: self._page_document(target, snapshot, now)
        if target.month is not None and target.month not in self.plan(snapshot, target.section, now).pages:
            return None
        return lambda: self._feed_document(target, snapshot, now)

    def fingerprint(self, path: str, now: datetime | None = None) -> str | None:
        """A digest of everything the document at `path` depends on, computed without rendering it
        (the static build skips documents whose fingerprint has not changed); None if there is none."""
        now = now or self.clock()
        target = route(path)
        if isinstance(target, MediaKey):
            identity = self.media.version(target.name)
        else:
            recipe = self._recipe(target, self.store.snapshot, now)
            identity = None if recipe is None else recipe()[0]
        if identity is None:
            return None
        known = self._fingerprints.get(path)
        if known is not None and known[0] == identity:      # comparing is cheaper than repr and hash
            return known[1]
        digest = hashlib.blake2b(repr((CODE_FINGERPRINT, self._config_key, identity)).encode(),
                                 digest_size=16).hexdigest()
        self._fingerprints[path] = (identity, digest)
        return digest

    def warm(self, now: datetime | None = None) -> int:
        """Render every subscription feed and page now, gzip copies included, so requests find them
        ready (archives render on first request). Returns how many documents were rendered."""
        rendered = 0
        for path in self.document_paths(now, archives=False):
            before = self._documents.get(path)
            document = self.document(path, now)
            if document is not None and (before is None or before.rendered is not document):
                document.compress()         # now, at the moment of the change, not in a request
                rendered += 1
        return rendered

    def feed_etags(self, now: datetime | None = None) -> dict[str, str]:
        """Every subscription feed's URL (its WebSub topic) and current ETag."""
        etags = {}
        for key in self.feed_keys():
            document = self.document(key.path, now)
            if document is not None:
                etags[self.config.base_url + key.path] = document.etag
        return etags

    def headers(self, path: str, document: Rendered, gzipped: bool = False) -> dict[str, str]:
        """The response headers for `document` at `path` — for the service and the build's manifest alike.

        Computed once per rendered document; callers must not modify the dict they get.
        """
        memo = self._headers.get((path, gzipped))
        if memo is not None and memo[0] is document:
            return memo[1]
        headers = document.headers(self.policy, gzipped)
        target = route(path)
        if self.config.hub_url and isinstance(target, FeedKey) and target.month is None:
            # WebSub §4: discovery by HTTP Link headers as well as in the document.
            headers["Link"] = f'<{self.config.hub_url}>; rel="hub", <{self.config.base_url + path}>; rel="self"'
        if len(self._headers) > 10_000:
            self._headers.clear()
        self._headers[(path, gzipped)] = (document, headers)
        return headers

    def valid_until(self, path: str) -> float:
        cached = self._documents.get(path)
        return cached.valid_until if cached else FOREVER

    def _cached(self, path: str, snapshot: StoreSnapshot, now: datetime, recipe: Callable[[], Recipe]) -> Rendered:
        cached = self._documents.get(path)
        timestamp = now.timestamp()
        if cached is not None and cached.current(snapshot.generation, timestamp):
            return cached.rendered
        with self._render_lock:
            cached = self._documents.get(path)
            if cached is not None and cached.current(snapshot.generation, timestamp):
                return cached.rendered
            identity, valid_until, render = recipe()
            if cached is None:
                rendered = render()
            elif cached.identity == identity:
                rendered = cached.rendered          # the store changed, but not what this shows
            else:
                before = cached.rendered
                rendered = dated(render(), before.etag, before.last_modified, now)
            self._documents[path] = _Cached(snapshot.generation, valid_until, identity, rendered)
            return rendered

    # ---- feeds ----------------------------------------------------------------------------------

    def _webfeeds(self, snapshot: Snapshot) -> Webfeeds | None:
        site, base = snapshot.site, self.config.base_url
        if not self.config.webfeeds:
            return None
        return Webfeeds(icon=store_url(site.icon, base), logo=store_url(site.logo, base),
                        cover=store_url(site.cover, base),
                        accent_color=site.accent_color.lstrip("#") if site.accent_color else None)

    def _feed_info(self, key: FeedKey, snapshot: Snapshot, now: datetime, complete: bool) -> FeedInfo:
        months = list(self.plan(snapshot, key.section, now).pages) if key.format in ARCHIVE_FORMATS else []
        base = self.config.base_url
        links: list[tuple[str, str]] = []
        label = None
        if key.month is None:
            if months:
                links.append(("prev-archive", base + key.archive(months[-1]).path))
        else:
            index = months.index(key.month)
            links.append(("current", base + key.subscription().path))
            if index > 0:
                links.append(("prev-archive", base + key.archive(months[index - 1]).path))
            if index + 1 < len(months):
                links.append(("next-archive", base + key.archive(months[index + 1]).path))
            label = archive_label(key.month)
        return FeedInfo(key=key, site=snapshot.site,
                        section=snapshot.site.section(key.section) if key.section else None,
                        self_url=base + key.path, media_base_url=base,
                        ttl_minutes=max(1, self.config.max_age // 60), hub_url=self.config.hub_url,
                        links=tuple(links), complete=complete and key.format in ARCHIVE_FORMATS,
                        archive_label=label, webfeeds=self._webfeeds(snapshot) if key.format != "json" else None)

    def selection(self, articles: list[Article], snapshot: Snapshot, now: datetime
                  ) -> tuple[tuple[tuple[Article, tuple[RelatedLink, ...]], ...], float]:
        """`articles` with their related links resolved at `now` — everything a document's bytes depend
        on, computed without rendering — and the moment those links next change on their own."""
        chosen, valid_until = [], FOREVER
        for article in articles:
            related, appears = self._resolve_related(article, snapshot, now)
            valid_until = min(valid_until, appears)
            chosen.append((article, related))
        return tuple(chosen), valid_until

    def items(self, chosen) -> list[Item]:
        """The selection as renderable items (Markdown rendered, once per revision); a story whose
        body is not on disk any more is left out of this render."""
        items = []
        for article, related in chosen:
            prepared = self.prepared(article)
            if prepared is not None:
                items.append(Item(article, prepared, related))
        return items

    def _feed_document(self, key: FeedKey, snapshot: Snapshot, now: datetime) -> Recipe:
        split = self.plan(snapshot, key.section, now)
        if key.month is None:
            articles = snapshot.timeline(key.section).visible_at(now, self.config.items_per_feed)
            complete = split.complete
        else:
            low, high = split.span(key.month)
            oldest_first = snapshot.timeline(key.section).between(*month_bounds(key.month), now)[::-1]
            articles, complete = oldest_first[low:high][::-1], False
        chosen, valid_until = self.selection(articles, snapshot, now)
        valid_until = min(valid_until, snapshot.timeline(key.section).next_appearance(now) or FOREVER)
        info = self._feed_info(key, snapshot, now, complete)
        identity = (snapshot.site.revision, info, tuple((a.revision, related) for a, related in chosen))
        kind = FEED if key.month is None else ARCHIVE

        def render() -> Rendered:
            fitted = fit(RENDERERS[key.format], info, self.items(chosen), self.config.max_feed_bytes)
            self._record_fit(key.path, fitted)
            last_modified = _last_modified((i.article.updated for i in fitted.items), now)   # of what it holds
            return Rendered.of(fitted.body, f"{key.mimetype}; charset=utf-8", last_modified, kind=kind,
                               gzip_level=self.config.gzip_level)
        return identity, valid_until, render

    def _record_fit(self, path: str, fitted: Fitted) -> None:
        """Log what keeping a feed under max_feed_bytes cost it, and remember it for `check --targets`."""
        for article in fitted.abridged:
            log.warning("%s: %s%s is too long for this feed; it carries its summary and a link",
                        path, self.store.display_root, article.path)
        if fitted.full_size is None:
            self.trimmed.pop(path, None)
            return
        self.trimmed[path] = (fitted.full_size, fitted.left_out)
        log.warning("%s: %d stories left out to stay under %d bytes", path, fitted.left_out,
                    self.config.max_feed_bytes)

    def _resolve_related(self, article: Article, snapshot: Snapshot, now: datetime):
        links: list[RelatedLink] = []
        appears = FOREVER
        for link in article.related:
            if isinstance(link, RelatedRef):
                target = snapshot.by_id.get(link.article_id)
                if target is None:
                    continue
                if not target.visible_at(now):
                    appears = min(appears, target.published.timestamp())
                    continue
                links.append(RelatedLink(target.title, target.url))
            else:
                links.append(link)
        return tuple(links), appears

    def prepared(self, article: Article) -> Prepared | None:
        """The article's HTML and summary, rendered once per revision (Markdown dominates a cold render).

        None when the file no longer holds this version (deleted or rewritten since the store read it,
        and never rendered in this process): the story is left out of this render rather than shown
        without its body; the store's next look brings the new state.
        """
        cached = self._prepared.get(article.id)
        if cached is not None and cached[0] == article.revision:
            self._prepared.move_to_end(article.id)
            return cached[1]
        markdown = self.store.body(article)
        if markdown is None:
            log.info("%s%s: changed on disk since it was read; left out until the store looks again",
                     self.store.display_root, article.path)
            return None
        try:
            result = prepare(article, markdown, self.config.summary_length)
        except Exception:  # noqa: BLE001 — one story's body must never take its feeds down
            log.exception("%s%s: the body could not be rendered; the story is left out", self.store.display_root,
                          article.path)
            return None
        self._prepared[article.id] = (article.revision, result)
        while len(self._prepared) > self._prepared_limit:
            self._prepared.popitem(last=False)
        return result

    # ---- pages and the OPML list ----------------------------------------------------------------

    def _page_document(self, key: PageKey, snapshot: Snapshot, now: datetime) -> Recipe:
        site = snapshot.site
        section = site.section(key.section) if key.section else None
        articles = snapshot.timeline(key.section).visible_at(now, self.config.items_per_page)
        chosen, valid_until = self.selection(articles, snapshot, now)
        valid_until = min(valid_until, snapshot.timeline(key.section).next_appearance(now) or FOREVER)
        identity = (site.revision, tuple((a.revision, related) for a, related in chosen))

        def render() -> Rendered:
            items = self.items(chosen)
            last_modified = _last_modified((i.article.updated for i in items), now)
            return Rendered.of(render_page(site, section, items, self.links), "text/html; charset=utf-8",
                               last_modified, kind=PAGE, gzip_level=self.config.gzip_level)
        return identity, valid_until, render

    def _opml_document(self, snapshot: Snapshot, now: datetime) -> Recipe:
        site = snapshot.site
        newest = snapshot.timeline(None).visible_at(now, self.config.items_per_feed)
        last_modified = max((a.updated for a in newest), default=None)
        identity = (site.revision, last_modified)

        def render() -> Rendered:
            return Rendered.of(render_opml(site, self.config.base_url, last_modified),
                               f"{OPML_MIMETYPE}; charset=utf-8", _last_modified([last_modified], now), kind=PAGE,
                               gzip_level=self.config.gzip_level)
        return identity, snapshot.timeline(None).next_appearance(now) or FOREVER, render
