"""The stores the fuzz writes (tests/test_fuzz_store.py): Hypothesis strategies for article files that
are good, bad in a named way (each kind a problem `feedsvc check` must name), or wild (arbitrary YAML
values in known fields), with what each is expected to yield."""

from __future__ import annotations

from datetime import datetime

from hypothesis import settings
from hypothesis import strategies as st

from feedsvc.source.article import MAX_HTML_DEPTH

from .conftest import SITE

SITE_URL = SITE["url"]
SECTIONS = [s["slug"] for s in SITE["sections"]]
MAX_ARTICLE_BYTES = 128 * 1024  # small, so "over the limit" is cheap to write
# The profile loaded (tests/conftest.py) says how many stores, and whether a failure is shrunk; a
# build per store costs about what serving it does, and covers what serving left, so an eighth as many.
FUZZ = settings()
BUILD_FUZZ = settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 8))

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

# ---- one article file ----------------------------------------------------------------------------


class Planned:
    """One article file to write, and what the store must make of it.

    A plain class, not a dataclass: Hypothesis prints a dataclass field by field, and a failing store
    then prints tens of kilobytes (a warning, so an error here).
    """

    def __init__(
        self,
        relpath: str,
        data: bytes,
        kind: str,
        why: str = "",
        url: str | None = None,
        section: str | None = None,
        may_vanish: bool = False,
        extra_files: dict[str, bytes] | None = None,
    ) -> None:
        self.relpath = relpath
        self.data = data
        self.kind = kind  # "good" | "bad" | "warned" (a bad optional part) | "wild"
        self.why = why  # bad, warned: what is wrong; wild: the front matter, for messages
        self.url = url  # good: where the feed must link to it
        self.section = section
        self.may_vanish = may_vanish  # wild: may be a draft, which is left out without a problem
        self.extra_files = extra_files or {}

    def __repr__(self) -> str:  # short: Hypothesis prints failing stores, and warnings are errors
        data = self.data if len(self.data) <= 600 else self.data[:600] + b"...(%d bytes)" % len(self.data)
        return f"Planned({self.relpath!r}, {self.kind}, {self.why[:80]!r}, {data!r})"


@st.composite
def good_article(draw, index: int) -> Planned:
    section = draw(st.sampled_from(SECTIONS))
    url = f"{SITE_URL}stories/good-{index}-q7zk"
    section_names = {
        "world": ["world", "World & Nation", "world & nation", "WORLD"],
        "business": ["business", "Business", "BUSINESS"],
    }[section]
    lines = [
        f"title: {draw(quoted(f'Good story {index}: ' + draw(odd_text)))}",
        f"section: {draw(quoted(draw(st.sampled_from(section_names))))}",
        f"published: {draw(quoted(draw(good_date())))}",
        f"url: {url}",
    ]
    if draw(st.booleans()):
        lines.append("updated: 2022-01-01T00:00:00Z")
    if draw(st.booleans()):
        lines.append(f"dateline: {draw(quoted('CITY ' + draw(odd_text)))}")
    if draw(st.booleans()):
        lines.append(f"summary: {draw(quoted('Summary ' + draw(odd_text)))}")
    authors = draw(st.integers(0, 3))
    if authors == 1:
        lines.append(f"authors: {draw(quoted('Staff ' + draw(odd_text)))}")
    elif authors == 2:
        lines.append(
            f"authors:\n  - {draw(quoted('A ' + draw(odd_text)))}\n  - name: {draw(quoted('B ' + draw(odd_text)))}"
            f"\n    email: b@news.example.com\n    url: https://news.example.com/staff/b"
        )
    elif authors == 3:
        lines.append(f"author:\n  name: {draw(quoted('C ' + draw(odd_text)))}\n  email: not-an-email")
    if draw(st.booleans()):
        lines.append(f"tags: [{draw(quoted('tag ' + draw(odd_text)))}, plain, {draw(quoted(draw(odd_text)))}]")
    photo = draw(st.integers(0, 2))
    if photo == 1:
        lines.append(
            f"photo:\n  src: media/good.jpg\n  caption: {draw(quoted('Caption ' + draw(odd_text)))}"
            f"\n  credit: {draw(quoted(draw(odd_text)))}"
        )
    elif photo == 2:
        lines.append(
            f"photo:\n  src: https://cdn.example.com/{index}.jpg\n  length: 1234\n  alt: {draw(quoted(draw(odd_text)))}"
        )
    if draw(st.booleans()):
        lines.append(
            f"related:\n  - title: {draw(quoted('Related ' + draw(odd_text)))}\n    url: /world/elsewhere"
            "\n  - world/no-such-story"
        )
    if draw(st.booleans()):
        lines.append("publised: a typo, only a warning")
    draw(st.randoms()).shuffle(lines)
    text = "---\n" + "\n".join(lines) + "\n---\n" + f"Good body {index}.\n\n" + draw(body())
    if draw(st.booleans()):
        text = "\ufeff" + text.replace("\n", "\r\n")
    return Planned(f"{section}/a-good-{index}.md", text.encode("utf-8"), "good", url=url, section=section)


