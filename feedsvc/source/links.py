"""Addresses in a story's body that are not absolute URLs.

A reader resolves a relative address against the story's own URL: `![](media/2013/tide-pools.jpg)`
in `https://news.example.com/science/tide-pools` would become `…/science/media/2013/tide-pools.jpg`,
a broken image. So a path into the store's `media/` (as a photo's `src` is written: `media/…`, with
or without a leading `/` or `./`) stands for the published photo — `render.html` writes the media
URL for it — and any other relative address is worth a word to the editor. Pure, and it loads
nothing of feedsvc (the renderer uses it too); cmark only for a body that seems to hold such an address.
"""

from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import unquote, urlsplit

MEDIA_DIR = "media"  # the store's folder of photos, named as `media/…` wherever a photo is named

# Candidates in the Markdown itself: inline links and images "](x", reference definitions "[a]: x",
# and raw HTML's href= and src=. A rough, quick look (every story is looked at as the store is read):
# what it finds is confirmed on the HTML.
_INLINE = re.compile(r"\]\(\s*<?([^\s)>]+)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
_RAW_HTML = re.compile(r"""(?:href|src)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
# In the HTML the Markdown renders to: every link's and image's address.
_ATTRIBUTES = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HTTP = ("https://", "http://")


def media_path(address: str) -> str | None:
    """The store path (media/…) a relative address names in the store's media folder, or None."""
    address = address.strip()
    if not address or _SCHEME.match(address) or address.startswith(("//", "#", "?")):
        return None
    path = posixpath.normpath(unquote(urlsplit(address).path).lstrip("/"))
    if not path.startswith(MEDIA_DIR + "/") or path.startswith("../"):
        return None
    return path


def needs_a_look(address: str) -> bool:
    """Whether a reader would resolve `address` against the story's URL: relative, and not a fragment
    or a path from the site's root (those mean the same wherever the story is)."""
    address = address.strip()
    return bool(address) and not _SCHEME.match(address) and not address.startswith(("#", "/"))


def _candidates(markdown: str) -> list[str]:
    """The addresses the rough look finds, less those that start as an absolute http(s) URL does
    (most of a newsroom's links, and neither `needs_a_look` nor a `media_path`)."""
    found: list[str] = []
    for pattern, sign in ((_INLINE, "]("), (_REFERENCE, "]:"), (_RAW_HTML, "=")):
        if sign in markdown:
            found += (address for address in pattern.findall(markdown) if not address.startswith(_HTTP))
    return found


def relative_addresses(markdown: str) -> list[str]:
    """The addresses in a body's links and images that are relative, each once, in order; store paths
    under media/ (`/media/…` too) among them. Cheap for a body without any: cmark renders only a body
    whose Markdown seems to hold one."""
    if not any(needs_a_look(address) or media_path(address) for address in _candidates(markdown)):
        return []
    from .markdown import markdown_html  # loads cmark, for the rare body that needs it

    found = (
        html.unescape(next(value for value in match.groups() if value is not None))
        for match in _ATTRIBUTES.finditer(markdown_html(markdown))
    )
    return list(dict.fromkeys(a for a in found if needs_a_look(a) or media_path(a)))
