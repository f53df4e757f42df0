"""How each kind of document is planned: a feed (subscription or archive), a page for people, the
OPML list. A plan names what the document shows without rendering it; rendering comes later, if the
document cache needs the bytes."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial

from ..config import Config
from ..model import Article
from ..paths import ARCHIVE_FORMATS, FeedKey, MediaKey, OpmlKey, PageKey, Route
from ..render.document import ARCHIVE, FEED, PAGE, Rendered
from ..render.feeds import Prepared, render_feed
from ..render.jsonfeed import render_json_feed
from ..render.opml import OPML_MIMETYPE, render_opml
from ..render.pages import PageLinks, render_page
from ..store.snapshot import Snapshot, StoreSnapshot
from ..store.timeline import month_bounds
from .archives import Plan
from .cache import FOREVER, DocumentPlan
from .feedinfo import feed_info
from .fit import Fitted, fit
from .selection import items, select

log = logging.getLogger(__name__)
RENDERERS = {"rss": render_feed, "atom": render_feed, "json": render_json_feed}


def _last_modified(times: Iterable[datetime | None], now: datetime) -> datetime | None:
    """The newest of `times`, but never later than `now`: RFC 9110 §8.8.2.1 forbids a Last-Modified
    after the response's Date, and an `updated` typed years ahead would otherwise make clients'
    If-Modified-Since answer 304 to every later change."""
    newest = max((t for t in times if t is not None), default=None)
    return None if newest is None else min(newest, now)


class DocumentPlanner:
    """Plans the documents of one configuration. `archive_plan` splits a section between its feed and
    its archives; `prepared` gives a story's rendered body (once per revision)."""

    def __init__(self, config: Config, archive_plan: Callable[[Snapshot, str | None, datetime], Plan],
                 prepared: Callable[[Article], Prepared | None], display_root: str) -> None:
        self.config = config
        self.archive_plan = archive_plan
        self.prepared = prepared
        self.display_root = display_root
        self.links = PageLinks(config.base_url, config.base_url + OpmlKey().path)
        self.trimmed: dict[str, tuple[int, int]] = {}     # feed path → (full size, stories left out)

    def lookup(self, key: Route | None, snapshot: StoreSnapshot, now: datetime) -> Callable[[], DocumentPlan] | None:
        """How to plan the document `key` names, or None if the publication has no such document.
        Deciding is cheap; the plan itself (selecting stories, resolving links) waits to be asked for."""
        if key is None or not isinstance(snapshot, Snapshot) or isinstance(key, MediaKey):
            return None
        site = snapshot.site
        if isinstance(key, OpmlKey):
            return partial(self.opml, snapshot, now)
        if key.section is not None and site.section(key.section) is None:
            return None
        if isinstance(key, PageKey):
            return partial(self.page, key, snapshot, now)
        if key.month is not None and key.month not in self.archive_plan(snapshot, key.section, now).pages:
            return None
        return partial(self.feed, key, snapshot, now)

    def feed(self, key: FeedKey, snapshot: Snapshot, now: datetime) -> DocumentPlan:
        split = self.archive_plan(snapshot, key.section, now)
        if key.month is None:
            articles = snapshot.timeline(key.section).visible_at(now, self.config.items_per_feed)
            complete = split.complete
        else:
            span = split.span(key.month)
            assert span is not None, "lookup() lets only the section's archive months through"
            low, high = span
            oldest_first = snapshot.timeline(key.section).between(*month_bounds(key.month), now)[::-1]
            articles, complete = oldest_first[low:high][::-1], False
        chosen, valid_until = select(articles, snapshot, now)
        valid_until = min(valid_until, snapshot.timeline(key.section).next_appearance(now) or FOREVER)
        months = list(split.pages) if key.format in ARCHIVE_FORMATS else []
        info = feed_info(key, snapshot.site, months, complete, self.config)
        identity = (snapshot.site.revision, info, tuple((a.revision, related) for a, related in chosen))
        kind = FEED if key.month is None else ARCHIVE

        def render() -> Rendered:
            fitted = fit(RENDERERS[key.format], info, items(chosen, self.prepared), self.config.max_feed_bytes)
            self._record_fit(key.path, fitted)
            last_modified = _last_modified((i.article.updated for i in fitted.items), now)   # of what it holds
            return Rendered.of(fitted.body, f"{key.mimetype}; charset=utf-8", last_modified, kind=kind,
                               gzip_level=self.config.gzip_level)
        return DocumentPlan(identity, valid_until, render)

    def _record_fit(self, path: str, fitted: Fitted) -> None:
        """Log what keeping a feed under max_feed_bytes cost it, and remember it for `check --targets`."""
        for article in fitted.abridged:
            log.warning("%s: %s%s is too long for this feed; it carries its summary and a link",
                        path, self.display_root, article.path)
        for article in fitted.too_large:
            log.warning("%s: %s%s is too large for this feed even with only its summary; it is left out",
                        path, self.display_root, article.path)
        if fitted.full_size is None:
            self.trimmed.pop(path, None)
            return
        self.trimmed[path] = (fitted.full_size, fitted.left_out)
        log.warning("%s: %d stories left out to stay under %d bytes", path, fitted.left_out,
                    self.config.max_feed_bytes)

    def page(self, key: PageKey, snapshot: Snapshot, now: datetime) -> DocumentPlan:
        site = snapshot.site
        section = site.section(key.section) if key.section else None
        articles = snapshot.timeline(key.section).visible_at(now, self.config.items_per_page)
        chosen, valid_until = select(articles, snapshot, now)
        valid_until = min(valid_until, snapshot.timeline(key.section).next_appearance(now) or FOREVER)
        identity = (site.revision, tuple((a.revision, related) for a, related in chosen))

        def render() -> Rendered:
            shown = items(chosen, self.prepared)
            last_modified = _last_modified((i.article.updated for i in shown), now)
            return Rendered.of(render_page(site, section, shown, self.links), "text/html; charset=utf-8",
                               last_modified, kind=PAGE, gzip_level=self.config.gzip_level)
        return DocumentPlan(identity, valid_until, render)

    def opml(self, snapshot: Snapshot, now: datetime) -> DocumentPlan:
        site = snapshot.site
        newest = snapshot.timeline(None).visible_at(now, self.config.items_per_feed)
        last_modified = max((a.updated for a in newest), default=None)
        identity = (site.revision, last_modified)

        def render() -> Rendered:
            return Rendered.of(render_opml(site, self.config.base_url, last_modified),
                               f"{OPML_MIMETYPE}; charset=utf-8", _last_modified([last_modified], now), kind=PAGE,
                               gzip_level=self.config.gzip_level)
        return DocumentPlan(identity, snapshot.timeline(None).next_appearance(now) or FOREVER, render)
