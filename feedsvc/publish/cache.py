"""Rendered documents kept between requests, and the plan each is made from.

A document is re-rendered only when the store changed what it shows or a scheduled story's moment
came: each entry remembers the store generation it was checked against, until when it holds, and
its identity (everything its bytes depend on). A warm request is one dict lookup.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from ..render.document import Rendered

FOREVER = math.inf


@dataclass(frozen=True)
class DocumentPlan:
    """A document before it is rendered: what its bytes depend on (compared, so an unchanged document
    is not rendered again), until when that holds (POSIX time), and how to render it."""

    identity: Hashable
    valid_until: float
    render: Callable[[], Rendered]


@dataclass
class _Cached:
    generation: int
    valid_until: float  # POSIX time when a scheduled story changes what this shows
    identity: Hashable  # everything the bytes depend on
    rendered: Rendered


class DocumentCache:
    """Rendered documents by path. Thread-safe: lookups take no lock, renders take one at a time."""

    def __init__(self) -> None:
        self._entries: dict[str, _Cached] = {}
        self._lock = threading.RLock()

    def ready(self, path: str, generation: int, timestamp: float) -> tuple[Rendered, float] | None:
        """The document and until when it holds, if it was rendered from `generation` and no scheduled
        story has come due since; None if answering needs more than this lookup."""
        cached = self._entries.get(path)
        if cached is not None and cached.generation == generation and timestamp < cached.valid_until:
            return cached.rendered, cached.valid_until
        return None

    def latest(self, path: str) -> Rendered | None:
        """The document last rendered for `path`, current or not."""
        cached = self._entries.get(path)
        return cached.rendered if cached else None

    def valid_until(self, path: str) -> float:
        cached = self._entries.get(path)
        return cached.valid_until if cached else FOREVER

    def carry(self, generation: int, to_generation: int, unchanged: Callable[[str], bool]) -> int:
        """Declare the documents checked against `generation` that `unchanged` says the store changes since
        left alone current at `to_generation`, without planning them again. Returns how many."""
        carried = 0
        with self._lock:
            for path, cached in self._entries.items():
                if cached.generation == generation and unchanged(path):
                    cached.generation = to_generation
                    carried += 1
        return carried

    def get(self, path: str, generation: int, now: datetime, make_plan: Callable[[], DocumentPlan]) -> Rendered:
        """The document at `path`, rendered again only if what it shows changed; `make_plan` is called
        only when the entry is not current (planning selects stories and resolves links)."""
        timestamp = now.timestamp()
        ready = self.ready(path, generation, timestamp)
        if ready is not None:
            return ready[0]
        with self._lock:
            ready = self.ready(path, generation, timestamp)
            if ready is not None:
                return ready[0]
            cached = self._entries.get(path)
            plan = make_plan()
            if cached is not None and cached.identity == plan.identity:
                rendered = cached.rendered  # the store changed, but not what this shows
            else:
                rendered = plan.render()
            self._entries[path] = _Cached(generation, plan.valid_until, plan.identity, rendered)
            return rendered
