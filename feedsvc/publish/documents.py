"""How each kind of document is planned: a feed (subscription or archive) of any scope, a page for
people and its subscribe page (`pageplans`), an OPML list, the news sitemap and robots.txt. A plan
names what the document shows without rendering it; rendering comes later, if the document cache
needs the bytes."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import NamedTuple

from ..model import AUTHOR, EPOCH, EVERYTHING, SECTION, TAG, Article, Scope
from ..paths import (
    ARCHIVE_FORMATS,
    NEWS_SITEMAP_PATH,
    FeedKey,
    MediaKey,
    NewsSitemapKey,
    OpmlKey,
    PageKey,
    RobotsKey,
    Route,
    SubscribeKey,
)
from ..render.document import ARCHIVE, FEED, PAGE, CachePolicy, Rendered
from ..render.feedmodel import Item, Prepared
from ..render.feeds import render_feed
from ..render.jsonfeed import render_json_feed
from ..render.opml import OPML_MIMETYPE, Outline, render_opml
from ..render.sitemap import (
    NEWS_MAX_URLS,
    NEWS_WINDOW_SECONDS,
    ROBOTS_MIMETYPE,
    SITEMAP_MIMETYPE,
    render_news_sitemap,
    render_robots,
)
from ..store.snapshot import Snapshot, StoreSnapshot
from ..store.timeline import month_bounds
from .archives import Plan
from .cache import FOREVER, DocumentPlan
from .dating import appearance, newest, pending, site_times, story_times
from .feedinfo import feed_info
from .fit import Fitted, fit
from .pageplans import PagePlanner
from .scopes import Scopes
from .selection import Selection, Selector, StoryDocuments, pending_of
from .settings import FeedSettings

log = logging.getLogger(__name__)
SHOWN_LIMIT = 4_096  # feeds' selections remembered at most, of one generation (see _shown)
RENDERERS = {"rss": render_feed, "atom": render_feed, "json": render_json_feed}
OPML_TITLES = {SECTION: "every section", AUTHOR: "every writer", TAG: "every tag"}


class Shown(NamedTuple):
    """What a feed shows, whatever its format: the stories chosen, until when that holds on its own, what
    its items' bytes depend on (`Selected.identity`), the times still to come that date it, and whether
    it holds every story of its scope."""

    chosen: Selection
    valid_until: float
    stories: str
    waiting: tuple[datetime, ...]
    complete: bool


class DocumentPlanner:
    """Plans the documents under one set of feed settings and cache policy. `archive_plan` splits a
    scope between its feed and its archives; `prepared` gives a story's rendered body (once per revision)."""

    def __init__(
        self,
        feeds: FeedSettings,
        policy: CachePolicy,
        archive_plan: Callable[[Snapshot, Scope, datetime], Plan],
        prepared: Callable[[Article], Prepared | None],
        display_root: str,
    ) -> None:
        self.feeds = feeds
        self.policy = policy
        self.archive_plan = archive_plan
        self.display_root = display_root
        self.scopes = Scopes(feeds)
        self.trimmed: dict[str, tuple[int, int]] = {}  # feed path → (full size, stories left out)
        self.selector = Selector()
        self.stories = StoryDocuments(prepared, feeds)
        self.pages = PagePlanner(feeds, self.scopes, self.selector, self.stories)
        self._shown_memo: dict[tuple[Scope, str | None, int, float], Shown] = {}  # (scope, month, generation, moment)
        self._shown_generation = -1
        self._last_month: tuple[tuple[Scope, str, int, float] | None, list[Article]] = (None, [])

    def lookup(self, key: Route | None, snapshot: StoreSnapshot, now: datetime) -> Callable[[], DocumentPlan] | None:
        """How to plan the document `key` names, or None if the publication has no such document.
        Deciding is cheap; the plan itself (selecting stories, resolving links) waits to be asked for."""
        if key is None or not isinstance(snapshot, Snapshot) or isinstance(key, MediaKey):
            return None
        if isinstance(key, OpmlKey):
            return partial(self.opml, key.kind, snapshot, now)
        if isinstance(key, NewsSitemapKey):
            return partial(self.news_sitemap, snapshot, now)
        if isinstance(key, RobotsKey):
            return partial(self.robots)
        if not self.scopes.exists(key.scope, snapshot, now):
            return None
        if isinstance(key, PageKey):
            return partial(self.pages.page, key, snapshot, now)
        if isinstance(key, SubscribeKey):
            return partial(self.pages.subscribe, key, snapshot, now)
        if key.month is not None and key.month not in self.archive_plan(snapshot, key.scope, now).pages:
            return None
        return partial(self.feed, key, snapshot, now)

    def feed(self, key: FeedKey, snapshot: Snapshot, now: datetime) -> DocumentPlan:
        split = self.archive_plan(snapshot, key.scope, now)
        chosen, valid_until, stories, waiting, complete = self._shown(key, split, snapshot, now)
        months = list(split.pages) if key.format in ARCHIVE_FORMATS else []
        info = feed_info(
            key,
            self.scopes.subject(key.scope, snapshot),
            snapshot.site,
            months,
            complete,
            self.feeds,
            self.policy.max_age,
        )
        identity = (snapshot.site.revision, site_times(snapshot.site), info, stories, waiting)
        kind = FEED if key.month is None else ARCHIVE

        def write(shown: list[Item]) -> tuple[bytes, list[Item]]:
            fitted = fit(RENDERERS[key.format], info, shown, self.feeds.max_feed_bytes)
            self._record_fit(key.path, fitted)
            return fitted.body, fitted.items

        return self.stories.plan(
            identity, valid_until, chosen, snapshot, now, write, f"{key.mimetype}; charset=utf-8", kind
        )

    def _shown(self, key: FeedKey, split: Plan, snapshot: Snapshot, now: datetime) -> Shown:
        """The stories a feed (or archive page) of `key`'s scope shows at `now`: the same in every
        format, so planned once for all of them (a build plans each archive in RSS and Atom)."""
        memo_key = (key.scope, key.month, snapshot.generation, now.timestamp())
        found = self._shown_memo.get(memo_key)
        if found is not None:
            return found
        timeline = snapshot.timeline(key.scope)
        if key.month is None:
            articles = timeline.visible_at(now, self.feeds.items_per_feed)
            complete = split.complete
        else:
            span = split.span(key.month)
            assert span is not None, "lookup() lets only the scope's archive months through"
            low, high = span
            articles, complete = self._month(key, snapshot, now)[low:high][::-1], False
        selected = self.selector.select(articles, snapshot, now)
        chosen, valid_until, stories = selected.chosen, selected.valid_until, selected.identity
        waiting, dated_until = pending_of(selected, snapshot.site, now)
        valid_until = min(valid_until, dated_until, appearance(snapshot, key.scope, now))
        shown = Shown(chosen, valid_until, stories, waiting, complete)
        if len(self._shown_memo) >= SHOWN_LIMIT or self._shown_generation != snapshot.generation:
            self._shown_memo, self._shown_generation = {}, snapshot.generation  # keyed fully: races cost a miss
        self._shown_memo[memo_key] = shown
        return shown

    def _month(self, key: FeedKey, snapshot: Snapshot, now: datetime) -> list[Article]:
        """The stories of an archive's month, oldest first, which its pages share out: remembered for the
        next page (a tag on every story has a dozen a month)."""
        assert key.month is not None
        memo_key = (key.scope, key.month[:7], snapshot.generation, now.timestamp())
        last = self._last_month
        if last[0] == memo_key:
            return last[1]
        oldest_first = snapshot.timeline(key.scope).between(*month_bounds(key.month), now)[::-1]
        self._last_month = (memo_key, oldest_first)
        return oldest_first

    def _record_fit(self, path: str, fitted: Fitted) -> None:
        """Log what keeping a feed under max_feed_bytes cost it, and remember it for `check --targets`."""
        for article in fitted.abridged:
            log.warning(
                "%s: %s%s is too long for this feed; it carries its summary and a link",
                path,
                self.display_root,
                article.path,
            )
        for article in fitted.too_large:
            log.warning(
                "%s: %s%s is too large for this feed even with only its summary; it is left out",
                path,
                self.display_root,
                article.path,
            )
        if fitted.full_size is None:
            self.trimmed.pop(path, None)
            return
        self.trimmed[path] = (fitted.full_size, fitted.left_out)
        log.warning("%s: %d stories left out to stay under %d bytes", path, fitted.left_out, self.feeds.max_feed_bytes)

    def opml(self, kind: str, snapshot: Snapshot, now: datetime) -> DocumentPlan:
        site = snapshot.site
        latest = snapshot.timeline(None).visible_at(now, self.feeds.items_per_feed)
        last_modified = max((a.updated for a in latest), default=None)  # the list says when it changed
        times = (*site_times(site), *((last_modified,) if last_modified else ()))  # all its bytes depend on
        waiting, dated_until = pending(times, now)
        outlines = []
        for scope in self.scopes.listed(kind, snapshot, now):
            subject = self.scopes.named(scope, snapshot)
            outlines.append(
                Outline(
                    f"{site.title} — {subject.title}",
                    self.feeds.base_url + FeedKey(scope, "rss").path,
                    subject.link,
                    subject.lede,
                )
            )
        identity = (site.revision, times, tuple(outlines), waiting)
        title = f"{site.title} — {OPML_TITLES[kind]}"

        def render() -> Rendered:
            return Rendered.of(
                render_opml(site, title, outlines, last_modified),
                f"{OPML_MIMETYPE}; charset=utf-8",
                newest(times, now),
                kind=PAGE,
                gzip_level=self.feeds.gzip_level,
            )

        return DocumentPlan(identity, min(dated_until, appearance(snapshot, EVERYTHING, now)), render)

    def news_sitemap(self, snapshot: Snapshot, now: datetime) -> DocumentPlan:
        """The stories published in the last two days, newest first, at most 1,000. It changes on its
        own when the oldest of them turns two days old, or a scheduled story appears."""
        timeline = snapshot.timeline(None)
        start = math.nextafter(now.timestamp() - NEWS_WINDOW_SECONDS, math.inf)  # within the last two days
        chosen = timeline.between(start, now.timestamp() + 1, now)[:NEWS_MAX_URLS]
        leaves = chosen[-1].published.timestamp() + NEWS_WINDOW_SECONDS if chosen else FOREVER
        site = snapshot.site
        if chosen:  # when each story listed was saved, and the site file's title
            modified = [*site_times(site), *(t for a in chosen for t in story_times(a))]
        else:  # empty since the newest story turned two days old (if there is one)
            latest = timeline.visible_at(now, 1)
            modified = [latest[0].published + timedelta(seconds=NEWS_WINDOW_SECONDS) if latest else EPOCH]
        waiting, dated_until = pending(modified, now)
        identity = (
            site.title,
            site.language,
            tuple((a.url, a.title, a.published) for a in chosen),
            tuple(modified),
            waiting,
        )

        def render() -> Rendered:
            return Rendered.of(
                render_news_sitemap(site, chosen),
                f"{SITEMAP_MIMETYPE}; charset=utf-8",
                newest(modified, now),
                kind=PAGE,
                gzip_level=self.feeds.gzip_level,
            )

        return DocumentPlan(identity, min(leaves, dated_until, appearance(snapshot, EVERYTHING, now)), render)

    def robots(self) -> DocumentPlan:
        """robots.txt depends on the configuration alone, not on any story: it is dated from the epoch
        (a new base URL changes its bytes, not its date: README)."""
        sitemap = self.feeds.base_url + NEWS_SITEMAP_PATH
        return DocumentPlan(
            sitemap,
            FOREVER,
            lambda: Rendered.of(
                render_robots(sitemap),
                f"{ROBOTS_MIMETYPE}; charset=utf-8",
                EPOCH,
                kind=PAGE,
                gzip_level=self.feeds.gzip_level,
            ),
        )
