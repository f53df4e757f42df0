"""Each article file as last read, and what filing a new reading of it changes.

A path keeps its stat, its latest reading and its last good story (what stays published while its
file is broken). Filing a reading moves the path between photo users, keeps its body a while, notes
whether it has problems, and hands its story on as (path, before, after) for the indexes. Which
files to read, and when, is the looks' business (`folder`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import Article, Problem
from ..source.article import ParseResult, file_digest, read_body
from .bodies import RecentBodies
from .files import ArticleReader, Reading, StatKey
from .references import PhotoUsers, dangling
from .snapshot import Changes

BEING_WRITTEN = "is being written by another program, so it could not be read; it is left out until it is saved"

StoryMoved = Callable[[str, "Article | None", "Article | None"], None]
CacheEntry = tuple[StatKey, Reading]


@dataclass(slots=True)  # one per file: no __dict__ for 100,000 of them
class FileState:
    """One article file as last looked at."""

    stat: StatKey
    current: ParseResult  # the latest reading of the file
    last_good: Article | None  # what stays published while `current` is broken
    photo_key: StatKey | None = None  # the version of `current`'s store photo it was read with

    @property
    def effective(self) -> Article | None:
        return self.current.article or self.last_good


class FileStates:
    """Every article file's state by store path (`states`), changed only by filing readings. Not
    thread-safe: the store files one refresh at a time."""

    def __init__(self, root: Path, reader: ArticleReader, display: Callable[[str], str], moved: StoryMoved) -> None:
        self.root = root
        self._reader = reader
        self._display = display
        self._moved = moved  # told of each path whose story changed
        self.states: dict[str, FileState] = {}
        self._problem_paths: set[str] = set()  # paths whose latest reading has problems
        self.photos = PhotoUsers(reader)
        self.waiting: set[str] = set()  # paths left unread: their writer was at work
        self.bodies = RecentBodies()  # bodies of the readings made as files change

    def story(self, relpath: str) -> Article | None:
        """The story `relpath` would publish: its latest good reading."""
        known = self.states.get(relpath)
        return known.effective if known else None

    def file(self, relpath: str, key: StatKey, reading: Reading, changes: Changes) -> None:
        """File a new reading of one path: keep the last good story, note what changed, re-index."""
        result = reading.result
        self.waiting.discard(relpath)
        if result.body is not None and result.article is not None:
            self.bodies.keep(relpath, result.article.digest, result.body)
            result.body = None
        known = self.states.get(relpath)
        before = known.effective if known else None
        self.photos.move(relpath, known.current.photo_path if known else None, result.photo_path)
        if known is None:
            known = self.states[relpath] = FileState(key, result, result.article, reading.photo_key)
            changes.added.add(relpath)
        else:
            if result.article is None and known.last_good is not None:
                result.problems += (
                    Problem(
                        self._display(relpath),
                        None,
                        "the last good version stays published until this is fixed",
                        "warning",
                    ),
                )
            unchanged = (
                result.article.revision == known.current.article.revision
                and result.article.modified == known.current.article.modified  # saved again: dates move
                and result.article.photo == known.current.article.photo
                if result.article and known.current.article
                else result.article is None
                and known.current.article is None
                and result.problems == known.current.problems
            )
            known.stat, known.current, known.photo_key = key, result, reading.photo_key
            if unchanged:
                return
            known.last_good = result.article or known.last_good
            changes.edited.add(relpath)
        if result.problems:
            self._problem_paths.add(relpath)
        else:
            self._problem_paths.discard(relpath)
        self._moved(relpath, before, known.effective)

    def file_unreachable(self, relpath: str, error: OSError, changes: Changes) -> None:
        """A file whose stat cannot be taken (a folder on its path lost its permissions) is kept as
        last read, with a problem, until it can be looked at again."""
        key = (0, 0, 0, 0)  # never matches: the next look reads it again
        problem = Problem(self._display(relpath), None, f"cannot be read ({error.strerror or error})")
        self.file(relpath, key, Reading(ParseResult(None, (problem,))), changes)

    def wait(self, relpath: str, changes: Changes) -> None:
        """Leave `relpath` for a later look: its writer is at work. Its last good story stays; a file
        with none is reported (BEING_WRITTEN) until it is read."""
        self.waiting.add(relpath)
        changes.deferred.add(relpath)

    def forget(self, relpath: str, changes: Changes) -> None:
        known = self.states.pop(relpath)
        self.waiting.discard(relpath)
        self.bodies.forget(relpath)
        self.photos.move(relpath, known.current.photo_path, None)
        self._problem_paths.discard(relpath)
        self._moved(relpath, known.effective, None)
        changes.deleted.add(relpath)

    def gone(self, relpath: str, changes: Changes) -> None:
        """`relpath` is not there any more: forget it, if it was read, and stop waiting for it."""
        self.waiting.discard(relpath)
        if relpath in self.states:
            self.forget(relpath, changes)

    def forget_unseen(self, seen: set[str], kept: Callable[[str], bool], changes: Changes) -> None:
        """After a walk that found `seen`: forget every other file but those `kept` (in a folder it
        could not enter), and stop waiting for any that went."""
        self.waiting &= seen
        for relpath in [p for p in self.states if p not in seen and not kept(p)]:
            self.forget(relpath, changes)

    def read_with_another(self, photo: str) -> list[str]:
        """The paths using `photo` that were read with another version of it than the one there now.

        Asked of each reading, not of the reader's measurements: whoever measures the new version
        first (a /media/ request, a build) must not hide the change from the stories."""
        now = self._reader.photo_stat(photo)
        return [relpath for relpath in self.photos.users(photo) if self.states[relpath].photo_key != now]

    # ---- what the store asks of its files -------------------------------------------------------

    def problems(self, published: Callable[[str], bool]) -> list[Problem]:
        """The problems of every file's latest reading; for a story left out, also its related ids that
        no story has (`published` says which have one) — said with its other problems, in one run."""
        found: list[Problem] = []
        for relpath in self._problem_paths:
            current = self.states[relpath].current
            found += current.problems
            found += [
                dangling(self._display(relpath), index, target)
                for index, target in current.related_ids
                if not published(target)
            ]
        return found

    def being_written(self) -> Iterable[Problem]:
        """The files that could not be read because their writer was at work, and that publish nothing
        meanwhile."""
        return (
            Problem(self._display(relpath), None, BEING_WRITTEN)
            for relpath in sorted(self.waiting)
            if relpath not in self.states
        )

    def body(self, article: Article) -> str | None:
        """`article`'s Markdown body, read back from its file; None if the file no longer holds that version."""
        known = self.states.get(article.path)
        if known is not None and known.current.body is not None and known.current.article is article:
            body, known.current.body = known.current.body, None  # kept from the reading (builds): used once
            return body
        kept = self.bodies.get(article.path, article.digest)
        if kept is not None:
            return kept
        try:
            with open(self.root / article.path, "rb") as fh:
                data = fh.read(self._reader.max_article_bytes + 1)
        except OSError:
            return None
        return read_body(data) if file_digest(data) == article.digest else None

    def cache_entries(self) -> dict[str, CacheEntry]:
        """Every file's stat and current reading, bodies left out, as the parse cache keeps them."""
        return {
            relpath: (
                known.stat,
                Reading(replace(known.current, body=None) if known.current.body else known.current, known.photo_key),
            )
            for relpath, known in self.states.items()
        }
