"""What refers to what in the store, kept in reverse so one change finds the stories it touches.

Related links by id: which stories name each id, and which of those ids name no published story (a
warning until one does). Store photos: which stories use each photo, so a replaced photo re-reads
them and a photo nothing uses any more is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..model import Article, Problem, RelatedLink, RelatedRef
from . import pathsets
from .files import ArticleReader


def dangling(path: str, index: int, target: str) -> Problem:
    """The warning for a related link by id that names no published or scheduled story."""
    return Problem(
        path,
        f"related[{index}]",
        f"no published or scheduled article has the id {target!r}; the link is left out until one does",
        "warning",
    )


class References:
    """Related-by-id links in reverse (id → paths of the stories naming it), and the ids that dangle."""

    def __init__(self, published: Callable[[str], bool]) -> None:
        self._published = published  # is a story with this id published?
        self._referrers: pathsets.PathTable = {}  # id → the paths of the stories naming it
        self._dangling: set[str] = set()

    def move(self, relpath: str, before: Article | None, after: Article | None) -> None:
        """`relpath`'s story now names `after`'s related ids instead of `before`'s."""
        for article, add in ((before, False), (after, True)):
            for ref in article.related if article is not None else ():
                if isinstance(ref, RelatedRef):
                    (pathsets.add if add else pathsets.discard)(self._referrers, ref.article_id, relpath)
                    self.check(ref.article_id)

    def check(self, article_id: str) -> None:
        """Note whether `article_id` dangles now (a story with it was published or withdrawn)."""
        if article_id in self._referrers and not self._published(article_id):
            self._dangling.add(article_id)
        else:
            self._dangling.discard(article_id)

    def referrers(self, article_id: str) -> set[str]:
        """The paths of the stories that link to `article_id`."""
        return pathsets.paths(self._referrers.get(article_id))

    def all_dangling(self) -> None:
        """Every named id dangles: nothing is published any more (a new site file, read again)."""
        self._dangling = set(self._referrers)

    def problems(
        self, display: Callable[[str], str], related_of: Callable[[str], Sequence[RelatedLink | RelatedRef]]
    ) -> list[Problem]:
        """One warning per link to an id that names no published or scheduled story."""
        problems = []
        for target in self._dangling:
            for relpath in pathsets.paths(self._referrers[target]):
                for index, ref in enumerate(related_of(relpath)):
                    if ref == RelatedRef(target):
                        problems.append(dangling(display(relpath), index, target))
        return problems


class PhotoUsers:
    """Which article paths use each store photo (media/…); a photo no story uses leaves the reader's cache."""

    def __init__(self, reader: ArticleReader) -> None:
        self._reader = reader
        self._users: dict[str, set[str]] = {}

    def __contains__(self, photo: str) -> bool:
        return photo in self._users

    def photos(self) -> list[str]:
        """Every photo in use, as a list: looking at them may change who uses what."""
        return list(self._users)

    def users(self, photo: str) -> list[str]:
        """The paths using `photo`, sorted."""
        return sorted(self._users.get(photo, ()))

    def move(self, relpath: str, old: str | None, new: str | None) -> None:
        """`relpath` now uses photo `new` instead of `old` (either may be None)."""
        if old == new:
            return
        if old is not None:
            users = self._users.get(old, set())
            users.discard(relpath)
            if not users:
                self._users.pop(old, None)
                self._reader.photos.pop(old, None)
        if new is not None:
            self._users.setdefault(new, set()).add(relpath)
