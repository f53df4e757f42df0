"""What is wrong with the store as a whole rather than with one story's content (its folder cannot be
listed, a folder in it cannot be entered, a file is being written, the site or people file is wrong),
and saying so in the log on every look: a service serving the last good feeds must not go quiet
about why."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ..model import Problem
from .walk import StoreUnreadable


class Trouble:
    """The store-wide problems as of the last look. `watched` gives the site and people files'
    problems, `folder` the walk's (folders it could not enter, files whose writer was at work); `log`
    is the store's own logger, the one operators already read."""

    def __init__(
        self,
        root: Path,
        name: str,
        watched: Callable[[], list[Problem]],
        folder: Callable[[], list[Problem]],
        log: logging.Logger,
    ) -> None:
        self._root = root
        self._name = name  # how a problem names the store folder
        self._watched = watched
        self._folder = folder
        self._log = log
        self.unreadable: Problem | None = None  # why the store folder could not be listed
        self._looked = False

    def problems(self) -> list[Problem]:
        return [*([self.unreadable] if self.unreadable else []), *self._watched(), *self._folder()]

    def looked(self, failure: StoreUnreadable | None, full: bool) -> None:
        """Note how a look went (`failure`: the store folder could not be listed) and say what is wrong:
        on every look but the first (whose problems are its caller's to report), the folder's own
        trouble on every full scan (`full`)."""
        was_unreadable = self.unreadable is not None
        self.unreadable = (
            None
            if failure is None
            else Problem(
                self._name,
                None,
                f"the store folder cannot be read ({failure.reason}); the last good feeds stay published until it can",
            )
        )
        if self._looked:
            self._say(was_unreadable, full)
        self._looked = True

    def _say(self, was_unreadable: bool, full: bool) -> None:
        if self.unreadable is not None:
            self._log.error("%s", self.unreadable)
            return
        if was_unreadable:
            self._log.warning("%s: the store folder can be read again", self._root)
        if full:
            for problem in self._folder():
                self._log.error("%s", problem)
