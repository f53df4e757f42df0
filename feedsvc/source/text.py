"""Text as the parse keeps it: XML 1.0 characters only, character references decoded, and plain-text
fields (titles, captions, credits…) free of markup.

Turning a story's Markdown into sanitised HTML, its text and its summary is rendering: `render.html`.
The tag stripper (nh3) is loaded by the first field that holds markup, not by importing this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nh3

import functools
import html
import re

# XML 1.0 §2.2 Char: everything outside these ranges makes a feed ill-formed (and feedgen raise).
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What is published: XML's Char less what §2.2 asks authors to avoid and HTML parsers reject as a parse
# error (WHATWG HTML §13.2.2: controls U+007F–U+009F, noncharacters), or readers show as boxes: in an
# HTML field the W3C validator says "Invalid HTML".
_UNPUBLISHABLE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff]"
    "|[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
_ASCII_UNPUBLISHABLE = bytes(c for c in range(0x20) if c not in b"\t\n\r") + b"\x7f"
# UTF-8 byte runs that every unpublishable non-ASCII character contains: C1 controls start with \xc2,
# U+FDD0–U+FDEF with \xef\xb7, and every U+xFFFE/U+xFFFF ends in \xbf\xbe or \xbf\xbf.
_SUSPECT_RUNS = (b"\xc2", b"\xef\xb7", b"\xbf\xbe", b"\xbf\xbf")


# Removed with everything inside them; other unknown tags lose the tag and keep their text.
CONTENT_REMOVED = frozenset(
    {
        "script",
        "style",
        "iframe",
        "noscript",
        "template",
        "object",
        "embed",
        "svg",
        "math",
        "select",
        "textarea",
        "button",
        "frameset",
        "noembed",
        "noframes",
        "xmp",
        "plaintext",
    }
)


@functools.cache
def _plain_cleaner() -> nh3.Cleaner:
    import nh3  # only for fields that hold markup: most parses never need it

    return nh3.Cleaner(tags=set(), clean_content_tags=set(CONTENT_REMOVED), attributes={})


def forbidden_removed(count: int) -> str:
    """The warning for characters `xml_clean` took out of a field or file."""
    return f"removed {count:,} character{'' if count == 1 else 's'} that XML 1.0 forbids"


def xml_clean(text: str) -> tuple[str, int]:
    """Remove characters XML 1.0 forbids, and the controls and noncharacters it discourages (HTML
    rejects them); return the clean text and how many were removed.

    Nearly all text has none: a few passes in C over its UTF-8 bytes say so faster than the regular
    expression (which still does the removing, and sees any lone surrogate, which cannot encode).
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: forbidden, left to the expression below
        data = None
    if (
        data is not None
        and len(data.translate(None, _ASCII_UNPUBLISHABLE)) == len(data)
        and (text.isascii() or not any(run in data for run in _SUSPECT_RUNS))
    ):
        return text, 0
    if "\x85" in text:  # NEL is a line break (Unicode, YAML, XML 1.1): kept as one, not removed
        text = text.replace("\x85", "\n")
    cleaned, count = _UNPUBLISHABLE.subn("", text)
    return cleaned, count


_REFERENCE = re.compile(r"&(?:#[0-9]{1,10}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_references(text: str) -> str:
    """A plain-text field as its reader should see it: CMS exports write "Q&amp;A" and "&#8217;", and a
    feed would otherwise show them literally (and the W3C validator warns of HTML in a title). What a
    reference spells out is still plain text: markup it makes is removed by `plain_text` after this."""
    if "&" not in text or not _REFERENCE.search(text):
        return text
    return xml_clean(html.unescape(text))[0]  # "&#1;" decodes to a character XML forbids


_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_PDF, _PDI = "\u202c", "\u2069"  # pop directional formatting / isolate
_OPENERS = {
    "\u202a": _PDF,
    "\u202b": _PDF,
    "\u202d": _PDF,
    "\u202e": _PDF,  # LRE RLE LRO RLO
    "\u2066": _PDI,
    "\u2067": _PDI,
    "\u2068": _PDI,
}  # LRI RLI FSI


def balanced_bidi(text: str) -> str:
    """`text` with every direction embedding, override and isolate it opens closed at its end, and any
    closer without an opener dropped: a name written right to left keeps its marks, but a stray
    U+202E in a title cannot reverse the rest of the page or reader line it is shown in."""
    if not _BIDI.search(text):
        return text
    kept: list[str] = []
    open_: list[str] = []  # the closer each open mark needs, innermost last
    for char in text:
        if char in _OPENERS:
            open_.append(_OPENERS[char])
        elif char == _PDF:
            if not open_ or open_[-1] != _PDF:
                continue  # closes nothing (or would cross an isolate)
            open_.pop()
        elif char == _PDI:
            if _PDI not in open_:
                continue
            while open_[-1] != _PDI:  # an isolate's end closes the embeddings inside it
                kept.append(open_.pop())
            open_.pop()
        kept.append(char)
    return "".join(kept) + "".join(reversed(open_))


def plain_text(text: str) -> tuple[str, bool]:
    """Plain-text fields (titles, captions, credits…) lose any markup; True if some was removed.

    Some readers treat RSS titles as HTML, so a tag typed into a title must not reach them.
    """
    if "<" not in text:
        return balanced_bidi(text), False
    stripped = text
    for _ in range(4):  # decoding entities can spell out new markup ("&lt;script&gt;"): strip again
        cleaned = html.unescape(_plain_cleaner().clean(stripped))
        if cleaned == stripped:
            break
        stripped = cleaned
        if "<" not in stripped:
            break
    else:
        stripped = stripped.replace("<", "")
    stripped = " ".join(xml_clean(stripped)[0].split()) if stripped != text else stripped  # "&#1;" decodes to a control
    return balanced_bidi(stripped), stripped != text


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut at the last word that fits, with "…" (one enormous
    word is cut inside rather than lose the field). A text within the limit comes back as it is."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():
        space = max(cut.rfind(" "), cut.rfind("\n"))
        if space >= limit // 2:
            cut = cut[:space]
    return balanced_bidi(cut.rstrip(" ,;:–—-\n") + "…")  # a cut may have lost a closing mark
