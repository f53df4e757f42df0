"""The text the fuzz's article files are made of (tests/fuzzstores.py), as Hypothesis strategies: odd
characters and YAML double-quoted scalars of them, Markdown and HTML bodies, and dates good and bad."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

from feedsvc.source.article import MAX_HTML_DEPTH

# ---- text -----------------------------------------------------------------------------------------

ODD = [
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x80",
    "\x85",
    "\x9f",
    "\u00a0",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\ufffd",
    "\U0001f600",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001d54f",
    "e\u0301",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u65e5\u672c",
    "\U0010ffff",
    "\U000e0001",
    "\U0001fffe",
    "\t",
    "\r",
    "\r\n",
    "\n",
    " ",
    "<",
    ">",
    "&",
    "]]>",
    '"',
    "'",
    "\\",
    ":",
    ": ",
    "#",
    " #",
    "- ",
    "---",
    "...",
    "%",
    "@",
    "`",
    "|",
    "{",
    "}",
    "[",
    "]",
    "*",
    "!",
    "&amp;",
    "&#0;",
    "&#x1;",
    "&#xD800;",
    "&lt;b&gt;",
    "&nbsp;",
    "<b>",
    "</p>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "<b>&#x1;</b>",
    "<i>x</i>&#12;",
    "&#xFFFE;<br>",
    "<b></b>&lt;script&gt;",
]
XML_FORBIDDEN = {chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"} | {"\ufffe", "\uffff"}
LINE_BREAKS = {"\n", "\r", "\x85", "\u2028", "\u2029"}


def _yaml_printable(ch: str) -> bool:
    c = ord(ch)
    return (
        ch in "\t\n\r"
        or 0x20 <= c <= 0x7E
        or c == 0x85
        or 0xA0 <= c <= 0xD7FF
        or 0xE000 <= c <= 0xFFFD
        or 0x10000 <= c <= 0x10FFFF
    )


odd_text = st.lists(
    st.one_of(st.sampled_from(ODD), st.text(st.characters(exclude_categories=["Cs"]), max_size=6)), max_size=4
).map("".join)


@st.composite
def quoted(draw, text: str, raw_ok: bool = True) -> str:
    """`text` as a YAML double-quoted scalar that loads back as `text` (XML-forbidden characters aside).

    Characters XML forbids go in raw (the store removes them before YAML) or as escapes (the store
    removes them after): both are exercised.
    """
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in XML_FORBIDDEN and raw_ok and draw(st.booleans()):
            out.append(ch)
        elif ch in LINE_BREAKS or ch == "\ufeff" or not _yaml_printable(ch):
            out.append(
                f"\\x{ord(ch):02x}"
                if ord(ch) < 0x100
                else f"\\u{ord(ch):04x}"
                if ord(ch) < 0x10000
                else f"\\U{ord(ch):08x}"
            )
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# ---- Markdown and HTML bodies --------------------------------------------------------------------

MARKDOWN_BITS = [
    "# Heading",
    "## Sub",
    "*em*",
    "**strong**",
    "`code`",
    "```\nfenced <b>\n```",
    "> quote",
    "- item",
    "1. item",
    "[link](https://example.com/a?b=1&c=2)",
    "[rel](../other)",
    "[bad](javascript:alert(1))",
    "![img](/i.png)",
    "![x](data:image/png;base64,AAAA)",
    "<div>raw</div>",
    "<p onclick=x>p</p>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    "<svg onload=alert(1)>",
    "<table><tr><td>t</td></tr></table>",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "~~strike~~",
    "<!-- comment -->",
    "&amp; &lt; &#0; &#x110000; &bogus;",
    "<",
    "</div>",
    "<b><i>mis</b></i>",
    "***",
    "\\",
    "<math><mi>x</mi></math>",
    "[ref]: https://example.com",
    "[ref]",
    "<iframe src=//evil.example>",
    "<style>*{}</style>",
    "<![CDATA[x]]>",
]
markdown = st.lists(st.one_of(st.sampled_from(MARKDOWN_BITS), odd_text), max_size=8).map("\n\n".join)


@st.composite
def body(draw) -> str:
    size = draw(st.integers(0, 39))
    text = draw(markdown)
    if size == 0:  # now and then, a huge body (within the limit)
        chunk = draw(st.sampled_from(MARKDOWN_BITS)) + " " + draw(odd_text) + "\n\n"
        # Fewer copies than MAX_HTML_DEPTH: a chunk may open a tag it never closes ("<svg onload=…>"),
        # and a good story must not nest that deep (too deep is a bad story, tested in test_limits).
        text += chunk * min(MAX_HTML_DEPTH - 100, 25_000 // max(1, len(chunk.encode())))
    return text


# ---- dates ---------------------------------------------------------------------------------------

ZONES = ["Z", "+00:00", "-07:00", "+05:45", "+14:00", "-12:00", "+09:30"]
ABBREVIATIONS = ["UTC", "GMT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@st.composite
def good_date(draw) -> str:
    """A readable date safely in the past, written one of the ways FORMAT.md allows."""
    moment = draw(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2020, 12, 31)))
    style = draw(st.integers(0, 6))
    if style == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + draw(st.sampled_from(ZONES))
    if style == 1:
        return moment.strftime("%Y-%m-%d %H:%M")  # the site's zone (DST gaps included)
    if style == 2:
        return moment.strftime("%Y-%m-%d")
    if style == 3:
        return (
            f"{MONTHS[moment.month - 1]} {moment.day}, {moment.year} "
            f"{(moment.hour % 12) or 12}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'} "
            f"{draw(st.sampled_from(ABBREVIATIONS))}"
        )
    if style == 4:
        return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")
    if style == 5:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M") + draw(st.sampled_from(ZONES))


BAD_DATES = [
    "tomorrow-ish",
    "2013-02-30",
    "2013-13-01",
    "10000-01-01",
    "0000-00-00",
    "2013-05-02T25:00",
    "2013-05-02T17:40+25:00",
    "May 2 2013 5pm IST",
    "1899-12-31",
    "9999-12-31T23:59:59-14:00",
    "1900-01-01T00:00:00+14:00",
    "2013",
    "May 2013",
    "12:00",
    "1e9",
    "@1367516400",
    "2013-05-02 17:40 XYZ",
    "0001-01-01T00:00:00+01:00",
]
