"""No script reaches a reader. Each payload of tests/xss_payloads.txt is put in every field an editor
writes — body (raw HTML, Markdown links and images), title, summary, dateline, tags, bylines, photo
caption, credit and alt, related-link titles and URLs, the story's url, slug and id, the photo source,
and the site's and sections' titles and descriptions — and every document the service serves is read
the way subscribers' software reads it: feedparser (which unescapes) and the raw XML, with every
text and attribute then read as HTML by html.parser. Nowhere may a <script>, an on* handler, a
javascript:/vbscript:/data: URL, or an <iframe>/<object>/<embed>/<style>/<base>/<meta>/<form> appear;
the pages for people may hold only their template's own elements. The static build writes the same
bytes (tests/test_build.py); one build of many payloads at once is checked here too (of all of them
in make test-long).
"""

from __future__ import annotations

import functools
import gzip
import json
import tempfile
from pathlib import Path

import pytest

from feedsvc.config import load_config
from feedsvc.paths import build_file_name
from feedsvc.serve.app import create_app
from feedsvc.static.build import build

from .conftest import BASE_URL
from .hostile import PageSkeleton, fetch_everything
from .script_spotting import findings

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")


def load_payloads() -> list[str]:
    payloads = []
    for line in PAYLOAD_FILE.read_text("utf-8").splitlines():
        if not line or line.startswith("# "):
            continue
        if line.startswith("esc:"):
            line = line[4:].encode("ascii").decode("unicode_escape")
        payloads.append(line)
    return payloads


PAYLOADS = load_payloads()


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def hostile_articles(p: str, n: int = 0) -> dict[str, str]:
    """Article files carrying payload `p` in every field; fields that may get a story refused get
    stories of their own, so a refusal hides nothing else."""
    body = (
        f"{p}\n\nA paragraph with {p} inside it.\n\n[a link]({p}) and ![an image]({p}) and "
        f"[another](https://news.example.com/x?{p})\n\n<p title={q(p)}>attribute</p>\n\n> {p}\n\n- {p}\n"
    )
    everything = f"""---
title: {q("Story " + p)}
section: world
published: 2013-05-0{n % 9 + 1} 17:40
dateline: {q("CITY " + p)}
summary: {q(p)}
tags: [{q(p)}, {q("tag " + p)}]
authors:
  - {q(p)}
  - name: {q("Named " + p)}
    email: {q(p)}
    url: {q(p)}
photo:
  src: https://cdn.example.com/photo.jpg
  caption: {q(p)}
  credit: {q(p)}
  alt: {q(p)}
related:
  - title: {q("Related " + p)}
    url: https://news.example.com/related
  - world/by-url-{n}
---
{body}"""

    def story(name: str, extra: str) -> str:
        return (
            f"---\ntitle: {q(name + ' ' + p)}\nsection: world\npublished: 2013-05-01 0{n % 9}:00\n{extra}\n---\n{body}"
        )

    return {
        f"world/everything-{n}.md": everything,
        f"world/related-url-{n}.md": story("Related URL", f"related:\n  - title: {q('R ' + p)}\n    url: {q(p)}"),
        f"world/by-url-{n}.md": story("By URL", f"url: {q(p)}"),
        f"world/by-relative-url-{n}.md": story("By relative URL", f"url: {q('/' + p)}"),
        f"world/slug-{n}.md": story("Slug", f"slug: {q(p)}"),
        f"world/id-{n}.md": story("Id", f"id: {q(p)}"),
        f"world/photo-src-{n}.md": story("Photo src", f"photo:\n  src: {q(p)}\n  caption: x"),
        f"world/author-map-{n}.md": story("Author", f"author:\n  name: {q('A ' + p)}\n  url: {q(p)}\n  email: {q(p)}"),
    }


def hostile_site(p: str) -> str:
    return f"""title: {q("Times " + p)}
url: https://news.example.com/
description: {q(p)}
copyright: {q(p)}
language: en-us
timezone: America/Los_Angeles
tag_date: 2013-01-01
sections:
  - slug: world
    title: {q("World " + p)}
    description: {q(p)}
  - slug: business
    title: Business
    description: {q(p)}
"""


def write(root: Path, site: str, articles: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_site.yml").write_text(site, "utf-8")
    for relpath, text in articles.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, "utf-8")


