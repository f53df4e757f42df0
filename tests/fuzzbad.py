"""Article files of the fuzz (tests/fuzzstores.py) that are bad in a named way: each kind a problem
`feedsvc check` must name, an error; or, for a bad optional part (photo, related link), a warning,
the story published without that part."""

from __future__ import annotations

from hypothesis import strategies as st

from .fuzzarticles import MAX_ARTICLE_BYTES, SITE_URL, Planned
from .fuzztext import BAD_DATES, good_date, markdown, odd_text, quoted

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
