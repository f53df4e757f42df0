"""Newest-first timelines of published stories: the one place their sort key is spelled out.

A timeline is a sorted tuple of keys (-published timestamp, id): newest first, ties by id. The stories
visible at `now` are the keys from one bisect onwards, so every question below costs a bisect and the
answer's length, whatever the store's size. There is one per scope: every story, each section, each
writer and each tag. `Timeline` is the immutable view a snapshot holds; `TimelineIndex` is the store's
working copy, moved one story at a time, in every scope the story is in.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import immutables

from ..model import EVERYTHING, Article, Scope

OrderKey = tuple[float, str]  # (-published timestamp, id)
ALL = EVERYTHING  # the all-sections timeline
ScopesOf = Callable[[Article], Mapping[Scope, str]]  # a story's scopes, each with its spelling there


def _key(article: Article) -> OrderKey:
    return (-article.published.timestamp(), article.id)


def _after(timestamp_key: float) -> tuple[float]:
    """A probe that sorts after every key whose first item is `timestamp_key`, and before the next."""
    return (math.nextafter(timestamp_key, math.inf),)


@functools.lru_cache(maxsize=1024)
def month_of(timestamp: float) -> str:
    """The UTC month ("YYYY-MM") of a POSIX time: archives are kept a month at a time. Remembered: the
    publisher asks it of the same moment for every document it plans."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[float, float]:
    """[start, end) of a UTC month as POSIX times, from "YYYY-MM" or an archive id "YYYY-MM-<page>"."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=UTC)
    return start.timestamp(), end.timestamp()


@dataclass(slots=True)
class Timeline:
    """One section's published and scheduled stories, newest first: what is visible when. Never
    changed once made; not frozen only because a store makes several per edit, and frozen
    dataclasses are slower to make."""

    keys: tuple[OrderKey, ...]
    by_id: Mapping[str, Article]
    name: str = ""  # a writer's or tag's name as most of its stories spell it

    def _first_visible(self, now: datetime) -> int:
        """Keys before this index are scheduled after `now` (their negated time is smaller)."""
        return bisect.bisect_left(self.keys, (-now.timestamp(),))

    def visible_at(self, now: datetime, limit: int) -> list[Article]:
        """The newest `limit` stories visible at `now`, newest first."""
        start = self._first_visible(now)
        return [self.by_id[key[1]] for key in self.keys[start : start + limit]]

    def scheduled(self, now: datetime) -> list[Article]:
        """The stories still to appear at `now`, soonest first (a bisect, then only those)."""
        return [self.by_id[key[1]] for key in reversed(self.keys[: self._first_visible(now)])]

    def visible_count(self, now: datetime) -> int:
        """How many stories are visible at `now` (with the timeline, it says which: the newest that many)."""
        return len(self.keys) - self._first_visible(now)

    def next_appearance(self, now: datetime) -> float | None:
        """The POSIX time at which the next scheduled story becomes visible, if any."""
        start = self._first_visible(now)
        return -self.keys[start - 1][0] if start > 0 else None

    def visible_times(self, now: datetime) -> list[float]:
        """The publication times (POSIX) of the stories visible at `now`, oldest first."""
        keys = self.keys
        return [-key[0] for key in reversed(keys[self._first_visible(now) :])]

    def between(self, start: float, end: float, now: datetime) -> list[Article]:
        """Stories visible at `now` published in [start, end) (POSIX times), newest first."""
        keys = self.keys
        low = max(self._first_visible(now), bisect.bisect_left(keys, _after(-end)))
        high = bisect.bisect_left(keys, _after(-start))
        return [self.by_id[key[1]] for key in keys[low:high]]

    def past_months(self, now: datetime) -> Iterator[tuple[str, list[Article]]]:
        """The visible stories of the months over at `now`, a month at a time, oldest month and
        oldest story first (what a month's archive pages hold)."""
        keys, first = self.keys, self._first_visible(now)
        this_month = month_of(now.timestamp())
        index = len(keys) - 1
        while index >= first:
            month = month_of(-keys[index][0])
            if month >= this_month:
                return
            _, end = month_bounds(month)
            # Stories of this month: from `index` back to the first one at or after `end` (newer).
            stop = max(first, bisect.bisect_left(keys, _after(-end)))
            yield month, [self.by_id[keys[at][1]] for at in range(index, stop - 1, -1)]
            index = stop - 1


def _spelling_rank(item: tuple[str, int]) -> tuple[int, bool, int, str]:
    """Most used first; then a name in mixed case before one in capitals or lower case, accents kept
    before accents lost ("Mexico" before "MEXICO", "José" before "Jose"); then by the text."""
    spelling, count = item
    return (-count, spelling.isupper() or spelling.islower(), -sum(not ch.isascii() for ch in spelling), spelling)


class TimelineIndex:
    """The store's timelines as sorted lists per scope, kept up to date one story at a time; a new
    snapshot makes a Timeline only for the scopes that changed and shares the rest."""

    def __init__(self, scopes_of: ScopesOf) -> None:
        self._scopes_of = scopes_of
        self._order: dict[Scope, list[OrderKey]] = {ALL: []}
        self._spellings: dict[Scope, dict[str, int]] = {}  # writers and tags: spelling → stories
        self._fixed: frozenset[Scope] = frozenset({ALL})  # kept while empty: ALL and declared sections
        self._dirty: set[Scope] = set()
        self._everything_dirty = True
        self._published: immutables.Map[Scope, Timeline] = immutables.Map()

    def reset(self, fixed: Iterable[Scope]) -> None:
        """Start over, empty, with these scopes kept even while empty (a new site file)."""
        self.rebuild(fixed, ())

    def rebuild(self, fixed: Iterable[Scope], articles: Iterable[Article]) -> None:
        """Every timeline from scratch: one sort per scope, not one insert per story."""
        self._fixed = frozenset({ALL, *fixed})
        self._order = {scope: [] for scope in self._fixed}
        self._spellings = {}
        for article in articles:
            key = _key(article)
            for scope, spelling in self._scopes_of(article).items():
                self._order.setdefault(scope, []).append(key)
                if spelling:
                    counts = self._spellings.setdefault(scope, {})
                    counts[spelling] = counts.get(spelling, 0) + 1
        for keys in self._order.values():
            keys.sort()
        self._everything_dirty = True

    def move(self, current: Article | None, desired: Article | None) -> None:
        """Replace one published story by another (either may be None): a bisect in each of its timelines."""
        if current is not None:
            key = _key(current)
            for scope, spelling in self._scopes_of(current).items():
                keys = self._order.get(scope)
                if keys is not None:
                    index = bisect.bisect_left(keys, key)
                    if index < len(keys) and keys[index] == key:
                        del keys[index]
                counts = self._spellings.get(scope)
                if spelling and counts is not None and spelling in counts:
                    counts[spelling] -= 1
                    if not counts[spelling]:
                        del counts[spelling]
                self._dirty.add(scope)
        if desired is not None:
            key = _key(desired)
            for scope, spelling in self._scopes_of(desired).items():
                bisect.insort(self._order.setdefault(scope, []), key)
                if spelling:
                    counts = self._spellings.setdefault(scope, {})
                    counts[spelling] = counts.get(spelling, 0) + 1
                self._dirty.add(scope)

    def touch(self, article: Article) -> None:
        """Mark `article`'s scopes changed though it did not move (a story it links to changed)."""
        self._dirty.update(self._scopes_of(article))

    def _timeline(self, scope: Scope, by_id: Mapping[str, Article]) -> Timeline | None:
        keys = self._order.get(scope)
        if not keys and scope not in self._fixed:
            self._order.pop(scope, None)
            self._spellings.pop(scope, None)
            return None
        counts = self._spellings.get(scope)
        name = min(counts.items(), key=_spelling_rank)[0] if counts else ""
        return Timeline(tuple(keys or ()), by_id, name)

    def publish(self, by_id: Mapping[str, Article]) -> tuple[immutables.Map[Scope, Timeline], frozenset[Scope] | None]:
        """The timelines of every scope with a story (and of ALL and each declared section), as a
        snapshot holds them, and the scopes changed since the last call (None: all of them). An
        unchanged scope keeps the same Timeline object (callers memoise on it)."""
        if self._everything_dirty:
            made = {scope: self._timeline(scope, by_id) for scope in list(self._order)}
            published: immutables.Map[Scope, Timeline] = immutables.Map(
                {scope: timeline for scope, timeline in made.items() if timeline is not None}
            )
            changed = None
        else:
            mutation = self._published.mutate()
            for scope in self._dirty:
                timeline = self._timeline(scope, by_id)
                if timeline is not None:
                    mutation[scope] = timeline
                elif scope in mutation:
                    del mutation[scope]
            published = mutation.finish()
            changed = frozenset(self._dirty)
        self._dirty, self._everything_dirty, self._published = set(), False, published
        return published, changed
