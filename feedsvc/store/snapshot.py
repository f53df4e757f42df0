"""What a look at the store yields: an immutable snapshot for readers, and what changed since the last look.

A store publishes a `Snapshot` once it has read a site file, and a `StoreSnapshot` (no site, nothing
published, only the problems that say why) until then: code that renders takes a `Snapshot`, and
can rely on its site.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping

from ..model import Article, Problem, Site
from .timeline import Timeline

FUTURE_SLACK = timedelta(days=1)


@dataclass
class Changes:
    """What one refresh found, as store-relative paths."""
    added: set[str] = field(default_factory=set)
    edited: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    site: bool = False
    deferred: set[str] = field(default_factory=set)   # left for the next look: modified too recently
    switched: set[str] = field(default_factory=set)   # published or withdrawn: a story scheduled with the
                                                      # same id or URL as another came due

    def __bool__(self) -> bool:
        return bool(self.added or self.edited or self.deleted or self.site or self.switched)


@dataclass(frozen=True)
class StoreSnapshot:
    """One consistent view of the store: cheap to take, never mutated. Its site is None until the
    store has read a valid site file (see `Snapshot`)."""
    generation: int
    site: Site | None
    by_id: Mapping[str, Article]                       # published and scheduled stories (no drafts)
    timelines: Mapping[str | None, Timeline]           # per section slug, and ALL
    problems: tuple[Problem, ...]
    files: int
    drafts: int = 0

    def timeline(self, section: str | None) -> Timeline:
        """`section`'s stories newest first (None: every section); empty for a section not declared."""
        found = self.timelines.get(section)
        return found if found is not None else Timeline((), self.by_id)

    def visible(self, article_id: str, now: datetime) -> Article | None:
        """The story with this id, if it is published and not still scheduled at `now`."""
        article = self.by_id.get(article_id)
        return article if article is not None and article.visible_at(now) else None

    @property
    def errors(self) -> list[Problem]:
        """The problems that keep a story (or the site file) out, without the warnings."""
        return [p for p in self.problems if p.severity == "error"]

    def dated_ahead(self, now: datetime, display_root: str = "") -> list[Problem]:
        """Warnings for stories whose `updated` lies more than a day past both `published` and `now`:
        likely a typo ("2204"), and feeds would claim that date. A reading, not a parse: it depends on now."""
        limit = now + FUTURE_SLACK
        return [Problem(display_root + article.path, "updated",
                        f"{article.updated:%Y-%m-%d %H:%M} UTC is in the future; feeds will show that date "
                        "(a typo?)", "warning")
                for article in sorted(self.by_id.values(), key=lambda a: a.path)
                if article.updated > max(limit, article.published + FUTURE_SLACK)]


@dataclass(frozen=True)
class Snapshot(StoreSnapshot):
    """A snapshot of a store whose site file has been read: what the publisher renders from."""
    site: Site
