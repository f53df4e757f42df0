"""The store's authors file (`_authors.yml`), read again whenever its stat changes.

It is optional: without one, every byline is its own writer. One that turns bad is reported and the
last good one stays in use, as for the site file: writers' feeds must not move for a typo.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from ..model import Problem
from ..source.people import AUTHORS_FILE, NOBODY, People, parse_people
from ..source.photos import PhotoError
from .files import ArticleReader, StatKey, stat_key


class PeopleWatch:
    """The authors file as last read well (NOBODY while there is none) and the problems of the latest reading."""

    def __init__(self, root: Path, reader: ArticleReader, display: Callable[[str], str]) -> None:
        self._path = root / AUTHORS_FILE
        self._reader = reader  # measures the people's photos
        self._name = display(AUTHORS_FILE)
        self._stat: StatKey | None = None
        self.people: People = NOBODY
        self.problems: list[Problem] = []

    def refresh(self, racy: Callable[[StatKey], bool]) -> People | None:
        """Re-read the file if its stat changed (or may hide a change); the new People when who is who
        changed, else None."""
        try:
            key = stat_key(self._path.stat())
        except FileNotFoundError:
            self._stat, self.problems = None, []
            return self._adopt(NOBODY)
        except OSError as exc:
            self.problems = [Problem(self._name, None, f"cannot be read ({exc.strerror})")]
            return None
        if key == self._stat and not racy(key):
            return None
        self._stat = key
        try:
            data = self._path.read_bytes()
        except OSError as exc:
            self.problems = [
                Problem(self._name, None, f"cannot be read ({exc.strerror}); the last good one stays in use")
            ]
            return None
        revision = hashlib.blake2b(data, digest_size=12).hexdigest()
        if revision == self.people.revision and self.people is not NOBODY:
            return None
        people, self.problems = parse_people(data, self._name, revision=revision, photo_ok=self._photo_trouble)
        if people is NOBODY and self.problems:  # unreadable as a whole: keep the last good one
            if self.people is not NOBODY:
                self.problems.append(Problem(self._name, None, "the last good authors file stays in use", "warning"))
            return None
        return self._adopt(people)

    def _adopt(self, people: People) -> People | None:
        if people.revision == self.people.revision and people.persons == self.people.persons:
            return None
        self.people = people
        return people

    def _photo_trouble(self, path: str) -> str | None:
        try:
            self._reader.photo_info(path)
            return None
        except PhotoError as exc:
            return str(exc)
