"""One article file of the fuzz (tests/fuzzstores.py): what to write and what the store must make of
it (Planned), and the Hypothesis strategies for a good story and for a wild one (arbitrary YAML values
in known fields). Files bad in a named way: tests/fuzzbad.py."""

from __future__ import annotations

from hypothesis import strategies as st

from .conftest import SITE
from .fuzztext import BAD_DATES, body, good_date, odd_text, quoted

SITE_URL = SITE["url"]
SECTIONS = [s["slug"] for s in SITE["sections"]]
MAX_ARTICLE_BYTES = 128 * 1024  # small, so "over the limit" is cheap to write

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
