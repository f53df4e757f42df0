"""One table of public paths: the service routes them, the build writes them, feeds link to them.

Paths are relative to the configured base URL and never start with "/". A path ending in "/" is a
page; the static build writes it as `<path>index.html`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

# format → (file name, media type). Drive every format from here, not from per-format code.
FEED_FORMATS: dict[str, tuple[str, str]] = {
    "rss": ("rss.xml", "application/rss+xml"),
    "atom": ("atom.xml", "application/atom+xml"),
}
SECTION_PREFIX = "sections/"
MEDIA_PREFIX = "media/"
INDEX_PATH = ""


@dataclass(frozen=True, slots=True)
class FeedKey:
    """Which feed: a section's (by slug) or all sections' (None), in one format."""
    section: str | None
    format: str

    @property
    def path(self) -> str:
        return feed_path(self.section, self.format)

    @property
    def mimetype(self) -> str:
        return FEED_FORMATS[self.format][1]


def feed_path(section: str | None, fmt: str) -> str:
    file_name = FEED_FORMATS[fmt][0]
    return file_name if section is None else f"{SECTION_PREFIX}{quote(section)}/{file_name}"


def feed_paths(section_slugs: list[str]) -> list[FeedKey]:
    """Every feed the publication has: all sections first, then each section, each format."""
    return [FeedKey(section, fmt) for section in [None, *section_slugs] for fmt in FEED_FORMATS]


_SECTION_FEED = re.compile(r"^sections/([a-z0-9][a-z0-9-]*)/([a-z.]+)$")


def parse_feed_path(path: str) -> FeedKey | None:
    """The feed a path names, or None. Section slugs are not checked against the site here."""
    for fmt, (file_name, _) in FEED_FORMATS.items():
        if path == file_name:
            return FeedKey(None, fmt)
    match = _SECTION_FEED.match(path)
    if match:
        for fmt, (file_name, _) in FEED_FORMATS.items():
            if match.group(2) == file_name:
                return FeedKey(match.group(1), fmt)
    return None


def build_file_name(path: str) -> str:
    """Where the static build writes a path: pages become index.html files."""
    return path + "index.html" if path == "" or path.endswith("/") else path
