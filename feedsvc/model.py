"""The publication as plain, immutable data: what the store reads and the renderer writes.

No I/O here. Every datetime is aware and in UTC; every URL a feed will carry is absolute.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any, NamedTuple
from urllib.parse import urlsplit


class _Compact:
    """Pickles as the class and its field values: ten times quicker to load than the default for
    slotted dataclasses, which matters for a parse cache of a hundred thousand stories."""

    __slots__: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type[Any], tuple[Any, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__slots__)


# A hundred thousand stories carry a few bylines and photo sizes between them, each read as objects
# of its own (parsed in forked readers, then unpickled). Equal values are made one object as a story is
# made; each table is emptied if it ever grows past SHARED_LIMIT (an int per distinct file size).
SHARED_LIMIT = 1 << 16
_SHARED_INTS: dict[int, int] = {}
_SHARED_AUTHORS: dict[tuple[Author, ...], tuple[Author, ...]] = {}


def _shared(table: dict[Any, Any], value: Any) -> Any:
    """The object equal to `value` that the stories read before it use."""
    found = table.setdefault(value, value)
    if len(table) > SHARED_LIMIT:
        table.clear()
    return found


def _require_utc(value: datetime | None, name: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() != timedelta(0)):
        raise ValueError(f"{name} must be an aware UTC datetime, got {value!r}")


@dataclass(frozen=True, slots=True)
class Section(_Compact):
    slug: str
    title: str
    description: str = ""


# What a feed, page or timeline holds: every story, or one section's, one writer's or one tag's.
ALL, SECTION, AUTHOR, TAG = "all", "section", "author", "tag"


class Scope(NamedTuple):
    """Which stories a feed, page or timeline holds: all of them (ALL), or those of one section, one
    writer (AUTHOR, by the slug of their byline) or one tag (TAG, by the folded tag). A plain tuple,
    so the store can key its timelines by one without importing anything."""

    kind: str
    slug: str = ""


EVERYTHING = Scope(ALL)


@dataclass(frozen=True, slots=True)
class Tag(_Compact):
    """A tag's title and description from the site file, by the slug its spellings fold to."""

    slug: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Person(_Compact):
    """A writer from the store's authors file: a stable slug, the feed's description (bio) and image
    (photo: a store path under media/ or an absolute URL), a page of their own, and the other
    names their stories have carried."""

    slug: str
    name: str
    bio: str = ""
    photo: str | None = None
    url: str | None = None
    also_known_as: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Author(_Compact):
    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Photo(_Compact):
    """An article's photo: where it is, what it shows, and what a feed enclosure must say of it.

    A remote photo's `url` is absolute. `store_path` is set for photos kept in the store (served
    under /media/, measured by reading the file), and their `url` is that path percent-encoded,
    relative to where the feeds are served: reading a file does not depend on that (the parse cache
    survives a new base URL), and `served_from` makes it absolute when a document is rendered.
    Remote photos carry whatever metadata the editor typed.
    """

    url: str
    store_path: str | None = None
    mime_type: str | None = None
    length: int | None = None
    width: int | None = None
    height: int | None = None
    caption: str = ""
    credit: str = ""
    alt: str = ""
    modified: datetime | None = None  # when a store photo's file was saved, as read: dates documents

    def __post_init__(self) -> None:
        if self.width is not None and self.height is not None:  # a newsroom's photos come in a few sizes
            object.__setattr__(self, "width", _shared(_SHARED_INTS, self.width))
            object.__setattr__(self, "height", _shared(_SHARED_INTS, self.height))

    def served_from(self, base_url: str) -> Photo:
        """The photo as a document carries it: a store photo's URL under `base_url`, which ends in "/"."""
        return self if self.store_path is None else replace(self, url=base_url + self.url)


@dataclass(frozen=True, slots=True)
class RelatedLink(_Compact):
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class RelatedRef(_Compact):
    """A related story named by the `id` of another article; the store resolves it at publish time."""

    article_id: str


