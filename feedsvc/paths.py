"""One table of public paths: the service routes them, the build writes them, documents link to them.

Paths are relative to the configured base URL and never start with "/". A path ending in "/" (or
empty) is a page; the static build writes it as `<path>index.html`.

    rss.xml  atom.xml  feed.json                      all sections
    sections/<slug>/rss.xml  …/atom.xml  …/feed.json  one section (and so for authors/<slug>/, tags/<slug>/)
    sections/<slug>/archive/<yyyy-mm>[-<page>]/rss.xml|atom.xml  RFC 5005 monthly archives
    /  sections/<slug>/  authors/<slug>/  tags/<slug>/  pages for people
    subscribe/  sections/<slug>/subscribe/  …           how to subscribe to a scope's feeds, for newcomers
    feeds.opml  authors.opml  tags.opml               every section's, writer's or tag's feed, to import
    news-sitemap.xml  robots.txt                      for search engines: Google News sitemap, where it is
    media/<path>                                      photos kept in the store

Everything scoped — feeds, archives, pages, OPML lists — is driven from SCOPE_FOLDERS and OPML_PATHS:
a kind of scope is a row there, not code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .model import ALL, AUTHOR, EVERYTHING, SECTION, TAG, Scope

# format → (file name, media type). Every format is driven from here, not from per-format code.
FEED_FORMATS: dict[str, tuple[str, str]] = {
    "rss": ("rss.xml", "application/rss+xml"),
    "atom": ("atom.xml", "application/atom+xml"),
    "json": ("feed.json", "application/feed+json"),
}
ARCHIVE_FORMATS = ("rss", "atom")  # RFC 5005 is defined for Atom, and for RSS 2.0 in its appendix
# kind of scope → the folder its feeds and page live under; the all-sections scope lives at the root
SCOPE_FOLDERS: dict[str, str] = {SECTION: "sections", AUTHOR: "authors", TAG: "tags"}
# kind of scope → its OPML list (the sections' keeps the name it has always had)
OPML_PATHS: dict[str, str] = {SECTION: "feeds.opml", AUTHOR: "authors.opml", TAG: "tags.opml"}
SECTION_PREFIX = "sections/"
MEDIA_PREFIX = "media/"
INDEX_PATH = ""
SUBSCRIBE = "subscribe/"  # under a scope's folder (or the root): its subscribe page
OPML_PATH = OPML_PATHS[SECTION]
NEWS_SITEMAP_PATH = "news-sitemap.xml"
ROBOTS_PATH = "robots.txt"

_SLUG = r"[a-z0-9][a-z0-9-]*"
_MONTH = r"\d{4}-(?:0[1-9]|1[0-2])(?:-(?:[2-9]|[1-9][0-9]{1,3}))?"  # a month, and a page after the first
_FOLDERS = "|".join(SCOPE_FOLDERS.values())
_SCOPED_FEED = re.compile(rf"^({_FOLDERS})/({_SLUG})/([a-z.]+)$")
_ARCHIVE_FEED = re.compile(rf"^({_FOLDERS})/({_SLUG})/archive/({_MONTH})/([a-z.]+)$")
_SCOPED_PAGE = re.compile(rf"^({_FOLDERS})/({_SLUG})/$")
_SCOPED_SUBSCRIBE = re.compile(rf"^({_FOLDERS})/({_SLUG})/{SUBSCRIBE}$")
_BY_FILE = {file_name: fmt for fmt, (file_name, _) in FEED_FORMATS.items()}
_BY_FOLDER = {folder: kind for kind, folder in SCOPE_FOLDERS.items()}
_BY_OPML = {path: kind for kind, path in OPML_PATHS.items()}


def scope_prefix(scope: Scope) -> str:
    """Where a scope's feeds and page live: "" for every section, "authors/jose-nunez/" for a writer."""
    return "" if scope.kind == ALL else f"{SCOPE_FOLDERS[scope.kind]}/{scope.slug}/"


@dataclass(frozen=True, slots=True)
class FeedKey:
    """Which feed: a scope's (every section's, or one section's, writer's or tag's), in one format;
    `month` for an archive."""

    scope: Scope
    format: str
    month: str | None = None  # an archive: "2013-05", or "2013-05-2" for its second page

    @property
    def path(self) -> str:
        file_name = FEED_FORMATS[self.format][0]
        if self.month is not None:
            return f"{scope_prefix(self.scope)}archive/{self.month}/{file_name}"
        return scope_prefix(self.scope) + file_name

    @property
    def mimetype(self) -> str:
        return FEED_FORMATS[self.format][1]

    def subscription(self) -> FeedKey:
        return FeedKey(self.scope, self.format)

    def archive(self, month: str) -> FeedKey:
        return FeedKey(self.scope, self.format, month)


