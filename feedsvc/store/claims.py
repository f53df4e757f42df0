"""Contested ids, URLs and names: when several files claim one, exactly one of them publishes.

A story id or URL goes to the claimant published last among those already due (equal times: the
first in path order), or, while none is due, to the one due first. So a story scheduled with a
live story's id leaves the live one published until its moment, then replaces it. That moment is
kept (`next_switch`) so the store re-decides at it, not at the next edit.

Two file names that differ only in Unicode normalisation (`café.md` in NFC and in NFD) would publish
two stories under URLs that look the same: the name already in NFC publishes, else the first in
path order. Only names with non-ASCII characters are indexed (an ASCII name is its own NFC form).

The others are left out, with a problem naming the winner. Every rule is by content and path, so
the outcome never depends on which file was read first.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime

from ..model import Article, Problem
from . import pathsets

Key = tuple[str, str]  # ("id" | "url" | "name", value)

NAME_CLASH = (
    "has the same name as {winner} once Unicode-normalised (NFC), so only that file is published; rename or remove one"
)


def _name(relpath: str) -> str | None:
    """The NFC form a name is indexed under, or None for an ASCII name (no other form exists)."""
    return None if relpath.isascii() else unicodedata.normalize("NFC", relpath)


class Claims:
    """Which paths claim each story id, URL and name, in path order; kept one path at a time."""

    def __init__(self, claimant: Callable[[str], Article | None]) -> None:
        self._claimant = claimant  # the story a path claims with (None: none)
        # kind → value → the paths claiming it (a table per kind: no key tuple per story)
        self._paths: dict[str, pathsets.PathTable] = {"id": {}, "url": {}, "name": {}}
        self._contested: set[Key] = set()  # keys claimed by several paths
        self.now = -math.inf  # the POSIX time claims are decided at
        self.next_switch = math.inf  # when a scheduled claimant of a contested key is due

    def _keys(self, relpath: str, article: Article) -> list[Key]:
        keys = [("id", article.id), ("url", article.url)]
        name = _name(relpath)
        if name is not None:
            keys.append(("name", name))
        return keys

    def move(self, relpath: str, before: Article | None, after: Article | None) -> set[str]:
        """`relpath` now claims with `after` instead of `before` (either may be None); returns every
        path whose claim that may decide, `relpath` included."""
        touched: set[Key] = set()
        if before is not None:
            for key in self._keys(relpath, before):
                pathsets.discard(self._paths[key[0]], key[1], relpath)
                touched.add(key)
        if after is not None:
            for key in self._keys(relpath, after):
                pathsets.add(self._paths[key[0]], key[1], relpath)
                touched.add(key)
        if relpath.isascii() and relpath in self._paths["name"]:
            touched.add(("name", relpath))  # an ASCII name that a non-ASCII one normalises to
        contenders = {relpath}
        for key in touched:
            paths = self._contenders(key)
            contenders.update(paths)
            if len(paths) > 1:
                self._contested.add(key)
                if key[0] != "name":
                    self.next_switch = min(self.next_switch, self._next_due(paths))
            else:
                self._contested.discard(key)
        return contenders

    def _contenders(self, key: Key) -> list[str]:
        """The paths claiming `key`, in path order."""
        held = self._paths[key[0]].get(key[1])
        paths = [] if held is None else [held] if isinstance(held, str) else sorted(held)
        if key[0] == "name" and key[1].isascii() and self._claimant(key[1]) is not None:
            return sorted({*paths, key[1]})
        return paths

    def wins(self, relpath: str, article: Article) -> bool:
        """Is `relpath` the winner of `article`'s id, URL and (non-ASCII) name, now?"""
        keys = self._keys(relpath, article)
        if relpath.isascii() and relpath in self._paths["name"]:
            keys.append(("name", relpath))
        return all(self._winner(key) == relpath for key in keys)

    def advance(self, now: float) -> set[str]:
        """Decide claims at `now` from here on; the paths to reconsider if a scheduled claimant came due."""
        self.now = now
        if now < self.next_switch:
            return set()
        paths: set[str] = set()
        self.next_switch = math.inf
        for key in self._contested:
            if key[0] != "name":
                contenders = self._contenders(key)
                paths.update(contenders)
                self.next_switch = min(self.next_switch, self._next_due(contenders))
        return paths

    def _published(self, relpath: str) -> float:
        article = self._claimant(relpath)
        return article.published.timestamp() if article is not None else math.inf

    def _next_due(self, paths: list[str]) -> float:
        return min((t for t in map(self._published, paths) if t > self.now), default=math.inf)

    def _winner(self, key: Key) -> str:
        paths = self._contenders(key)
        if len(paths) == 1:
            return paths[0]
        if key[0] == "name":
            return min(paths, key=lambda path: (_name(path) != path, path))

        def rank(path: str) -> tuple[object, ...]:
            published = self._published(path)
            return (0, -published, path) if published <= self.now else (1, published, path)

        return min(paths, key=rank)

    def problems(self, display: Callable[[str], str]) -> list[Problem]:
        """One problem for each path that lost a claim, naming the path that won it: a warning for a
        name clash and for a story that takes over at its own time, an error otherwise."""
        problems = []
        for key in self._contested:
            what, value = key
            winner = self._winner(key)
            for loser in self._contenders(key):
                if loser == winner:
                    continue
                published = self._published(loser)
                if what == "name":
                    problems.append(Problem(display(loser), None, NAME_CLASH.format(winner=display(winner)), "warning"))
                elif published > self.now:
                    when = datetime.fromtimestamp(published, UTC)
                    problems.append(
                        Problem(
                            display(loser),
                            what,
                            f"{value!r} is also used by {display(winner)}; this story takes "
                            f"its place at its own time ({when:%Y-%m-%d %H:%M:%S} UTC)",
                            "warning",
                        )
                    )
                else:
                    problems.append(
                        Problem(
                            display(loser),
                            what,
                            f"{value!r} is already used by {display(winner)}; "
                            "this story is left out until one of them changes",
                        )
                    )
        return problems