BAD_KINDS = [
    "invalid-yaml",
    "python-tag",
    "python-tag-nested",
    "python-name",
    "python-verbatim-tag",
    "duplicate-key",
    "duplicate-key-nested",
    "missing-title",
    "missing-section",
    "missing-published",
    "title-list",
    "title-mapping",
    "section-list",
    "unknown-section",
    "bad-date",
    "date-number",
    "updated-before",
    "empty-body",
    "whitespace-body",
    "latin-1",
    "encoded-surrogate",
    "yaml-surrogate",
    "status-maybe",
    "too-big",
    "no-front-matter",
    "unclosed-front-matter",
    "front-not-mapping",
    "id-spaces",
    "slug-slash",
    "unhashable-key",
    "url-ftp",
    "duplicate-url",
    "alias-bomb",
    "recursive-alias",
    "undefined-alias",
    # an optional part is bad: a warning, and the story is published without that part
    "photo-missing",
    "photo-not-image",
    "photo-outside",
    "photo-script-url",
    "related-script-url",
]
WARNED_KINDS = frozenset(BAD_KINDS[BAD_KINDS.index("photo-missing") :])


@st.composite
def bad_article(draw, index: int, marker: str, kind: str | None = None) -> Planned:
    kind = kind or draw(st.sampled_from(BAD_KINDS))
    title = f"title: {draw(quoted(f'Bad story {index} ' + draw(odd_text)))}"
    section, published = "section: world", f"published: {draw(quoted(draw(good_date())))}"
    decoration = [f"dateline: {draw(quoted(draw(odd_text)))}"] if draw(st.booleans()) else []
    lines = [title, section, published, *decoration]
    text_body = f"Bad body {index}.\n\n" + draw(markdown)
    extra: dict[str, bytes] = {}
    raw: bytes | None = None
    relpath = f"world/bad-{index}.md"

    def replace(key: str, line: str) -> None:
        for i, existing in enumerate(lines):
            if existing.startswith(key + ":"):
                lines[i] = line
                return
        lines.append(line)

    def drop(key: str) -> None:
        lines[:] = [line for line in lines if not line.startswith(key + ":")]

    if kind == "invalid-yaml":
        replace("title", "title: [never closed")
    elif kind == "python-tag":
        replace("title", f'title: !!python/object/apply:os.system ["touch {marker}"]')
    elif kind == "python-tag-nested":
        lines.append(f'photo:\n  src: media/x.jpg\n  caption: !!python/object/apply:os.system ["touch {marker}"]')
    elif kind == "python-name":
        replace("title", "title: !!python/name:os.system")
    elif kind == "python-verbatim-tag":
        replace("title", f'title: !<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]')
    elif kind == "duplicate-key":
        lines.append(f"title: {draw(quoted('Second title ' + draw(odd_text)))}")
    elif kind == "duplicate-key-nested":
        lines.append("photo:\n  src: https://cdn.example.com/a.jpg\n  src: https://cdn.example.com/b.jpg")
    elif kind == "missing-title":
        drop("title")
    elif kind == "missing-section":
        drop("section")
    elif kind == "missing-published":
        drop("published")
    elif kind == "title-list":
        replace("title", "title: [a, [nested, [deeper]], {b: c}]")
    elif kind == "title-mapping":
        replace("title", "title: {text: a headline}")
    elif kind == "section-list":
        replace("section", "section: [world, business]")
    elif kind == "unknown-section":
        replace("section", f"section: {draw(quoted(draw(st.sampled_from(['Sports', 'worlds', 'World and Nation']))))}")
    elif kind == "bad-date":
        name = draw(st.sampled_from(["published", "updated"]))
        replace(name, f"{name}: {draw(quoted(draw(st.sampled_from(BAD_DATES))))}")
    elif kind == "date-number":
        replace(
            "published",
            f"published: {draw(st.sampled_from(['1367516400', '2013.5', '[2013, 5, 2]', '{y: 2013}', 'yes']))}",
        )
    elif kind == "updated-before":
        replace("published", "published: 2013-05-02T17:40:00Z")
        lines.append("updated: 2013-05-01T09:00:00Z")
    elif kind == "empty-body":
        text_body = ""
    elif kind == "whitespace-body":
        text_body = draw(st.sampled_from(["\n\n", "   \n\t\n", "\r\n\r\n", "\x00\x0b\n"]))
    elif kind == "photo-missing":
        lines.append("photo:\n  src: media/not-uploaded.jpg")
    elif kind == "photo-not-image":
        lines.append("photo:\n  src: media/not-a-photo.jpg")
        extra["media/not-a-photo.jpg"] = b"this is text, not a JPEG\n"
    elif kind == "photo-outside":
        outside = ["../_site.yml", "media/../../etc/passwd", "/etc/passwd", "media/.hidden.jpg", "_site.yml"]
        lines.append(f"photo:\n  src: {draw(st.sampled_from(outside))}")
    elif kind == "photo-script-url":
        lines.append(
            f"photo: {draw(quoted(draw(st.sampled_from(['javascript:alert(1)', 'data:image/png;base64,AAAA', 'file:///etc/passwd']))))}"
        )
    elif kind == "status-maybe":
        lines.append(f"status: {draw(st.sampled_from(['maybe', '[draft]', 'true', '3']))}")
    elif kind == "no-front-matter":
        raw = (f"Bad story {index} with no front matter\n\n" + text_body).encode()
    elif kind == "unclosed-front-matter":
        raw = ("---\n" + "\n".join(lines) + "\n" + text_body).encode()
    elif kind == "front-not-mapping":
        raw = ("---\n- a list\n- not a mapping\n---\n" + text_body).encode()
    elif kind == "related-script-url":
        scripts = ["javascript:alert(1)", "vbscript:x", "data:text/html,<script>alert(1)</script>"]
        lines.append(f"related:\n  - title: a link\n    url: {draw(quoted(draw(st.sampled_from(scripts))))}")
    elif kind == "id-spaces":
        lines.append("id: has spaces in it")
    elif kind == "slug-slash":
        lines.append(f"slug: {draw(st.sampled_from(['a/b', '..', '.']))}")
    elif kind == "unhashable-key":  # a key that is a list or a mapping, not text
        lines.append(draw(st.sampled_from(["? [a, b]\n: c", "? {a: b}\n: c", "[x]: y"])))
    elif kind == "url-ftp":
        lines.append(
            f"url: {draw(st.sampled_from(['ftp://news.example.com/x', 'javascript:alert(1)', 'news.example.com/x']))}"
        )
    elif kind == "duplicate-url":
        relpath = f"zz/dup-{index}.md"  # published before any good story (1971 on), later in path order: it loses
        replace("published", "published: 1970-06-01")
        lines.append(f"url: {SITE_URL}stories/good-0-q7zk")
    elif kind == "alias-bomb":
        bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)
        ]
        lines = bomb + [line for line in lines if not line.startswith("title:")] + ["title: *i"]
    elif kind == "recursive-alias":
        replace("title", "title: &r [*r]")
    elif kind == "undefined-alias":
        replace("title", "title: *nowhere")
    if kind == "latin-1":
        raw = ("---\n" + "\n".join(lines) + "\n---\n").encode() + b"Caf\xe9 au lait.\n" + text_body.encode()
    elif kind == "encoded-surrogate":
        raw = ("---\n" + "\n".join(lines) + "\n---\n" + text_body + "\ud800").encode("utf-8", "surrogatepass")
    elif kind == "yaml-surrogate":
        escape = draw(st.sampled_from(["\\ud800", "\\udfff", "a\\ud83d", "\\udc00b"]))
        lines.append(f'summary: "{escape}"')
    elif kind == "too-big":
        text_body = f"Bad body {index}.\n\n" + "All work and no play. " * (MAX_ARTICLE_BYTES // 20)
    if raw is None:
        raw = ("---\n" + "\n".join(lines) + "\n---\n" + text_body).encode("utf-8")
    return Planned(relpath, raw, "warned" if kind in WARNED_KINDS else "bad", why=kind, extra_files=extra)


# Wild front matter: any field, any YAML value, valid or not.
WILD_KEYS = [
    "title",
    "section",
    "published",
    "updated",
    "id",
    "slug",
    "url",
    "authors",
    "author",
    "dateline",
    "summary",
    "tags",
    "status",
    "photo",
    "related",
    "publised",
    "Title",
    "<<",
    "1",
    "null",
    '"title"',
    "'section'",
    "title ",
    "? title",
    "!!str title",
    "&k title",
]
YAML_SNIPPETS = [
    "[a, [b, [c]], {d: e}]",
    "{name: x, email: y@z, url: 'javascript:x'}",
    "~",
    "null",
    "yes",
    "no",
    "on",
    "1e999",
    "-.inf",
    ".nan",
    "0x" + "f" * 40,
    "1" * 400,
    "9" * 5000,
    "0o777",
    "1_000",
    "2013-05-02",
    "2013-05-02 17:40:00 -7",
    "12:30:45",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!str 123",
    "!!int 12",
    "!!int nope",
    "!!float 1e999",
    "!!timestamp 2013-05-02",
    "!custom x",
    '!!python/object/apply:os.system ["touch {marker}"]',
    "!!python/object/new:os.system [x]",
    "!!python/name:os.system",
    '!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]',
    "&anchor value",
    "*anchor",
    "*nowhere",
    "&l [*l]",
    "|\n  block\n  text",
    ">-\n  folded\n  text",
    "\n  - one\n  - [two]\n  - {three: 3}",
    "\n  src: media/good.jpg\n  caption: [x]",
    "\n  src: https://cdn.example.com/x.png\n  length: -5\n  width: 1e999",
    "\n  - title: t\n    url: /rel\n  - world/a-good-0\n  - {title: [x], url: y}",
    "\n  name: [x]\n  email: 1",
    "'single '' quoted'",
    '"\\ud800"',
    '"\\x00\\x07\\x1b"',
    '"\\U0010FFFF\\uFFFE"',
    '"\\N\\_\\L\\P"',
    '"\\e\\a\\0"',
    "draft",
    "Draft",
    "published",
    '"\\u202etxet lanoitceridib"',
    "'<script>alert(1)</script>'",
    "'  '",
    "''",
    '""',
]


@st.composite
def wild_value(draw, marker: str) -> str:
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(st.sampled_from(YAML_SNIPPETS)).replace("{marker}", marker)
    if choice == 1:
        return draw(quoted(draw(odd_text)))
    if choice == 2:
        return draw(odd_text).replace("\n", " ")  # raw: valid YAML or not
    if choice == 3:
        return draw(quoted(draw(good_date()) if draw(st.booleans()) else draw(st.sampled_from(BAD_DATES))))
    return "'" + draw(odd_text).replace("'", "''") + "'"


@st.composite
def wild_article(draw, index: int, marker: str) -> Planned:
    lines = []
    for _ in range(draw(st.integers(0, 9))):
        lines.append(f"{draw(st.sampled_from(WILD_KEYS))}: {draw(wild_value(marker))}")
    if draw(st.booleans()):  # usually the bare minimum, so some wild stories publish
        lines += [
            f"title: {draw(quoted('Wild ' + draw(odd_text)))}",
            f"section: {draw(st.sampled_from(SECTIONS))}",
            f"published: {draw(quoted(draw(good_date())))}",
        ]
    draw(st.randoms()).shuffle(lines)
    front = "\n".join(lines)
    text = "---\n" + front + "\n" + draw(st.sampled_from(["---", "...", "--- ", "---\t"])) + "\n" + draw(body())
    prefix = draw(st.sampled_from(["", "", "\ufeff", "\n", " "]))
    data = (prefix + text).encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        data = data.replace(b"\n", b"\r\n")
    may_vanish = "status" in front and "raft" in front
    return Planned(
        f"{draw(st.sampled_from(SECTIONS + ['misc', 'deep/er/still']))}/wild-{index}.md",
        data,
        "wild",
        why=front[:200],
        may_vanish=may_vanish,
    )


@st.composite
def stores(draw, marker_dir: str) -> tuple[str, list[Planned]]:
    """A site file (odd titles) and a handful of articles: always one or two good ones."""
    site = dict(SITE)
    site["title"] = "Times " + draw(odd_text)
    site["description"] = draw(odd_text)
    site["copyright"] = draw(odd_text)
    # Escapes only: a raw control character makes the whole site file unreadable YAML (articles differ).
    site_text = "\n".join(
        f"{key}: {draw(quoted(value, raw_ok=False))}" for key, value in site.items() if isinstance(value, str)
    )
    site_text += "\nsections:\n" + "\n".join(
        f"  - slug: {s['slug']}\n    title: {s['title']!r}\n"
        f"    description: {draw(quoted(draw(odd_text), raw_ok=False))}"
        for s in SITE["sections"]
    )
    planned = [draw(good_article(i)) for i in range(draw(st.integers(1, 2)))]
    planned += [draw(bad_article(i, f"{marker_dir}/pwned-bad-{i}")) for i in range(draw(st.integers(0, 3)))]
    planned += [draw(wild_article(i, f"{marker_dir}/pwned-wild-{i}")) for i in range(draw(st.integers(0, 4)))]
    return site_text + "\n", planned
