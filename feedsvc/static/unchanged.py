"""Which of the last build's documents a new process may keep without planning them.

Planning a document (selecting its stories, resolving their links) is what proves it unchanged, and a
one-off build after one edit spent most of its time planning thousands it then kept (figures in
docs/PERFORMANCE.md). The record the last build left beside its files says what every document
depended on then: one digest of what all of them depend on (`publish.scopemarks.context`, with the
code and configuration), one per scope of its stories (`scope_marks`), and per document until when
its plan held on its own. A scope's feeds, archives, page and subscribe page whose digests are all
the same, before that moment, are the same documents; every other document is planned as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..model import Scope
from ..paths import FeedKey, PageKey, Route, SubscribeKey, archive_paths, is_archive_id
from ..publish.publisher import Publisher
from ..publish.scopemarks import context, scope_marks, scope_name
from ..store.snapshot import Snapshot


def recorded(valid_until: float) -> float | None:
    """Until when a plan holds, as the record keeps it: None for ever (JSON has no infinity)."""
    return None if valid_until == math.inf else valid_until


class Standing:
    """The last build's record read against the store now: `holds` says which documents stand as they
    are; `notes` is what the next build will read back. Anything missing or odd in the record (an
    older version's, a hand-edited one) keeps nothing."""

    def __init__(self, publisher: Publisher, now: datetime, previous: Mapping[str, Any]) -> None:
        snapshot = publisher.store.snapshot
        assert isinstance(snapshot, Snapshot), "a build has a site file (static.build._build_once)"
        self.moment = now.timestamp()
        digest = publisher.fingerprints.digest(context(publisher.planner.scopes, snapshot, now))
        old_marks, old_pages, then = previous.get("scopes"), previous.get("pages"), previous.get("moment")
        if (
            previous.get("context") != digest
            or not isinstance(old_marks, dict)
            or not isinstance(old_pages, dict)
            or not isinstance(then, float | int)
            or then > self.moment  # a clock set back: what was visible then may be scheduled now
            or previous.get("pages_seal") != _seal(publisher, digest, old_pages)  # edited by hand, merged
        ):
            old_marks, old_pages = {}, {}
        marks = scope_marks(snapshot, old_marks)
        self._standing = {name for name, mark in marks.items() if old_marks.get(name) == mark}
        # An archive page's links name every archive page of its scope: the scope's plan of pages,
        # after how many of its stories are visible. That plan is made of those stories, the month
        # under way and the settings alone: a scope whose mark and count stand has the same one.
        pages = {}
        self._pages: dict[Scope, list[str]] = {}  # of the scopes whose plan stands, not planned again
        for scope in publisher.planner.scopes.every(snapshot, now):
            name = scope_name(scope)
            visible = f"{snapshot.timeline(scope).visible_count(now)}|"
            old = old_pages.get(name)
            listed = old[len(visible) :].split(",") if isinstance(old, str) and old.startswith(visible) else None
            if name in self._standing and listed is not None and all(map(is_archive_id, filter(None, listed))):
                pages[name] = old
                self._pages[scope] = list(filter(None, listed))
            else:
                pages[name] = visible + ",".join(publisher.plan(snapshot, scope, now).pages)
        seal = _seal(publisher, digest, pages)
        self.notes: dict[str, Any] = {"context": digest, "scopes": marks, "pages": pages, "pages_seal": seal}
        self.dated = {"moment": self.moment}  # a record with the same notes and documents holds from then on
        self._paged = {name for name, plan in pages.items() if old_pages.get(name) == plan}

    def paths(self, publisher: Publisher, now: datetime) -> list[str]:
        """Every path the build writes at `now`, as `Publisher.paths` lists them but with the archives
        last: those of a scope whose plan stands from the record, not planned again (planning every
        scope was most of listing them)."""
        paths = publisher.paths(now, archives=False)
        if publisher.feeds.archives:
            snapshot = publisher.store.snapshot
            assert isinstance(snapshot, Snapshot), "a build has a site file (static.build._build_once)"
            for scope in publisher.planner.scopes.every(snapshot, now):
                pages = self._pages.get(scope)
                paths += archive_paths(scope, publisher.plan(snapshot, scope, now).pages if pages is None else pages)
        return paths

    def holds(self, key: Route | None, old: Mapping[str, Any]) -> bool:
        """Is the document `key` names (its path's route) the one the last build recorded as `old`,
        without planning it?"""
        until = old.get("until", 0.0)  # None: for ever (a record from before lacks it: holds for nothing)
        if not self._standing or not isinstance(old.get("fingerprint"), str):
            return False
        if until is not None and (not isinstance(until, float | int) or until <= self.moment):
            return False  # a scheduled story has appeared, a time it is dated by has come
        if isinstance(key, FeedKey) and key.month is not None:  # its month's stories, its scope's pages
            return scope_name(key.scope, key.month) in self._standing and scope_name(key.scope) in self._paged
        return isinstance(key, FeedKey | PageKey | SubscribeKey) and scope_name(key.scope) in self._standing


def _seal(publisher: Publisher, digest: str, pages: Mapping[str, Any]) -> str:
    """A digest of the archive pages the record lists: a one-off build lists a standing scope's pages
    from the record alone, so a list changed by anything but a build (a hand edit, a merge) keeps nothing."""
    return publisher.fingerprints.digest((digest, tuple(sorted((name, repr(plan)) for name, plan in pages.items()))))
