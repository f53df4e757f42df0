"""How a page for people is planned: a scope's page (its latest stories, each story line linking to its
writers' and tags' pages, a section's writers, the home page's lists) and its subscribe page. A plan
names what the page shows without rendering it (see `documents`)."""

from __future__ import annotations

from datetime import datetime

from ..model import ALL, AUTHOR, EPOCH, EVERYTHING, SECTION, TAG, Article, Scope
from ..paths import OpmlKey, PageKey, SubscribeKey
from ..render.document import PAGE, Rendered
from ..render.feedmodel import Item
from ..render.pages import PageExtras, PageLinks, StoryLinks, render_page
from ..render.subscribe import render_subscribe_page
from ..store.snapshot import Snapshot
from .cache import DocumentPlan
from .dating import appearance, newest, pending, site_times
from .scopes import Scopes
from .selection import Selector, StoryDocuments, pending_of
from .settings import FeedSettings

LIST_WORDS = ((AUTHOR, "writer"), (TAG, "tag"))  # the lists the home page offers beside feeds.opml


class PagePlanner:
    """Plans the pages under one set of feed settings, with the scopes and the story selection the
    feeds use, and their rule for a story whose body cannot be read back (`stories`)."""

    def __init__(
        self,
        feeds: FeedSettings,
        scopes: Scopes,
        selector: Selector,
        stories: StoryDocuments,
    ) -> None:
        self.feeds = feeds
        self.scopes = scopes
        self.selector = selector
        self.stories = stories
        self.links = PageLinks(feeds.base_url, feeds.base_url + OpmlKey().path)

    def page(self, key: PageKey, snapshot: Snapshot, now: datetime) -> DocumentPlan:
        site = snapshot.site
        subject = self.scopes.subject(key.scope, snapshot)
        articles = snapshot.timeline(key.scope).visible_at(now, self.feeds.items_per_page)
        selected = self.selector.select(articles, snapshot, now)
        chosen, valid_until, stories = selected.chosen, selected.valid_until, selected.identity
        waiting, dated_until = pending_of(selected, site, now)
        valid_until = min(valid_until, dated_until, appearance(snapshot, key.scope, now))
        story_links = {c.article.id: self._story_links(c.article, snapshot, now) for c in chosen}
        lists = (
            tuple((word, self.links.opml(kind)) for kind, word in LIST_WORDS if self.scopes.some(kind, snapshot, now))
            if key.scope.kind == ALL
            else ()
        )
        extras = PageExtras(story_links, self._writers(key.scope, snapshot, now), lists)
        if key.scope.kind != ALL:  # a tag crossing its threshold changes which links story lines carry
            valid_until = min(valid_until, appearance(snapshot, EVERYTHING, now))
        identity = (
            site.revision,
            site_times(site),
            subject,
            stories,
            tuple(story_links.values()),
            extras.writers,
            lists,
            waiting,
        )

        def write(shown: list[Item]) -> tuple[bytes, list[Item]]:
            return render_page(site, subject, shown, self.links, extras), shown

        return self.stories.plan(identity, valid_until, chosen, snapshot, now, write, "text/html; charset=utf-8", PAGE)

    def subscribe(self, key: SubscribeKey, snapshot: Snapshot, now: datetime) -> DocumentPlan:
        """A scope's subscribe page names the scope and its feeds, never a story: no edit to a story
        changes it. It is dated by the site file (from the epoch without one; a new base URL is not
        dated: README)."""
        site = snapshot.site
        subject = self.scopes.subject(key.scope, snapshot)
        waiting, dated_until = pending(site_times(site), now)
        return DocumentPlan(
            (site.revision, site_times(site), subject, waiting),
            dated_until,
            lambda: Rendered.of(
                render_subscribe_page(site, subject, self.links),
                "text/html; charset=utf-8",
                newest(site_times(site), now) or EPOCH,
                kind=PAGE,
                gzip_level=self.feeds.gzip_level,
            ),
        )

    def _story_links(self, article: Article, snapshot: Snapshot, now: datetime) -> StoryLinks:
        """The pages a story line links to: each writer's (by the byline as written), and each of its
        tags' that has one (by the tag's title: one spelling for every story)."""
        bylines, tags, seen = [], [], set()
        for author in article.authors:
            slug = snapshot.author_slug(author.name)
            if slug:
                bylines.append((author.name, self.links.page(Scope(AUTHOR, slug))))
        for tag in article.tags:
            scope = Scope(TAG, snapshot.tag_slug(tag))
            if scope.slug and scope not in seen and self.scopes.exists(scope, snapshot, now):
                seen.add(scope)
                tags.append((self.scopes.named(scope, snapshot).title, self.links.page(scope)))
        return StoryLinks(tuple(bylines), tuple(tags))

    def _writers(self, scope: Scope, snapshot: Snapshot, now: datetime) -> tuple[tuple[str, str, int], ...]:
        """A section's writers: those of its latest stories (its feed's), the busiest first."""
        if scope.kind != SECTION:
            return ()
        counts: dict[Scope, int] = {}
        for article in snapshot.timeline(scope).visible_at(now, self.feeds.items_per_feed):
            for writer in {Scope(AUTHOR, snapshot.author_slug(author.name)) for author in article.authors}:
                if writer.slug:
                    counts[writer] = counts.get(writer, 0) + 1
        named = [
            (self.scopes.named(writer, snapshot).title, self.links.page(writer), count)
            for writer, count in counts.items()
        ]
        return tuple(sorted(named, key=lambda w: (-w[2], w[0])))
