"""What a look at the store yields: an immutable snapshot for readers, and what changed since the last look.

A store publishes a `Snapshot` once it has read a site file, and a `StoreSnapshot` (no site, nothing
published, only the problems that say why) until then: code that renders takes a `Snapshot`, and
can rely on its site.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from ..model import EVERYTHING, SECTION, Article, Problem, Scope, Site
from ..source.people import AUTHORS_FILE, NOBODY, People
from ..source.slugs import look_alikes, slugify
from .timeline import Timeline

HISTORY = 64  # snapshots whose changed scopes a snapshot remembers

FUTURE_SLACK = timedelta(days=1)


@dataclass
class Changes:
    """What one refresh found, as store-relative paths."""

    added: set[str] = field(default_factory=set)
    edited: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    site: bool = False
    people: bool = False  # the authors file changed who is who
    deferred: set[str] = field(default_factory=set)  # left for the next look: modified too recently
    switched: set[str] = field(default_factory=set)  # published or withdrawn: a story scheduled with the
    # same id or URL as another came due
    # Photos under media/ a watcher named or a scan found changed: no story may read them otherwise (a
    # photo no story uses yet, one saved again as it was), so they change no snapshot and make no
    # change (`bool`); the refresher hands them to `on_media` alone (the static build publishes every photo).
    media: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.added or self.edited or self.deleted or self.site or self.people or self.switched)

    def then(self, later: Changes) -> Changes:
        """These changes followed by `later`'s (a second look at what was deferred): what both found,
        and what is still left for the next look."""
        return Changes(
            added=self.added | later.added,
            edited=self.edited | later.edited,
            deleted=self.deleted | later.deleted,
            site=self.site or later.site,
            people=self.people or later.people,
            deferred=set(later.deferred),
            switched=self.switched | later.switched,
            media=self.media | later.media,
        )


@dataclass(frozen=True)
class StoreSnapshot:
    """One consistent view of the store: cheap to take, never mutated. Its site is None until the
    store has read a valid site file (see `Snapshot`)."""

    generation: int
    site: Site | None
    by_id: Mapping[str, Article]  # published and scheduled stories (no drafts)
    timelines: Mapping[Scope, Timeline]  # per scope with a story, ALL and each declared section
    problems: tuple[Problem, ...]
    files: int
    drafts: int = 0
    people: People = NOBODY  # who each byline is (the authors file)
    # (generation, the scopes it changed — None: all) for this snapshot and up to HISTORY before it
    history: tuple[tuple[int, frozenset[Scope] | None], ...] = ()

    def timeline(self, scope: Scope | str | None) -> Timeline:
        """`scope`'s stories newest first (None: every section; a text: that section); empty for a
        scope without stories."""
        key = EVERYTHING if scope is None else Scope(SECTION, scope) if isinstance(scope, str) else scope
        found = self.timelines.get(key)
        return found if found is not None else Timeline((), self.by_id)

    def scopes(self, kind: str) -> list[Scope]:
        """Every scope of this kind with a published or scheduled story, sorted by slug."""
        return sorted(scope for scope in self.timelines if scope.kind == kind)

    def author_slug(self, name: str) -> str:
        """The slug of the writer a byline names."""
        return self.people.slug_of(name)

    @staticmethod
    def tag_slug(tag: str) -> str:
        """The slug a tag's timeline is kept under (its spellings folded into one)."""
        return slugify(tag)

    def changed_since(self, generation: int) -> frozenset[Scope] | None:
        """The scopes whose stories changed after `generation` (None: all of them, or no longer known)."""
        if generation >= self.generation:
            return frozenset()
        if not self.history or self.history[0][0] > generation + 1:
            return None
        changed: set[Scope] = set()
        for made, scopes in self.history:
            if made > generation:
                if scopes is None:
                    return None
                changed |= scopes
        return frozenset(changed)

    def visible(self, article_id: str, now: datetime) -> Article | None:
        """The story with this id, if it is published and not still scheduled at `now`."""
        article = self.by_id.get(article_id)
        return article if article is not None and article.visible_at(now) else None

    def look_alike_bylines(self, display_root: str = "") -> list[Problem]:
        """Warnings for bylines that look like one person spelt two ways ("José Núñez", "Jose Nunez",
        "J. Núñez"), unless the authors file names both. A reading, for `check`: it compares names."""
        first: dict[str, str] = {}  # spelling → the first story (by path) that uses it
        for article in sorted(self.by_id.values(), key=lambda a: a.path):
            for author in article.authors:
                first.setdefault(author.name, article.path)
        problems = []
        for a, b, why in look_alikes(list(first)):
            if self.people.declared(a) and self.people.declared(b):
                continue
            joined = self.people.slug_of(a) == self.people.slug_of(b)
            outcome = (
                "they share one writer's feed; spell the byline one way, or list both in "
                if joined
                else "they get a feed each; if they are one person, list both in "
            )
            earlier, later = sorted((a, b), key=lambda name: (first[name], name))
            problems.append(
                Problem(
                    display_root + first[later],
                    "authors",
                    f"{later!r} looks like {earlier!r} ({display_root}{first[earlier]}): {why}; "
                    f"{outcome}{AUTHORS_FILE} (also_known_as)",
                    "warning",
                )
            )
        return sorted(problems, key=lambda p: (p.path, p.message))

    @property
    def errors(self) -> list[Problem]:
        """The problems that keep a story (or the site file) out, without the warnings."""
        return [p for p in self.problems if p.severity == "error"]

    def dated_ahead(self, now: datetime, display_root: str = "") -> list[Problem]:
        """Warnings for stories whose `updated` lies more than a day past both `published` and `now`:
        likely a typo ("2204"), and feeds would claim that date. A reading, not a parse: it depends on now."""
        limit = now + FUTURE_SLACK
        return [
            Problem(
                display_root + article.path,
                "updated",
                f"{article.updated:%Y-%m-%d %H:%M} UTC is in the future; feeds will show that date (a typo?)",
                "warning",
            )
            for article in sorted(self.by_id.values(), key=lambda a: a.path)
            if article.updated > max(limit, article.published + FUTURE_SLACK)
        ]

    def held_back(self, now: datetime, display_root: str = "") -> list[Problem]:
        """A note for each story scheduled after `now`, saying when it appears, in the site's zone and in
        UTC: a time typed a day or a zone off holds a story back silently otherwise."""
        zone = self.site.tz if self.site is not None else UTC
        return [
            Problem(
                display_root + article.path,
                "published",
                f'"{article.title}" is held back until its time, {_when(article.published, zone)}',
                "note",
            )
            for article in self.timeline(None).scheduled(now)
        ]


def _when(moment: datetime, zone: tzinfo) -> str:
    """ "2099-01-01 09:00 PST (America/Los_Angeles), 2099-01-01 17:00 UTC"."""
    utc = f"{moment:%Y-%m-%d %H:%M} UTC"
    local = moment.astimezone(zone)
    if local.utcoffset() == timedelta(0) and str(zone) in ("UTC", "Etc/UTC"):
        return utc
    return f"{local:%Y-%m-%d %H:%M} {local:%Z} ({zone}), {utc}"


@dataclass(frozen=True)
class Snapshot(StoreSnapshot):
    """A snapshot of a store whose site file has been read: what the publisher renders from."""

    site: Site
