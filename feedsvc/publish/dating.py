"""When a document last changed, computed from the store alone — so every worker, restart and node
reading the same store gives a document the same Last-Modified (issue 13, case 6).

A document's times are those of what it shows: each story's `updated` and the modification times of
its file and of its store photo, the publish time and file time of each story it links to, and the
site file's time. Its Last-Modified is the newest of them that has come: never after the response's
Date (RFC 9110 §8.8.2.1), and a time still ahead (a typo, a file server whose clock runs fast) counts
once it comes. Nothing here depends on when a process noticed a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..model import Article, Scope, Site
from ..store.snapshot import Snapshot
from .cache import FOREVER


def story_times(article: Article) -> tuple[datetime, ...]:
    """The times a story's part of a document depends on: its `updated` (never before `published`,
    so a scheduled story dates the document it appears in) and when its file and photo were saved."""
    photo = article.photo.modified if article.photo else None
    return tuple(t for t in (article.updated, article.modified, photo) if t is not None)


def link_times(target: Article) -> tuple[datetime, ...]:
    """The times a link to another story depends on: when it appeared, and when its file was saved
    (its title and URL are what the link shows)."""
    return (target.published,) if target.modified is None else (target.published, target.modified)


def site_times(site: Site) -> tuple[datetime, ...]:
    return () if site.modified is None else (site.modified,)


def newest(times: Iterable[datetime], now: datetime) -> datetime | None:
    """The Last-Modified of a document with these times, at `now`: to the second, as HTTP dates and
    the static build's file times carry it."""
    found = max((t for t in times if t <= now), default=None)
    return None if found is None else found.replace(microsecond=0)


def ahead(times: Iterable[datetime], now: datetime) -> tuple[datetime, ...]:
    """The times still to come, in order: a document is dated again as each one arrives."""
    return tuple(sorted(t for t in times if t > now))


def pending(times: Iterable[datetime], now: datetime) -> tuple[tuple[datetime, ...], float]:
    """What a document's Last-Modified depends on besides what its identity already names (the times
    still to come), and when the next of them comes (FOREVER: none)."""
    waiting = ahead(times, now)
    return waiting, (waiting[0].timestamp() if waiting else FOREVER)


def appearance(snapshot: Snapshot, scope: Scope, now: datetime) -> float:
    """When the scope's next scheduled story appears (FOREVER: none): a document listing its stories
    changes then."""
    return snapshot.timeline(scope).next_appearance(now) or FOREVER
