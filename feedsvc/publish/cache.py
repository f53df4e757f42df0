"""Rendered documents kept between requests, and the plan each is made from.

A document is re-rendered only when the store changed what it shows or a scheduled story's moment
came: each entry remembers the store generation it was checked against, until when it holds, and
its identity (everything its bytes depend on). A warm request is one dict lookup.

The documents `Publisher.warm` renders (current feeds, pages, lists: as many as the publication has
scopes) are kept for good. Cold ones, rendered only when asked for (RFC 5005 archives: tens of
thousands in a large store), are kept within a number of bytes (`coldcache`); one asked for again
after it was dropped is rendered again, to the same bytes.

A render that had to leave out a story whose body could not be read back (`Unreadable`) is never kept
as current: a current document's last whole version stands in for it for a while (a feed does not go
back for a fault) unless that version shows a story taken down since, or it is served as it came out,
and it is rendered again after a few seconds, so a passing fault mends itself without any change in the
store: by the service's refresher where one runs (`retried_apart`; requests meanwhile get what is kept,
and none waits on a render), else by the next request.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

from ..render.document import Rendered
from .coldcache import ColdEntries
from .faults import ReadFaults

FOREVER = math.inf
# A current document a read fault left incomplete is rendered again RETRY_SECONDS later, then twice as
# long after each try that fails again when it was due, up to RETRY_MAX_SECONDS: a busy feed is not
# rendered per request. A render a store change brings early keeps the interval: in a busy newsroom the
# edits would otherwise stretch it to its longest within seconds.
# Its last whole version stands in for it HOLD_SECONDS at most (two of the store's full looks): a fault
# that lasts must not keep every later change out of the feed.
RETRY_SECONDS = 2.0
RETRY_MAX_SECONDS = 32.0
HOLD_SECONDS = 60.0


@dataclass(frozen=True)
class DocumentPlan:
    """A document before it is rendered: what its bytes depend on (compared, so an unchanged document
    is not rendered again), until when that holds (POSIX time), and how to render it."""

    identity: Hashable
    valid_until: float
    render: Callable[[], Rendered]
    cold: bool = False  # rendered only when asked for (an archive): kept within the cold cache's bytes
    # The ids of the stories it shows (a current feed, a page), and whether stories are all still published
    # as planned (in the store, visible): a last whole version stands in for it only while they are.
    shows: tuple[str, ...] = ()
    published: Callable[[Iterable[str]], bool] = lambda ids: True


class Unreadable(Exception):
    """A document's render had to leave out stories whose bodies could not be read back (the store
    folder gone, a file rewritten or unreadable since the store read it): `partial` is what it could
    render, `left_out` those stories' store paths. It is not kept as current: a current document is
    rendered again shortly (`DocumentCache.get`); a cold one is rendered again on its next request, and
    while the store folder cannot be read it is not served either (the Publisher raises this on): an
    archive is cached as immutable, and may have been served whole before it was dropped from memory.
    The static build writes it, and records it to be made again."""

    def __init__(self, partial: Rendered, left_out: tuple[str, ...]) -> None:
        super().__init__(f"{len(left_out)} of its stories could not be read back")
        self.partial = partial
        self.left_out = left_out


@dataclass(frozen=True)
class _Fault:
    """Why a kept document is not current: since when its renders leave stories out, how long to wait
    before the next try, and whether it serves its last whole version meanwhile (else the partial one)."""

    since: float
    retry: float
    holding: bool


@dataclass
class _Cached:
    generation: int
    valid_until: float  # POSIX time when a scheduled story changes what this shows
    identity: Hashable  # everything the bytes depend on
    rendered: Rendered
    fault: _Fault | None = None  # not current: rendered again once valid_until passes, or the store changes
    shows: tuple[str, ...] = ()  # the ids of the stories `rendered` shows


class DocumentCache:
    """Rendered documents by path. Thread-safe: warm lookups take no lock, cold ones a short one,
    renders take one at a time."""

    def __init__(self, cold_limit: int, display_root: str = "") -> None:
        self._entries: dict[str, _Cached] = {}  # the warm documents: never dropped
        self._cold = ColdEntries[_Cached](cold_limit, lambda cached: cached.rendered.held_bytes)
        self._lock = threading.RLock()
        self.faults = ReadFaults(display_root)
        self._faults_kept: set[str] = set()  # the paths of the warm documents kept with a fault
        # Set while something else (the service's refresher: `Warmer.retry`) renders the documents `due`
        # lists: a request then gets a faulted document as it is kept, never renders it again.
        self.retried_apart = False

    @property
    def cold_bytes(self) -> int:
        """The bytes the cold documents kept now hold, gzip copies included (at most `cold_limit`)."""
        return self._cold.held

    def is_warm(self, path: str) -> bool:
        """Is the document at `path` kept for good? (Not an archive, not a photo, not unknown.)"""
        return path in self._entries

    def ready(self, path: str, generation: int, timestamp: float) -> tuple[Rendered, float] | None:
        """The document and until when it holds, if it was rendered from `generation` and no scheduled
        story has come due since (or, rendered again elsewhere, it is kept with a fault); None if
        answering needs more than this lookup."""
        return self._ready(path, generation, timestamp, self.retried_apart)

    def _ready(self, path: str, generation: int, timestamp: float, waits: bool) -> tuple[Rendered, float] | None:
        """`ready`, where a document kept with a fault `waits` to be rendered again elsewhere or not."""
        cached = self._entries.get(path)
        if cached is None:
            cached = self._cold.get(path)
        if (
            cached is not None
            and cached.generation == generation
            and (timestamp < cached.valid_until or (waits and cached.fault is not None))
        ):
            return cached.rendered, cached.valid_until
        return None

    def due(self, generation: int, timestamp: float) -> list[str]:
        """The paths of the documents kept with a fault whose time to be rendered again has come (or
        that the store changed since): what `Warmer.retry` renders."""
        with self._lock:
            return [
                path
                for path in sorted(self._faults_kept)
                if (cached := self._entries.get(path)) is not None
                and (cached.generation != generation or timestamp >= cached.valid_until)
            ]

    def postpone(self, path: str, until: float) -> None:
        """Try the faulted document at `path` again no sooner than `until` (unless the store changes):
        its retry raised something other than a read fault, which trying at once would raise again."""
        with self._lock:
            cached = self._entries.get(path)
            if cached is not None and path in self._faults_kept:
                cached.valid_until = max(cached.valid_until, until)

    def forget(self, path: str) -> None:
        """Drop what is kept for `path`, which names no document any longer."""
        with self._lock:
            self._entries.pop(path, None)
            self._faults_kept.discard(path)
            self.faults.whole(path)

    def _kept(self, path: str) -> _Cached | None:
        cached = self._entries.get(path)
        return cached if cached is not None else self._cold.peek(path)

    def latest(self, path: str) -> Rendered | None:
        """The document last rendered for `path`, current or not (a cold one only while it is kept)."""
        cached = self._kept(path)
        return cached.rendered if cached else None

    def measure(self, path: str, rendered: Rendered) -> None:
        """Count the gzip copy of a cold document, made after it was kept."""
        cached = self._cold.peek(path)
        if cached is not None and cached.rendered is rendered:
            self._cold.measure(path, cached)

    def carry(self, generation: int, to_generation: int, unchanged: Callable[[str], bool]) -> int:
        """Declare the documents checked against `generation` that `unchanged` says the store changes since
        left alone current at `to_generation`, without planning them again. Returns how many."""
        carried = 0
        with self._lock:
            for path, cached in [*self._entries.items(), *self._cold.entries()]:
                if cached.generation == generation and unchanged(path):
                    cached.generation = to_generation
                    carried += 1
        return carried

    def get(
        self,
        path: str,
        generation: int,
        now: datetime,
        make_plan: Callable[[], DocumentPlan],
        *,
        retrying: bool = False,
    ) -> tuple[Rendered, float]:
        """The document at `path`, rendered again only if what it shows changed, and until when it holds
        (both of one entry); `make_plan` is called only when the entry is not current (planning selects
        stories and resolves links). Raises Unreadable for a cold document that could not be rendered
        whole (see `_faulted` for a warm one). `retrying`: the caller is what renders a faulted document
        again once it is `due`, whether or not requests wait for it (`retried_apart`)."""
        timestamp = now.timestamp()
        waits = self.retried_apart and not retrying
        ready = self._ready(path, generation, timestamp, waits)
        if ready is not None:
            return ready
        with self._lock:
            ready = self._ready(path, generation, timestamp, waits)
            if ready is not None:
                return ready
            cached = self._kept(path)
            plan = make_plan()
            if cached is not None and cached.fault is None and cached.identity == plan.identity:
                rendered = cached.rendered  # the store changed, but not what this shows
            else:
                try:
                    rendered = plan.render()
                except Unreadable as unread:
                    if plan.cold:
                        self.faults.left_out_of_archive(path, unread.left_out)
                        self._cold.discard(path)  # what was kept shows something else now
                        raise
                    self.faults.left_out(path, unread.left_out)
                    return self._faulted(path, generation, timestamp, plan, cached, unread.partial)
                if not plan.cold:
                    self.faults.whole(path)
            entry = _Cached(generation, plan.valid_until, plan.identity, rendered, shows=plan.shows)
            if plan.cold:
                self._cold.put(path, entry)
            else:
                self._entries[path] = entry
                self._faults_kept.discard(path)
            return rendered, entry.valid_until

    def _faulted(
        self,
        path: str,
        generation: int,
        timestamp: float,
        plan: DocumentPlan,
        cached: _Cached | None,
        partial: Rendered,
    ) -> tuple[Rendered, float]:
        """Keep a current document whose render left stories out for a read fault, but not as current: it
        is rendered again after the retry interval (`due`; by the first request then, unless
        `retried_apart`). Meanwhile its last whole version, if
        there is one, is served — a feed never goes back for a fault — for HOLD_SECONDS at most, so a
        fault that lasts does not hold back every later change to the feed, and only while every story it
        shows is still published, so a takedown is never held back; else the partial one."""
        fault = cached.fault if cached is not None else None
        since = fault.since if fault is not None else timestamp
        if fault is None:
            retry = RETRY_SECONDS
        elif cached is not None and timestamp >= cached.valid_until:  # a try that was due failed again
            retry = min(fault.retry * 2, RETRY_MAX_SECONDS)
        else:  # rendered early, for a change in the store: the interval stays as it was
            retry = fault.retry
        holding = cached is not None and (fault is None or fault.holding) and plan.published(cached.shows)
        if holding and timestamp - since >= HOLD_SECONDS:
            holding = False
            self.faults.outlasted(path, timestamp - since)
        rendered = cached.rendered if holding and cached is not None else partial
        valid_until = min(plan.valid_until, timestamp + retry, since + HOLD_SECONDS if holding else FOREVER)
        shows = cached.shows if holding and cached is not None else plan.shows
        fault = _Fault(since, retry, holding)
        self._entries[path] = _Cached(generation, valid_until, plan.identity, rendered, fault, shows)
        self._faults_kept.add(path)
        return rendered, valid_until
