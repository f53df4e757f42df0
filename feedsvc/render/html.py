"""A story's Markdown → sanitised HTML with absolute URLs, and that HTML → its text and its summary.

Render-time only: reading a story never imports this module (or nh3 for it). The Markdown itself is
`source.markdown`, which the parse needs for one check; plain-text fields are `source.text`.
"""

from __future__ import annotations

import html
import re
import threading
from urllib.parse import quote, urljoin, urlsplit

import nh3

from ..source.links import media_path
from ..source.markdown import markdown_html
from ..source.text import CONTENT_REMOVED, plain_text, xml_clean
from ..uri import normalize_url

URL_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})

BODY_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "section",
        "small",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
    }
)
# Blocks keep their writing direction (HTML's dir: ltr, rtl or auto), for Arabic or Hebrew passages.
_DIRECTIONAL = (
    "blockquote",
    "caption",
    "dd",
    "details",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
)
_DIRECTIONS = frozenset({"ltr", "rtl", "auto"})
_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "details": {"open"},
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id"},
    "ol": {"start"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
BODY_ATTRIBUTES = {
    tag: _ATTRIBUTES.get(tag, set()) | ({"dir"} if tag in _DIRECTIONAL else set())
    for tag in sorted(_ATTRIBUTES.keys() | set(_DIRECTIONAL))
}
# cmark-gfm's footnotes: <sup class="footnote-ref"><a href="#fn-1" id="fnref-1">1</a></sup> in the text and
# <section class="footnotes"><ol><li id="fn-1">… at the end. These classes, and ids of that shape only
# (never an id a page's script could mistake for its own), survive; the links become absolute
# against the story's URL like every other link, so they lead to the same ids on the story's page.
_BODY_CLASSES = {"section": {"footnotes"}, "sup": {"footnote-ref"}}
_FOOTNOTE_ID = re.compile(r"fn(?:ref)?-[^\s]{1,100}")


# An absolute http(s) URL that resolving leaves as it is, and that is already a valid URI: no query,
# fragment, ";" (urljoin's round trip drops an empty one), "@", "%" or dot segment. Most links are.
_ALREADY_ABSOLUTE = re.compile(r"https?://[a-z0-9.-]+(?:/[A-Za-z0-9\-._~:/!$&'()*+,=]*)?")


def safe_url(value: str, base: str) -> str | None:
    """An absolute http(s)/mailto URL for `value` resolved against `base`, or None if unsafe."""
    if _ALREADY_ABSOLUTE.fullmatch(value) and "/." not in value:
        return value  # what the steps below make of it, in a tenth of the time
    value = value.strip()
    if not value or any(c in value for c in "\x00\t\n\r"):
        return None
    try:
        absolute = urljoin(base, value)
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    return normalize_url(absolute) if scheme in URL_SCHEMES else None


class _BodyCleaner:
    """Allow-list sanitiser whose attribute filter also makes links absolute: a store photo's path
    (media/…) against the media base URL, anything else against the story's URL."""

    def __init__(self) -> None:
        self.base = ""
        self.media_base: str | None = None
        self._cleaner = nh3.Cleaner(
            tags=set(BODY_TAGS),
            clean_content_tags=set(CONTENT_REMOVED),
            attributes=BODY_ATTRIBUTES,
            url_schemes=set(URL_SCHEMES),
            link_rel=None,
            strip_comments=True,
            allowed_classes=_BODY_CLASSES,
            attribute_filter=self._filter,
        )

    def _filter(self, tag: str, attribute: str, value: str) -> str | None:
        if attribute in _URL_ATTRIBUTES:
            if self.media_base is not None and (store_path := media_path(value)) is not None:
                return normalize_url(self.media_base + quote(store_path) + _fragment(value))
            return safe_url(value, self.base)
        if attribute == "id":
            return value if _FOOTNOTE_ID.fullmatch(value) else None
        if attribute == "dir":
            value = value.strip().lower()
            return value if value in _DIRECTIONS else None
        return value

    def clean(self, fragment: str, base: str, media_base: str | None = None) -> str:
        self.base, self.media_base = base, media_base
        return self._cleaner.clean(fragment)


def _fragment(address: str) -> str:
    """The query and fragment of an address, kept as they were written."""
    parts = urlsplit(address)
    return ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")


_per_thread = threading.local()  # a cleaner holds the current base URL, so one per thread


_FOOTNOTES_START = '<section class="footnotes">'
# On the sanitiser's output, where every "<" in text and attribute values is escaped, these are exact.
_H1_TAG = re.compile(r"<(/?)h1(?=[ >])")
_EMPTY_PARAGRAPH = re.compile(r"<p(?: [^>]*)?>\s*</p>\n?")
_SUMMARY_THEN_TEXT = re.compile(r"</summary>(?=[^\s<])")


def sanitize_html(fragment: str, base_url: str, media_base_url: str | None = None) -> str:
    """Allow-listed HTML with absolute URLs; scripts, styles, handlers and unsafe URLs removed. With
    `media_base_url`, a store photo's path (media/…) leads to the photo as published there."""
    cleaner = getattr(_per_thread, "cleaner", None)
    if cleaner is None:
        cleaner = _per_thread.cleaner = _BodyCleaner()
    cleaned = cleaner.clean(fragment, base_url, media_base_url)
    if "<h1" in cleaned:  # the headline is the story's only first-level heading
        cleaned = _H1_TAG.sub(r"<\1h2", cleaned)
    if _FOOTNOTES_START in cleaned:  # a rule between the story and its notes, as Pandoc writes
        cleaned = cleaned.replace(_FOOTNOTES_START, _FOOTNOTES_START + "<hr>")
    cleaned = _EMPTY_PARAGRAPH.sub("", cleaned)  # left by removed content, e.g. an inline <svg>
    if "</summary>" in cleaned:  # readers that drop <summary> (feedparser) would join its last word to the next
        cleaned = _SUMMARY_THEN_TEXT.sub("</summary> ", cleaned)
    return xml_clean(cleaned)[0].strip()


def body_html(markdown_source: str, base_url: str, media_base_url: str | None = None) -> str:
    """Markdown (CommonMark + GFM tables) → sanitised HTML with absolute URLs: relative ones against
    `base_url` (the story's), store photos' paths against `media_base_url`. Never raises on content."""
    return sanitize_html(markdown_html(markdown_source), base_url, media_base_url)


_BLOCK_TAGS = (
    "p|br|li|h[1-6]|blockquote|tr|td|th|dt|dd|pre|figure|figcaption|hr|table|ul|ol|dl|div|details|summary|section"
)
_MARKUP = re.compile(rf"""<(/?)(?:({_BLOCK_TAGS})\b)?(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)


def _tag_to_text(match: re.Match[str]) -> str:
    return " " if match.group(2) else ""  # a block boundary is a word boundary


# In the sanitiser's output (every "<" in text and attributes escaped) these are exact.
_FOOTNOTE_MARKS = re.compile(r'<sup class="footnote-ref">.*?</sup>|<section class="footnotes">.*', re.DOTALL)


def story_text(fragment: str) -> str:
    """The running text of a sanitised story, for its summary: without the footnotes at its end or
    the marks in the text that point at them."""
    if "footnote" in fragment:
        fragment = _FOOTNOTE_MARKS.sub("", fragment)
    return html_to_text(fragment)


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment, with block boundaries as spaces. Meant for the sanitiser's own
    well-formed output (quoted attributes), where a tag pattern is exact and much quicker than a parser."""
    text = html.unescape(_MARKUP.sub(_tag_to_text, fragment))
    return " ".join(xml_clean(text)[0].split())  # character references may decode to anything


_DATELINE_SEPARATOR = re.compile(r"^\s*[,:\-–—]+\s*|^\s*\([^)]{1,40}\)\s*[,:\-–—]+\s*")


def story_summary(fragment: str, length: int, dateline: str = "") -> str:
    """The summary of a sanitised story: `summarize` of its text as plain text (`story_text`,
    `plain_text`), made from the story's opening when that alone decides it. The text of a 4 KB story
    costs more than the rest of its summary; the first tenth of it is enough."""
    if "footnote" not in fragment and "&lt;" not in fragment and "&#" not in fragment:
        # No markup spelled out in the text (the sanitiser writes a "<" of text as "&lt;"), so plain_text
        # changes nothing; no footnotes to leave out. Cut the HTML before a tag, well past what decides
        # the summary, and keep the text up to its last space: the last word may go on past the cut.
        cut = fragment.find("<", 3 * (length + 4 * len(dateline) + 128))
        if cut > 0:
            opening = html_to_text(fragment[:cut])
            opening = opening[: opening.rfind(" ")]
            text = _after_dateline(opening, dateline)
            # Decided within `opening` (the start of all of the text): the dateline's case-folded
            # comparison, where its separator ends (before the opening does), and the word that
            # reaches `length`, or the lack of one within 60 characters after it.
            if len(text) > length + 61 and len(opening) > 4 * len(dateline) + 64:
                return _cut(text, length)
    return summarize(plain_text(story_text(fragment))[0], length, dateline)


def _after_dateline(text: str, dateline: str) -> str:
    """`text` without the dateline it starts with, and the separator after it ("—", ":", "(AP) —")."""
    if dateline and text.casefold().startswith(dateline.casefold()):
        rest = text[len(dateline) :]
        separator = _DATELINE_SEPARATOR.match(rest)
        if separator:
            return rest[separator.end() :]
    return text


def summarize(text: str, length: int, dateline: str = "") -> str:
    """The opening of `text`, cut at the end of the word that reaches `length` characters, with an
    ellipsis: never mid-word, and at least `length` long (Flipboard wants 300) when the text allows."""
    return _cut(_after_dateline(" ".join(text.split()), dateline), length)


def _cut(text: str, length: int) -> str:
    if len(text) <= length:
        return text
    space = text.find(" ", length)
    if 0 <= space <= length + 60:
        cut = text[:space]
    else:  # one enormous word: end before it, or cut it rather than publish nothing
        space = text.rfind(" ", 0, length)
        cut = text[:space] if space >= length // 2 else text[:length]
    return cut.rstrip(" ,;:–—-") + "…"
