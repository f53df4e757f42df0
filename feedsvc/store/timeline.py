"""Newest-first timelines of published stories: the one place their sort key is spelled out.

A timeline is a sorted tuple of keys (-published timestamp, id): newest first, ties by id. The stories
visible at `now` are the keys from one bisect onwards, so every question below costs a bisect and the
answer's length, whatever the store's size. `Timeline` is the immutable view a snapshot holds;
`TimelineIndex` is the store's working copy, moved one story at a time.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Iterator, Mapping

from ..model import Article

OrderKey = tuple[float, str]        # (-published timestamp, id)
ALL = None                          # the all-sections timeline


def _key(article: Article) -> OrderKey:
    return (-article.published.timestamp(), article.id)


def _after(timestamp_key: float) -> tuple[float]:
    """A probe that sorts after every key whose first item is `timestamp_key`, and before the next."""
    return (math.nextafter(timestamp_key, math.inf),)


def month_of(timestamp: float) -> str:
    """The UTC month ("YYYY-MM") of a POSIX time: archives are kept a month at a time."""
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[float, float]:
    """[start, end) of a UTC month as POSIX times, from "YYYY-MM" or an archive id "YYYY-MM-<page>"."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=timezone.utc)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=timezone.utc)
    return start.timestamp(), end.timestamp()


@dataclass(slots=True)
class Timeline:
    """One section's published and scheduled stories, newest first: what is visible when. Never
    changed once made; not frozen only because a store makes several per edit, and frozen
    dataclasses are slower to make."""
    keys: tuple[OrderKey, ...]
    by_id: Mapping[str, Article]

    def _first_visible(self, now: datetime) -> int:
        """Keys before this index are scheduled after `now` (their negated time is smaller)."""
        return bisect.bisect_left(self.keys, (-now.timestamp(),))

    def visible_at(self, now: datetime, limit: int) -> list[Article]:
        """The newest `limit` stories visible at `now`, newest first."""
        start = self._first_visible(now)
        return [self.by_id[key[1]] for key in self.keys[start:start + limit]]

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
        return [-key[0] for key in reversed(keys[self._first_visible(now):])]

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


class TimelineIndex:
    """The store's timelines as sorted lists per section, kept up to date one story at a time; a new
    snapshot copies only the sections that changed and shares the rest."""

    def __init__(self) -> None:
        self._order: dict[str | None, list[OrderKey]] = {ALL: []}
        self._dirty: set[str | None] = {ALL}
        self._snapshot_keys: dict[str | None, tuple[OrderKey, ...]] = {}
        self._published: dict[str | None, Timeline] = {}
        self._published_by_id: Mapping[str, Article] | None = None

    def reset(self, sections: Iterable[str]) -> None:
        """Start over, empty, with these section slugs (a new site file)."""
        self._order = {ALL: []}
        for slug in sections:
            self._order[slug] = []
        self._dirty = set(self._order)
        self._snapshot_keys = {}

    def rebuild(self, sections: Iterable[str], articles: Iterable[Article]) -> None:
        """Every timeline from scratch: one sort per section, not one insert per story."""
        self._order = {ALL: []}
        for slug in sections:
            self._order[slug] = []
        for article in articles:
            key = _key(article)
            self._order[ALL].append(key)
            self._order[article.section].append(key)
        for keys in self._order.values():
            keys.sort()
        self._dirty = set(self._order)

    def move(self, current: Article | None, desired: Article | None) -> None:
        """Replace one published story by another (either may be None): a bisect in each timeline."""
        if current is not None:
            key = _key(current)
            for section in (ALL, current.section):
                keys = self._order.get(section)
                if keys is not None:
                    index = bisect.bisect_left(keys, key)
                    if index < len(keys) and keys[index] == key:
                        del keys[index]
                    self._dirty.add(section)
        if desired is not None:
            key = _key(desired)
            for section in (ALL, desired.section):
                bisect.insort(self._order.setdefault(section, []), key)
                self._dirty.add(section)

    def publish(self, by_id: Mapping[str, Article], sections: set[str]) -> dict[str | None, Timeline]:
        """The timelines of ALL and of each declared section, as a snapshot holds them. A section
        whose keys and stories are unchanged keeps the same Timeline object (callers memoise on it)."""
        keys = dict(self._snapshot_keys)
        for section in self._dirty:
            keys[section] = tuple(self._order.get(section, ()))
        keys = {section: value for section, value in keys.items() if section is ALL or section in sections}
        for slug in sections - keys.keys():
            keys[slug] = ()
        self._snapshot_keys = keys
        self._dirty = set()
        before = self._published if by_id is self._published_by_id else {}
        published = {}
        for section, value in keys.items():
            old = before.get(section)
            published[section] = old if old is not None and old.keys is value else Timeline(value, by_id)
        self._published, self._published_by_id = published, by_id
        return published
