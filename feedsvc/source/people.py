"""The store's optional authors file (`_authors.yml`): who writes, under which names, with which slug.

Without it every byline is its own writer, by the slug of its name. With it a person keeps a stable
slug (their address does not move when their byline is respelt), their stories under other names
join their feed, and their feed carries a bio and a photo. A name claimed by two people, a slug
given twice or an unusable photo or URL is a problem naming the field; the rest of the file is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..model import Person, Problem
from ..uri import normalize_url
from . import frontmatter
from .frontmatter import describe
from .photos import store_media_path
from .slugs import fold, slugify
from .text import decode_references, plain_text, xml_clean

AUTHORS_FILE = "_authors.yml"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KNOWN_FIELDS = frozenset({"name", "slug", "bio", "photo", "url", "also_known_as"})


def _key(name: str) -> str:
    """What two spellings of one name share for lookup: folded, and spaces made single."""
    return " ".join(fold(name).split())


class People:
    """Who each byline is: the person of the authors file it names, else the slug of the name itself."""

    def __init__(self, persons: tuple[Person, ...] = (), revision: str = "") -> None:
        self.persons = persons
        self.revision = revision  # changes whenever the file's content does
        self._by_slug = {person.slug: person for person in persons}
        self._by_name: dict[str, str] = {}
        for person in persons:
            for name in (person.name, *person.also_known_as):
                self._by_name.setdefault(_key(name), person.slug)
        self._memo: dict[str, str] = {}

    def slug_of(self, name: str) -> str:
        """The slug of the writer a byline names (remembered: a store has far fewer names than bylines)."""
        found = self._memo.get(name)
        if found is None:
            found = self._by_name.get(_key(name)) or slugify(name)
            if len(self._memo) < 200_000:
                self._memo[name] = found
        return found

    def person(self, slug: str) -> Person | None:
        return self._by_slug.get(slug)

    def declared(self, name: str) -> bool:
        """Is this spelling one the authors file names (so two spellings of it are no accident)?"""
        return _key(name) in self._by_name


NOBODY = People()


def parse_people(
    data: bytes,
    display_path: str = AUTHORS_FILE,
    *,
    revision: str = "",
    photo_ok: Callable[[str], str | None] = lambda path: None,
) -> tuple[People, list[Problem]]:
    """The authors file → People, and the problems of its entries (each entry with one is still used,
    without the faulty field, unless it has no usable name). `photo_ok` says what is wrong with a
    store photo (None: nothing)."""
    problems: list[Problem] = []

    def problem(field: str | None, message: str, severity: str = "error") -> None:
        problems.append(Problem(display_path, field, message, severity))

    try:
        document, _ = xml_clean(data.decode("utf-8-sig"))
        entries = frontmatter.load(document)
    except UnicodeDecodeError:
        problem(None, "is not UTF-8; save it as UTF-8")
        return NOBODY, problems
    except Exception as exc:  # noqa: BLE001 — any YAML failure is the editor's to fix
        problem(None, f"is not valid YAML: {exc}")
        return NOBODY, problems
    if entries is None:
        return People(revision=revision), problems
    if not isinstance(entries, list):
        problem(None, "must be a list of people, each with a name (and slug, bio, photo, url, also_known_as)")
        return NOBODY, problems

    persons: list[Person] = []
    claimed: dict[str, str] = {}  # folded name → the slug of the person who has it
    for index, entry in enumerate(entries):
        where = f"[{index}]"
        if not isinstance(entry, dict):
            problem(where, f"must be a mapping with a name, not {describe(entry)}")
            continue
        for unknown in sorted(set(entry) - KNOWN_FIELDS):
            problem(
                f"{where}.{unknown}",
                f"is not a field of the authors file (known: {', '.join(sorted(KNOWN_FIELDS))})",
                "warning",
            )
        name = _text(entry.get("name"))
        if not name:
            problem(f"{where}.name", "is required: the name their stories carry")
            continue
        slug = _text(entry.get("slug")) or slugify(name)
        if not _SLUG.match(slug):
            problem(f"{where}.slug", f"{slug!r} must be lower-case letters, digits and hyphens")
            continue
        if any(person.slug == slug for person in persons):
            problem(f"{where}.slug", f"{slug!r} is given to two people; the second is left out")
            continue
        aliases = entry.get("also_known_as")
        names = [name, *(_text(a) for a in (aliases if isinstance(aliases, list) else [aliases] if aliases else []))]
        if aliases is not None and not isinstance(aliases, (list, str)):
            problem(f"{where}.also_known_as", "must be a list of names")
        kept = []
        for other in filter(None, names):
            owner = claimed.get(_key(other))
            if owner is not None and owner != slug:
                problem(f"{where}.also_known_as", f"{other!r} already names {owner!r}; left out for {slug!r}")
                continue
            claimed[_key(other)] = slug
            kept.append(other)
        photo = _photo(_text(entry.get("photo")) or None, f"{where}.photo", problem, photo_ok)
        url = _text(entry.get("url")) or None
        if url is not None:
            normalized = normalize_url(url) if url.lower().startswith(("http://", "https://")) else None
            if normalized is None:
                problem(f"{where}.url", f"{url!r} is not an http(s) URL; left out", "warning")
            url = normalized
        persons.append(
            Person(
                slug, name, _text(entry.get("bio")), photo, url, tuple(dict.fromkeys(n for n in kept[1:] if n != name))
            )
        )
    return People(tuple(persons), revision), problems


def _text(value: Any) -> str:
    """A plain-text field: markup and forbidden characters removed, spaces made single."""
    if value is None or isinstance(value, (bool, dict, list)):
        return ""
    cleaned, _ = xml_clean(str(value))
    return " ".join(plain_text(decode_references(cleaned))[0].split())


def _photo(
    value: str | None, where: str, problem: Callable[..., None], photo_ok: Callable[[str], str | None]
) -> str | None:
    """A store photo (media/…) the store can publish, or an absolute URL; else None, with a warning."""
    if value is None:
        return None
    if value.lower().startswith(("http://", "https://")):
        normalized = normalize_url(value)
        if normalized is None:
            problem(where, f"{value!r} is not a usable http(s) URL; left out", "warning")
        return normalized
    path = store_media_path(value)
    if path is None:
        problem(where, f"{value!r} must be a path under media/ in the store, or an http(s) URL; left out", "warning")
        return None
    trouble = photo_ok(path)
    if trouble is not None:
        problem(where, f"{path}: {trouble}; left out", "warning")
        return None
    return path
