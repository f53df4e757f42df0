"""From each path's story to the stories published: the indexes a snapshot is made of.

A path publishes its story when it is not a draft, its section is declared, and it wins both the
story's id and its URL (and its name, against a name differing only in Unicode normalisation), as
`claims` decides. Everything here is kept up to date one path at a
time, so noticing one edit costs about the same in a store of ten stories or of a hundred thousand;
a full read indexes in bulk instead (one sort at the end, not one insert per story).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import immutables

from ..model import AUTHOR, EVERYTHING, SECTION, TAG, Article, Problem, RelatedLink, RelatedRef, Scope, Site, Status
from ..source.people import NOBODY, People
from ..source.slugs import slugify
from .claims import Claims
from .references import References
from .timeline import Timeline, TimelineIndex


def _claimant(article: Article | None) -> Article | None:
    """The story, if it takes part in claims (drafts claim no id or URL)."""
    return article if article is not None and article.status is not Status.DRAFT else None


class Stories:
    """The published stories by path and by id, with their claims, related ids, drafts and timelines."""

    def __init__(self, story_of: Callable[[str], Article | None]) -> None:
        self._story_of = story_of  # a path's story as last read (drafts included)
        self.site: Site | None = None
        self._published: dict[str, Article] = {}  # path → the story it publishes
        # Shared with snapshots, never copied; changed in place while a full read indexes every story.
        self.by_id: immutables.Map[str, Article] = immutables.Map()
        self._bulk: immutables.MapMutation[str, Article] | None = None
        self.drafts = 0
        self._claims = Claims(lambda relpath: _claimant(self._story_of(relpath)))
        self._references = References(lambda article_id: article_id in self._ids())
        self.people: People = NOBODY
        self._timelines = TimelineIndex(self._scopes_of)

    def _scopes_of(self, article: Article) -> dict[Scope, str]:
        """The timelines a story is in — every story's, its section's, each writer's, each tag's — with
        how it spells the writer or tag (two spellings that fold to one slug count once)."""
        scopes = {EVERYTHING: "", Scope(SECTION, article.section): ""}
        for author in article.authors:
            slug = self.people.slug_of(author.name)
            if slug:
                scopes.setdefault(Scope(AUTHOR, slug), author.name)
        for tag in article.tags:
            slug = slugify(tag)
            if slug:
                scopes.setdefault(Scope(TAG, slug), tag)
        return scopes

    def _ids(self) -> immutables.Map[str, Article] | immutables.MapMutation[str, Article]:
        return self._bulk if self._bulk is not None else self.by_id

    def _sections(self) -> list[Scope]:
        return [Scope(SECTION, section.slug) for section in self.site.sections] if self.site else []

    def set_people(self, people: People) -> None:
        """A new authors file: bylines may name other writers now, so the writers' timelines are made again."""
        self.people = people
        if self._bulk is None:
            self._timelines.rebuild(self._sections(), self._published.values())

    def reset(self, site: Site) -> None:
        """Start over for a new site file: sections and URLs may all have changed."""
        self.site = site
        self._published.clear()
        self.by_id = immutables.Map()
        self._references.all_dangling()
        self._timelines.reset(self._sections())

    @contextlib.contextmanager
    def bulk(self, paths: Callable[[], Iterable[str]]) -> Iterator[None]:
        """Index many stories at once: the id map changed in place (100,000 inserts, one Map at the
        end), each of `paths` (asked for when done) decided once, after every claim is known, not
        again for each story read after it, and the timelines sorted once."""
        self._bulk = self.by_id.mutate()
        try:
            yield
            for relpath in paths():
                self.reconsider(relpath)
        finally:
            self.by_id = self._bulk.finish()
            self._bulk = None
        self._timelines.rebuild(self._sections(), self._published.values())

    def move(self, relpath: str, before: Article | None, after: Article | None) -> None:
        """Move one path's story through the indexes, then re-decide every path it competes with."""
        if before is after:
            return
        self._references.move(relpath, before, after)
        if before is not None and before.status is Status.DRAFT:
            self.drafts -= 1
        if after is not None and after.status is Status.DRAFT:
            self.drafts += 1
        contenders = self._claims.move(relpath, _claimant(before), _claimant(after))
        if self._bulk is None:  # in bulk, every path is decided once all are read
            for path in sorted(contenders):
                self.reconsider(path)

    def _winner(self, relpath: str) -> Article | None:
        """The story `relpath` publishes: not a draft, in a declared section, winner of its id and URL."""
        article = self._story_of(relpath)
        if article is None or article.status is Status.DRAFT or self.site is None:
            return None
        if self.site.section(article.section) is None:
            return None
        if not self._claims.wins(relpath, article):
            return None
        return article

    def advance(self, now: float) -> set[str]:
        """Decide contested ids and URLs at `now` (POSIX time); the paths whose story changed because
        a story scheduled with another's id or URL came due."""
        changed = set()
        for relpath in sorted(self._claims.advance(now)):
            if self.reconsider(relpath):
                changed.add(relpath)
        return changed

    @property
    def next_switch(self) -> float:
        """When the next story scheduled with another's id or URL comes due (POSIX time; inf: none)."""
        return self._claims.next_switch

    def reconsider(self, relpath: str) -> bool:
        """Publish what `relpath` should publish now, in place of what it did; True if that changed."""
        desired = self._winner(relpath)
        current = self._published.get(relpath)
        if desired is current:
            return False
        if current is not None:
            del self._published[relpath]
            if self._ids().get(current.id) is current:
                if self._bulk is not None:
                    del self._bulk[current.id]
                else:
                    self.by_id = self.by_id.delete(current.id)
                self._references.check(current.id)
        if desired is not None:
            self._published[relpath] = desired
            if self._bulk is not None:
                self._bulk[desired.id] = desired
            else:
                self.by_id = self.by_id.set(desired.id, desired)
            self._references.check(desired.id)
        if self._bulk is None:
            self._timelines.move(current, desired)
            self._touch_referrers({story.id for story in (current, desired) if story is not None})
        return True

    def _touch_referrers(self, ids: set[str]) -> None:
        """The stories that link to a changed story by id show its title: their feeds change too."""
        for article_id in ids:
            for relpath in self._references.referrers(article_id):
                story = self._published.get(relpath)
                if story is not None:
                    self._timelines.touch(story)

    def timelines(self) -> tuple[Mapping[Scope, Timeline], frozenset[Scope] | None]:
        """The timelines for a new snapshot (every scope with a story, ALL and each declared section),
        and the scopes changed since the last snapshot (None: all)."""
        return self._timelines.publish(self.by_id)

    def problems(self, display: Callable[[str], str]) -> list[Problem]:
        """Links to ids nothing publishes, and stories left out for a contested id or URL."""

        def related_of(relpath: str) -> Sequence[RelatedLink | RelatedRef]:
            story = self._story_of(relpath)
            return story.related if story is not None else ()

        return self._references.problems(display, related_of) + self._claims.problems(display)