class Status(StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"


@dataclass(frozen=True, slots=True)
class Article(_Compact):
    """One story as read from one file. `revision` changes whenever anything a feed shows changes.

    The Markdown body is not held here — a hundred thousand bodies would dominate a worker's memory —
    but read back from the file (and checked against `digest`) when the story is rendered.
    """

    id: str
    path: str  # store-relative, e.g. "world/obama.md"
    slug: str
    title: str
    section: str  # a declared section's slug
    url: str  # canonical, absolute
    published: datetime
    updated: datetime
    digest: str  # hash of the file's bytes: the body is read back only from this version
    revision: str  # hash of the file's bytes and path, and of the photo and site it depends on
    authors: tuple[Author, ...] = ()
    dateline: str = ""
    summary: str | None = None  # None: derived from the body when rendered
    tags: tuple[str, ...] = ()
    status: Status = Status.PUBLISHED
    photo: Photo | None = None
    related: tuple[RelatedLink | RelatedRef, ...] = ()
    size: int = 0  # the file's bytes: to size feeds and archive pages before rendering
    modified: datetime | None = None  # when its file was saved, as read: dates documents

    def __post_init__(self) -> None:
        _require_utc(self.published, "published")
        _require_utc(self.updated, "updated")
        _require_utc(self.modified, "modified")
        object.__setattr__(self, "authors", _shared(_SHARED_AUTHORS, self.authors))
        object.__setattr__(self, "size", _shared(_SHARED_INTS, self.size))

    def visible_at(self, now: datetime) -> bool:
        """Drafts never appear; a scheduled story appears when its `published` time arrives."""
        return self.status is Status.PUBLISHED and self.published <= now

    def served_from(self, base_url: str) -> Article:
        """The story as a document served under `base_url` carries it: a store photo's URL made absolute."""
        photo = self.photo
        if photo is None or photo.store_path is None:
            return self
        return replace(self, photo=photo.served_from(base_url))


@dataclass(frozen=True, slots=True)
class Site:
    """The publication, from the store's site file."""

    title: str
    url: str  # the public web site, for article links; ends with "/"
    language: str = "en"
    tz: tzinfo = UTC
    description: str = ""
    copyright: str = ""
    logo: str | None = None  # store path (media/...) or absolute URL
    icon: str | None = None
    tag_date: str = "2000-01-01"  # RFC 4151 tag date for article and feed ids: set once, never change
    sections: tuple[Section, ...] = ()
    tags: tuple[Tag, ...] = ()  # titles and descriptions of tag feeds, by slug
    accent_color: str | None = None  # webfeeds extras for Feedly/Inoreader
    cover: str | None = None
    revision: str = ""  # hash of the site file's bytes, which every field but `modified` is read from
    modified: datetime | None = None  # when the site file was saved, as read: dates every document

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "localhost"

    @property
    def founded(self) -> datetime:
        """The tag date as a moment: the time of a feed with no story yet, stable and before any story
        (the epoch would tell readers it is decades stale; the W3C validator calls it implausible)."""
        year, month, day = (self.tag_date.split("-") + ["01", "01"])[:3]
        return datetime(int(year), int(month), int(day), tzinfo=UTC)

    def section(self, slug: str) -> Section | None:
        for s in self.sections:
            if s.slug == slug:
                return s
        return None

    def tag(self, slug: str) -> Tag | None:
        for t in self.tags:
            if t.slug == slug:
                return t
        return None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the store, named so an editor can fix it: file, field, what to do."""

    path: str  # as the editor sees it, e.g. "articles/world/x.md"
    field: str | None
    message: str
    # "error": article left out (or last good version kept); "warning": published anyway; "note": nothing
    # wrong, but worth knowing (a story held back until its time)
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        line = f"{where}: {self.message}" if self.severity == "error" else f"{where}: {self.severity}: {self.message}"
        return printable(line)


def printable(text: str) -> str:
    """One printable line: a file name's control characters (a terminal escape, a newline) are shown
    escaped, not sent to the editor's terminal or log."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
__all__ = [
    "Article",
    "Author",
    "Person",
    "Photo",
    "Problem",
    "RelatedLink",
    "RelatedRef",
    "Scope",
    "Section",
    "Site",
    "Status",
    "Tag",
    "ALL",
    "AUTHOR",
    "EPOCH",
    "EVERYTHING",
    "SECTION",
    "TAG",
    "utc",
]