@dataclass(frozen=True, slots=True)
class PageKey:
    """The home page (every section) or a section's, writer's or tag's page."""

    scope: Scope

    @property
    def path(self) -> str:
        return scope_prefix(self.scope) if self.scope.kind != ALL else INDEX_PATH


@dataclass(frozen=True, slots=True)
class SubscribeKey:
    """A scope's subscribe page: what a feed reader is, one-click links into the web readers, the
    address to copy and the raw feeds — where the pages' RSS, Atom and JSON Feed buttons lead."""

    scope: Scope

    @property
    def path(self) -> str:
        return scope_prefix(self.scope) + SUBSCRIBE


@dataclass(frozen=True, slots=True)
class OpmlKey:
    """The OPML list of every section's feed (or every writer's, or every tag's)."""

    kind: str = SECTION

    @property
    def path(self) -> str:
        return OPML_PATHS[self.kind]


@dataclass(frozen=True, slots=True)
class NewsSitemapKey:
    """The Google News sitemap: the stories of the last two days."""

    @property
    def path(self) -> str:
        return NEWS_SITEMAP_PATH


@dataclass(frozen=True, slots=True)
class RobotsKey:
    """robots.txt, naming the news sitemap."""

    @property
    def path(self) -> str:
        return ROBOTS_PATH


@dataclass(frozen=True, slots=True)
class MediaKey:
    """A photo kept in the store, by its name under media/ ("2013/harbor.jpg")."""

    name: str

    @property
    def path(self) -> str:
        return MEDIA_PREFIX + self.name


# What a public path names; callers dispatch on the type, not on the path's spelling.
Route = FeedKey | PageKey | SubscribeKey | OpmlKey | NewsSitemapKey | RobotsKey | MediaKey


_ARCHIVE_ID = re.compile(_MONTH)


def is_archive_id(text: str) -> bool:
    """Is `text` spelled as an archive page's id ("2013-05", or "2013-05-2" for a month's second page)?"""
    return _ARCHIVE_ID.fullmatch(text) is not None


def archive_paths(scope: Scope, pages: Iterable[str]) -> list[str]:
    """The paths of a scope's archive pages (by their ids), each in every archive format."""
    return [FeedKey(scope, fmt, archive).path for archive in pages for fmt in ARCHIVE_FORMATS]


def feed_keys(scopes: list[Scope]) -> list[FeedKey]:
    """Every subscription feed of these scopes (all sections first), each format."""
    return [
        FeedKey(scope, fmt) for scope in [EVERYTHING, *(s for s in scopes if s != EVERYTHING)] for fmt in FEED_FORMATS
    ]


def route(path: str) -> Route | None:
    """What a path names, or None if no public path is spelled so.

    Slugs are not checked against the site or the store here, only their shape.
    """
    if path.startswith(MEDIA_PREFIX):
        return MediaKey(path[len(MEDIA_PREFIX) :])
    if path in _BY_OPML:
        return OpmlKey(_BY_OPML[path])
    if path == INDEX_PATH:
        return PageKey(EVERYTHING)
    if path == SUBSCRIBE:
        return SubscribeKey(EVERYTHING)
    if path in _BY_FILE:
        return FeedKey(EVERYTHING, _BY_FILE[path])
    if path == NEWS_SITEMAP_PATH:
        return NewsSitemapKey()
    if path == ROBOTS_PATH:
        return RobotsKey()
    match = _SCOPED_FEED.match(path)
    if match and match.group(3) in _BY_FILE:
        return FeedKey(Scope(_BY_FOLDER[match.group(1)], match.group(2)), _BY_FILE[match.group(3)])
    match = _ARCHIVE_FEED.match(path)
    if match and match.group(4) in _BY_FILE and _BY_FILE[match.group(4)] in ARCHIVE_FORMATS:
        return FeedKey(Scope(_BY_FOLDER[match.group(1)], match.group(2)), _BY_FILE[match.group(4)], match.group(3))
    match = _SCOPED_PAGE.match(path)
    if match:
        return PageKey(Scope(_BY_FOLDER[match.group(1)], match.group(2)))
    match = _SCOPED_SUBSCRIBE.match(path)
    if match:
        return SubscribeKey(Scope(_BY_FOLDER[match.group(1)], match.group(2)))
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
        rest = path[len(prefix) :]
        if route(rest) is not None:
            return rest
    return path
