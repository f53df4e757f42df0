"""Stories left out of documents because their bodies could not be read back, named in the log once an
episode: when a first current document (a feed, a page) leaves a story out, and when none leaves it out
any longer. While it lasts those documents are rendered again every few seconds (`publish.cache`); the
log says so once, not at every try or request. An archive is named at each render instead: it is
rendered only when asked for, maybe never again, so it could never end an episode."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)
LIMIT = 10_000  # documents remembered at most: current ones only, so a store's scopes, not its archives


class ReadFaults:
    """Which documents leave out which stories now. Not thread-safe: the document cache calls it under
    its lock."""

    def __init__(self, display_root: str) -> None:
        self.display_root = display_root
        self._stories: dict[str, tuple[str, ...]] = {}  # document path → the stories its last render left out
        self._documents: dict[str, set[str]] = {}  # story path → the documents leaving it out

    def left_out(self, document: str, stories: tuple[str, ...]) -> None:
        """`document` was rendered without `stories`: name each that no other document leaves out yet."""
        if len(self._stories) >= LIMIT and document not in self._stories:
            self._stories.clear()
            self._documents.clear()
        self._release(document, keep=stories)
        self._stories[document] = stories
        for story in stories:
            documents = self._documents.setdefault(story, set())
            if not documents:
                log.warning(
                    "%s%s: could not be read back (its file changed or could not be read since the store read "
                    "it): left out of %s and of what else is rendered meanwhile; a feed or page that showed it "
                    "keeps its last whole version for a minute at most (unless a story that version shows was "
                    "taken down), and each is rendered again every few seconds until it reads back",
                    self.display_root,
                    story,
                    named(document),
                )
            documents.add(document)

    @property
    def lasting(self) -> bool:
        """Does a current document leave a story out now (is one held, or served incomplete)?"""
        return bool(self._stories)

    def left_out_of_archive(self, document: str, stories: tuple[str, ...]) -> None:
        """The archive `document` was rendered without `stories`: said each time (it is not remembered,
        so nothing grows with a crawler's requests, and no later episode goes unsaid)."""
        for story in stories:
            log.info(
                "%s%s: could not be read back (its file changed or could not be read since the store read it): "
                "left out of %s until it reads back",
                self.display_root,
                story,
                document,
            )

    def outlasted(self, document: str, seconds: float) -> None:
        """`document`'s last whole version stood in for `seconds`, and is given up: the fault lasts."""
        log.warning(
            "%s: %s still could not be read back after %.0f s: served without it until it reads back",
            named(document),
            ", ".join(self.display_root + story for story in self._stories.get(document, ())),
            seconds,
        )

    def whole(self, document: str) -> None:
        """`document` was rendered with every story it was planned with."""
        if self._stories:
            self._release(document)

    def _release(self, document: str, keep: tuple[str, ...] = ()) -> None:
        for story in self._stories.pop(document, ()):
            documents = self._documents.get(story)
            if story in keep or documents is None:
                continue
            documents.discard(document)
            if not documents:
                del self._documents[story]
                log.info(
                    "%s%s: no document leaves it out now (it read back, or the store changed it)",
                    self.display_root,
                    story,
                )


def named(document: str) -> str:
    """A document's path as the log names it: the home page's is empty."""
    return document or "/"
