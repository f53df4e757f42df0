"""Contested ids and URLs: when several files claim one story id or URL, the first in path order wins.

The others are left out, with a problem naming the winner, until one of them changes; the order is
by path so the outcome never depends on which file was read first.
"""
from __future__ import annotations

import bisect
from typing import Callable

from ..model import Article, Problem


class Claims:
    """Which paths claim each story id and each URL, in path order; kept one path at a time."""

    def __init__(self) -> None:
        self._ids: dict[str, list[str]] = {}                # id → paths claiming it, in path order
        self._urls: dict[str, list[str]] = {}
        self._contested: set[tuple[str, str]] = set()       # ("id" | "url", value) claimed by several paths

    def move(self, relpath: str, before: Article | None, after: Article | None) -> set[str]:
        """`relpath` now claims `after`'s id and URL instead of `before`'s (either may be None);
        returns every path whose claim that may decide, `relpath` included."""
        claimed = [(a.id, a.url) for a in (before, after) if a is not None]
        if before is not None:
            _unclaim(self._ids, before.id, relpath)
            _unclaim(self._urls, before.url, relpath)
        if after is not None:
            bisect.insort(self._ids.setdefault(after.id, []), relpath)
            bisect.insort(self._urls.setdefault(after.url, []), relpath)
        contenders = {relpath}
        for article_id, url in claimed:
            contenders.update(self._ids.get(article_id, ()))
            contenders.update(self._urls.get(url, ()))
            for key, claims in ((("id", article_id), self._ids), (("url", url), self._urls)):
                if len(claims.get(key[1], ())) > 1:
                    self._contested.add(key)
                else:
                    self._contested.discard(key)
        return contenders

    def wins(self, relpath: str, article: Article) -> bool:
        """Is `relpath` the first to claim both `article`'s id and its URL?"""
        return self._ids[article.id][0] == relpath and self._urls[article.url][0] == relpath

    def problems(self, display: Callable[[str], str]) -> list[Problem]:
        """One error for each path that lost a claim, naming the path that won it."""
        problems = []
        for what, value in self._contested:
            paths = (self._ids if what == "id" else self._urls)[value]
            for loser in paths[1:]:
                problems.append(Problem(display(loser), what,
                                        f"{value!r} is already used by {display(paths[0])}; "
                                        "this story is left out until one of them changes"))
        return problems


def _unclaim(claims: dict[str, list[str]], value: str, relpath: str) -> None:
    paths = claims.get(value)
    if paths and relpath in paths:
        paths.remove(relpath)
        if not paths:
            del claims[value]
