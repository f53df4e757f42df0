"""One table of public paths: the service routes them, the build writes them, documents link to them.

Paths are relative to the configured base URL and never start with "/". A path ending in "/" (or
empty) is a page; the static build writes it as `<path>index.html`.

    rss.xml  atom.xml  feed.json                      all sections
    sections/<slug>/rss.xml  …/atom.xml  …/feed.json  one section
    sections/<slug>/archive/<yyyy-mm>[-<page>]/rss.xml|atom.xml  RFC 5005 monthly archives
    /  sections/<slug>/                               pages for people
    feeds.opml                                        every section feed, for a reader to import
    media/<path>                                      photos kept in the store
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

# format → (file name, media type). Every format is driven from here, not from per-format code.
FEED_FORMATS: dict[str, tuple[str, str]] = {
    "rss": ("rss.xml", "application/rss+xml"),
    "atom": ("atom.xml", "application/atom+xml"),
    "json": ("feed.json", "application/feed+json"),
}
ARCHIVE_FORMATS = ("rss", "atom")        # RFC 5005 is defined for Atom, and for RSS 2.0 in its appendix
SECTION_PREFIX = "sections/"
MEDIA_PREFIX = "media/"
INDEX_PATH = ""
OPML_PATH = "feeds.opml"

_SLUG = r"[a-z0-9][a-z0-9-]*"
_MONTH = r"\d{4}-(?:0[1-9]|1[0-2])(?:-(?:[2-9]|[1-9][0-9]{1,3}))?"      # a month, and a page after the first
_SECTION_FEED = re.compile(rf"^sections/({_SLUG})/([a-z.]+)$")
_ARCHIVE_FEED = re.compile(rf"^sections/({_SLUG})/archive/({_MONTH})/([a-z.]+)$")
_SECTION_PAGE = re.compile(rf"^sections/({_SLUG})/$")
_BY_FILE = {file_name: fmt for fmt, (file_name, _) in FEED_FORMATS.items()}


@dataclass(frozen=True, slots=True)
class FeedKey:
    """Which feed: a section's (by slug) or all sections' (None), in one format; `month` for an archive."""
    section: str | None
    format: str
    month: str | None = None          # an archive: "2013-05", or "2013-05-2" for its second page

    @property
    def path(self) -> str:
        file_name = FEED_FORMATS[self.format][0]
        if self.section is None:
            return file_name
        if self.month is not None:
            return f"{SECTION_PREFIX}{self.section}/archive/{self.month}/{file_name}"
        return f"{SECTION_PREFIX}{self.section}/{file_name}"

    @property
    def mimetype(self) -> str:
        return FEED_FORMATS[self.format][1]

    def subscription(self) -> "FeedKey":
        return FeedKey(self.section, self.format)

    def archive(self, month: str) -> "FeedKey":
        return FeedKey(self.section, self.format, month)


@dataclass(frozen=True, slots=True)
class PageKey:
    """The home page (None) or a section's page."""
    section: str | None

    @property
    def path(self) -> str:
        return INDEX_PATH if self.section is None else f"{SECTION_PREFIX}{self.section}/"


@dataclass(frozen=True, slots=True)
class OpmlKey:
    """The OPML list of every section feed."""

    @property
    def path(self) -> str:
        return OPML_PATH


@dataclass(frozen=True, slots=True)
class MediaKey:
    """A photo kept in the store, by its name under media/ ("2013/harbor.jpg")."""
    name: str

    @property
    def path(self) -> str:
        return MEDIA_PREFIX + self.name


# What a public path names; callers dispatch on the type, not on the path's spelling.
Route = FeedKey | PageKey | OpmlKey | MediaKey


def feed_keys(section_slugs: list[str]) -> list[FeedKey]:
    """Every subscription feed: all sections first, then each section, each format."""
    return [FeedKey(section, fmt) for section in [None, *section_slugs] for fmt in FEED_FORMATS]


def route(path: str) -> Route | None:
    """What a path names, or None if no public path is spelled so.

    Section slugs are not checked against the site here, only their shape.
    """
    if path.startswith(MEDIA_PREFIX):
        return MediaKey(path[len(MEDIA_PREFIX):])
    if path == OPML_PATH:
        return OpmlKey()
    if path == INDEX_PATH:
        return PageKey(None)
    if path in _BY_FILE:
        return FeedKey(None, _BY_FILE[path])
    match = _SECTION_FEED.match(path)
    if match and match.group(2) in _BY_FILE:
        return FeedKey(match.group(1), _BY_FILE[match.group(2)])
    match = _ARCHIVE_FEED.match(path)
    if match and match.group(3) in _BY_FILE and _BY_FILE[match.group(3)] in ARCHIVE_FORMATS:
        return FeedKey(match.group(1), _BY_FILE[match.group(3)], match.group(2))
    match = _SECTION_PAGE.match(path)
    if match:
        return PageKey(match.group(1))
    return None


def build_file_name(path: str) -> str:
    """Where the static build writes a path: pages become index.html files."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def base_path(base_url: str) -> str:
    """The base URL's path as requests carry it (decoded, no leading "/"): "feeds/" for
    https://example.com/feeds/, "" at the root."""
    return unquote(urlsplit(base_url).path).lstrip("/")


def local_path(path: str, prefix: str) -> str:
    """The path, relative to the base URL, that a request for `path` (no leading "/") names.

    Behind a proxy a request may keep the base URL's path `prefix` ("feeds/rss.xml") or arrive with it
    stripped ("rss.xml"); both name the same document. The prefix is taken off only when what is left
    is a public path, so a prefix that is also a public name ("sections/") stays unambiguous."""
    if prefix and path.startswith(prefix):
        rest = path[len(prefix):]
        if route(rest) is not None:
            return rest
    return path
