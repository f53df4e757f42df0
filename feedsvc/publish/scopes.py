"""Which scopes have feeds at a moment, and what each is about.

Every section has feeds; a writer has them once one of their stories is published; a tag once
`tag_feed_min_stories` published stories carry it (and `tag_feeds` is on) — so a one-off tag makes
no feed, and a store with fifty thousand distinct tags does not get fifty thousand feeds. Whether a
scope has feeds is a bisect in its timeline; listing them all walks the store's scopes, which only
the documents that list them (the OPML files, the build) do.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urljoin

from ..model import ALL, AUTHOR, SECTION, TAG, Scope
from ..paths import PageKey
from ..render.feedmodel import store_url
from ..render.subject import Subject
from ..store.snapshot import Snapshot
from .settings import FeedSettings

KINDS = (SECTION, AUTHOR, TAG)
SUBJECTS_LIMIT = 100_000  # subjects remembered at most, of one snapshot


class Scopes:
    """The scopes under one set of feed settings: which have feeds at `now`, and their subjects."""

    def __init__(self, feeds: FeedSettings) -> None:
        self.feeds = feeds
        self._subjects: dict[tuple[Scope, int], Subject] = {}  # (scope, generation) → its subject
        self._generation = -1

    def exists(self, scope: Scope, snapshot: Snapshot, now: datetime) -> bool:
        """Has this scope feeds and a page at `now`?"""
        if scope.kind == ALL:
            return True
        if scope.kind == SECTION:
            return snapshot.site.section(scope.slug) is not None
        if scope.kind == TAG and not self.feeds.tag_feeds:
            return False
        minimum = self.feeds.tag_feed_min_stories if scope.kind == TAG else 1
        timeline = snapshot.timelines.get(scope)
        return timeline is not None and timeline.visible_count(now) >= minimum

    def listed(self, kind: str, snapshot: Snapshot, now: datetime) -> list[Scope]:
        """Every scope of `kind` with feeds at `now`: sections in the site file's order, the others by slug."""
        if kind == SECTION:
            return [Scope(SECTION, section.slug) for section in snapshot.site.sections]
        if kind == TAG and not self.feeds.tag_feeds:
            return []
        return [scope for scope in snapshot.scopes(kind) if self.exists(scope, snapshot, now)]

    def some(self, kind: str, snapshot: Snapshot, now: datetime) -> bool:
        """Has any scope of `kind` feeds at `now`? (Stops at the first: the home page asks after every edit.)"""
        if kind == TAG and not self.feeds.tag_feeds:
            return False
        return any(scope.kind == kind and self.exists(scope, snapshot, now) for scope in snapshot.timelines)

    def every(self, snapshot: Snapshot, now: datetime) -> list[Scope]:
        """Every scope with feeds but the all-sections one: sections, then writers, then tags."""
        return [scope for kind in KINDS for scope in self.listed(kind, snapshot, now)]

    def named(self, scope: Scope, snapshot: Snapshot) -> Subject:
        """The subject of a section, writer or tag (every scope but the all-sections one has one)."""
        subject = self.subject(scope, snapshot)
        if subject is None:
            raise ValueError(f"{scope} is every section: it has no subject of its own")
        return subject

    def subject(self, scope: Scope, snapshot: Snapshot) -> Subject | None:
        """What the scope is about, as its feeds and page name it (None: every section). Remembered for
        the snapshot: a build asks it of every feed, archive page and story line of a page."""
        if scope.kind == ALL:
            return None
        memo_key = (scope, snapshot.generation)
        found = self._subjects.get(memo_key)
        if found is None:
            found = self._subject(scope, snapshot)
            if self._generation != snapshot.generation or len(self._subjects) >= SUBJECTS_LIMIT:
                self._subjects, self._generation = {}, snapshot.generation  # keyed fully: races cost a miss
            self._subjects[memo_key] = found
        return found

    def _subject(self, scope: Scope, snapshot: Snapshot) -> Subject:
        site, base = snapshot.site, self.feeds.base_url
        own_page = base + PageKey(scope).path
        if scope.kind == SECTION:
            section = site.section(scope.slug)
            title = section.title if section else scope.slug
            lede = section.description if section else ""
            return Subject(
                scope,
                title,
                lede or f"{title} from {site.title}",
                urljoin(site.url, quote(scope.slug) + "/"),
                lede=lede,
            )
        if scope.kind == AUTHOR:
            person = snapshot.people.person(scope.slug)
            name = person.name if person else snapshot.timeline(scope).name or scope.slug
            bio = person.bio if person else ""
            photo = store_url(person.photo, base) if person else None
            return Subject(
                scope,
                name,
                bio or f"Stories by {name} from {site.title}",
                own_page,
                photo,
                person.url if person else None,
                lede=bio,
            )
        if scope.kind == TAG:
            described = site.tag(scope.slug)
            title = described.title if described else snapshot.timeline(scope).name or scope.slug
            description = described.description if described else ""
            return Subject(
                scope, title, description or f"Stories tagged {title} from {site.title}", own_page, lede=description
            )
        raise ValueError(f"{scope}: no such kind of scope")