@functools.cache
def served(payload: str) -> tuple[tuple[str, str, str, str], ...]:
    """Every finding in every document served for a store carrying `payload` (path, kind, where, what).

    Computed once per payload and shared by the three tests below, each of which looks at one kind.
    """
    with tempfile.TemporaryDirectory(prefix="feedsvc-xss-") as workdir:
        store = Path(workdir) / "store"
        write(store, hostile_site(payload), hostile_articles(payload))
        app = create_app({"store": store, "base_url": BASE_URL}, auto_refresh=False)
        snapshot = app.extensions["feedsvc"].store.snapshot
        assert snapshot.site is not None, [str(p) for p in snapshot.problems]
        published = {a.path for a in snapshot.by_id.values()}
        assert "world/everything-0.md" in published, [str(p) for p in snapshot.problems if "everything" in p.path]
        bodies = fetch_everything(app, ["world", "business"])
    assert set(bodies) >= {
        "",
        "sections/world/",
        "rss.xml",
        "atom.xml",
        "feed.json",
        "sections/world/rss.xml",
        "sections/world/atom.xml",
        "feeds.opml",
    }
    return tuple(
        (path or "/", kind, where, what) for path, body in bodies.items() for kind, where, what in findings(path, body)
    )


def report(payload: str, kinds: set[str]) -> str:
    found = [f for f in served(payload) if f[1] in kinds]
    lines = sorted({f"  {path}: {where}: {what}" for path, _, where, what in found})
    return f"payload {payload!r} reaches readers in {len(lines)} place(s):\n" + "\n".join(lines[:15]) if lines else ""


# The three tests of one payload share its served documents (`served` above): under xdist they run on
# one worker, so the store is built and fetched once.
CASES = [pytest.param(p, id=f"{i:03d}", marks=pytest.mark.xdist_group(f"xss-{i:03d}")) for i, p in enumerate(PAYLOADS)]


@pytest.mark.parametrize("payload", CASES)
def test_html_content_and_pages_carry_no_script(payload):
    """The sanitised story (content:encoded, Atom content, content_html, item descriptions) and the pages."""
    problems = report(payload, {"html", "page"})
    assert not problems, problems


@pytest.mark.parametrize("payload", CASES)
def test_plain_text_fields_carry_no_markup(payload):
    """Titles, categories, bylines, captions, credits, summaries, site and section names: plain text,
    which some readers put into a page unescaped — so no tag may survive in them, even as text."""
    problems = report(payload, {"text"})
    assert not problems, problems


@pytest.mark.parametrize("payload", CASES)
def test_links_and_ids_are_safe_valid_uris(payload):
    """Every link, enclosure, related link and id: no javascript:/data:/vbscript:, no raw markup characters."""
    problems = report(payload, {"url"})
    assert not problems, problems


def test_the_pages_show_store_text_escaped_not_dropped(tmp_path):
    """Escaping, not deletion: a headline with markup-like text is shown as that text."""
    store = tmp_path / "store"
    title = 'Why 3 < 5 & "quotes" matter to <editors>'
    write(
        store,
        hostile_site("plain"),
        {"world/a.md": f"---\ntitle: {q(title)}\nsection: world\npublished: 2013-05-02\n---\nBody.\n"},
    )
    app = create_app({"store": store, "base_url": BASE_URL}, auto_refresh=False)
    page = PageSkeleton.of(app.test_client().get("/").data)
    shown = " ".join("".join(page.text).split())
    headline = app.extensions["feedsvc"].store.snapshot.by_id["world/a"].title
    assert headline in shown and "3 < 5" in headline


@pytest.mark.costly
@pytest.mark.parametrize(
    "every",
    [
        pytest.param(6, id="every-sixth-payload"),
        pytest.param(1, id="every-payload", marks=pytest.mark.slow),  # make test-long: 15 s of CPU
    ],
)
def test_the_static_build_of_every_payload_is_free_of_script(tmp_path, every):
    """One store holding many payloads (site fields carry several at once), built as files. Each payload
    has been served alone above; this is the build's way of writing them, so a sample does in make test."""
    store = tmp_path / "store"
    articles: dict[str, str] = {}
    for n, payload in enumerate(PAYLOADS[::every]):
        articles.update(hostile_articles(payload, n))
    write(store, hostile_site(" ".join(PAYLOADS[::17])), articles)
    out = tmp_path / "public"
    config = load_config(
        overrides={
            "store": store,
            "base_url": BASE_URL,
            "items_per_feed": 2000,
            "items_per_page": 2000,
            "max_feed_bytes": 200_000_000,
        }
    )
    build(config, out)
    found: dict[str, list[str]] = {}
    for built in sorted(out.rglob("*")):
        name = str(built.relative_to(out))
        if (
            not built.is_file()
            or name.startswith(".")
            or name in ("_headers", "nginx-feedsvc.conf")
            or name.startswith("media/")
        ):
            continue
        data = built.read_bytes()
        if name.endswith(".gz"):
            assert gzip.decompress(data) == (out / name[:-3]).read_bytes(), name
            continue
        path = name[: -len("index.html")] if name.endswith("index.html") else name
        assert build_file_name(path) == name
        problems = [f"{kind}: {where}: {what}" for kind, where, what in findings(path, data)]
        if problems:
            found[name] = problems
    assert not found, "\n".join(f"{name}: {p}" for name, problems in found.items() for p in problems[:10])
