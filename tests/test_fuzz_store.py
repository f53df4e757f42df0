"""Any store content yields valid feeds. Hypothesis writes stores of odd article files — arbitrary
Unicode (controls, NUL, surrogate escapes, RTL marks, emoji), odd YAML (anchors, aliases, tags
including !!python, huge numbers, lists where text belongs, duplicate keys), odd dates and zones,
huge and empty bodies, random Markdown and HTML — beside a few always-good stories. For every store:
no exception escapes, every feed is well-formed XML that feedparser reads with bozo false, every bad
article is named in the problems, one with a bad optional part (photo, related link) is named with a
warning and published without it, the good ones stay published, and no YAML tag runs code.

How many stores is the Hypothesis profile's to say (tests/conftest.py): fifty by default,
thousands under `--hypothesis-profile=long` (`make test-long`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from feedsvc.config import load_config
from feedsvc.paths import build_file_name
from feedsvc.serve.app import create_app
from feedsvc.static.build import build

from .audit import files_opened, opened_under
from .conftest import BASE_URL, SITE, make_jpeg
from .fuzzarticles import MAX_ARTICLE_BYTES, SECTIONS, SITE_URL, Planned
from .fuzzbad import BAD_KINDS, bad_article
from .fuzzstores import BUILD_FUZZ, FUZZ, stores
from .hostile import check_document, fetch_everything, served_paths

pytestmark = pytest.mark.fuzz


# ---- the property --------------------------------------------------------------------------------

MARKER_DIR = "{marker_dir}"


def write_store(root: Path, site_text: str, planned: list[Planned]) -> None:
    root.mkdir(parents=True)
    (root / "_site.yml").write_text(site_text, "utf-8")
    make_jpeg(root / "media/good.jpg", size=(64, 48))
    for article in planned:
        for name, data in article.extra_files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        path = root / article.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(article.data)


def entry_links(feed) -> set[str]:
    return {e.get("link") for e in feed.entries}


def check_store(workdir: Path, site_text: str, planned: list[Planned]) -> None:
    root = workdir / "store"
    write_store(root, site_text, planned)
    config = {"store": root, "base_url": BASE_URL, "max_article_bytes": MAX_ARTICLE_BYTES, "max_feed_bytes": 50_000_000}
    with files_opened() as opened:
        app = create_app(config, auto_refresh=False)
        bodies = fetch_everything(app, SECTIONS)
    snapshot = app.extensions["feedsvc"].store.snapshot
    display = os.path.normpath(str(root)).replace(os.sep, "/") + "/"
    problems = snapshot.problems
    for problem in problems:
        str(problem).encode("utf-8")  # an editor can print every message
    errors = {p.path for p in problems if p.severity == "error"}
    assert not [p for p in problems if p.path == display + "_site.yml" and p.severity == "error"], problems

    feeds = {path: check_document(path, body) for path, body in bodies.items()}
    published_paths = {a.path for a in snapshot.by_id.values()}
    by_path = {a.path: a for a in snapshot.by_id.values()}

    def belongs(path: str, article: Planned) -> bool:
        """Is the good story in the feed at `path`: every story's, its section's, its writers' and tags'?"""
        folder, _, rest = path.partition("/")
        story = by_path[article.relpath]
        if folder == "sections":
            return rest.startswith(f"{article.section}/")
        if folder == "authors":
            return rest.split("/")[0] in {snapshot.author_slug(a.name) for a in story.authors}
        if folder == "tags":
            return rest.split("/")[0] in {snapshot.tag_slug(t) for t in story.tags}
        return True

    for article in planned:
        where = f"{article.kind} {article.relpath} ({article.why!r})"
        named = [str(p) for p in problems if p.path == display + article.relpath]
        if article.kind == "good":
            assert display + article.relpath not in errors, (where, named)
            for path, feed in feeds.items():
                if feed is not None and "/archive/" not in path:
                    assert (article.url in entry_links(feed)) == belongs(path, article), (where, path)
        elif article.kind == "bad":
            assert display + article.relpath in errors, (where, named)
            assert article.relpath not in published_paths, where
        elif article.kind == "warned":
            assert display + article.relpath not in errors, (where, named)
            assert article.relpath in published_paths, (where, named)
            assert any(field in p for p in named for field in (": photo", ": related[")), (where, named)
        else:
            assert article.relpath in published_paths or display + article.relpath in errors or article.may_vanish, (
                where,
                named,
            )
    for story in snapshot.by_id.values():  # whatever is published and due is in the feeds
        if story.published.timestamp() <= time.time():
            assert story.url in entry_links(feeds["atom.xml"]), story
            assert story.url in entry_links(feeds[f"sections/{story.section}/rss.xml"]), story
            for writer in {snapshot.author_slug(a.name) for a in story.authors} - {""}:
                assert story.url in entry_links(feeds[f"authors/{writer}/rss.xml"]), story

    assert not list(workdir.glob("pwned-*")), "a YAML tag ran code"
    too_big = [root / a.relpath for a in planned if a.why == "too-big"]
    assert not opened_under(opened, *too_big), "an article over the size limit was read"


def run_example(site_text: str, planned: list[Planned]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="feedsvc-fuzz-"))
    try:
        check_store(workdir, fill_marker(site_text, workdir), [fill(a, workdir) for a in planned])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def fill_marker(text: str, workdir: Path) -> str:
    return text.replace(MARKER_DIR, str(workdir))


def fill(article: Planned, workdir: Path) -> Planned:
    article.data = article.data.replace(MARKER_DIR.encode(), str(workdir).encode())
    return article


def _fixed(
    title: str = "A title", site_title: str = "The Test Times", body: str = "Body."
) -> tuple[str, list[Planned]]:
    """A store of one good story, for @example: the cases that once failed stay in every run."""
    site = yaml.safe_dump({**SITE, "title": site_title}, allow_unicode=True)
    good = Planned(
        "world/a-good-0.md",
        (
            f"---\ntitle: {json.dumps(title)}\nsection: world\n"
            f"published: 2013-05-02\nurl: {SITE_URL}stories/good-0-q7zk\n---\n{body}\n"
        ).encode(),
        "good",
        url=f"{SITE_URL}stories/good-0-q7zk",
        section="world",
    )
    return site, [good]


@pytest.mark.costly
@FUZZ
@example(_fixed(title="Good story 0: <b>bold</b> &#x1; and &#12;"))  # a character reference to a control
@example(_fixed(title="Good story 0: &#xFFFE;<i>x</i>"))
@example(_fixed(site_title="Times <b></b>&#x1;"))
@example(_fixed(body="Code samples:\n\n" + "```\nfenced <b>\n```\n\n" * 1_100))  # markup as text, not nesting
@example(_fixed(body="A reference to a non-character: &#xFFFE; &#65535;"))
@given(stores(MARKER_DIR))
def test_any_store_content_yields_valid_feeds(store):
    run_example(*store)


# ---- the static build of the same stores ---------------------------------------------------------


def check_build(workdir: Path, site_text: str, planned: list[Planned]) -> None:
    root = workdir / "store"
    write_store(root, site_text, planned)
    overrides = {
        "store": root,
        "base_url": BASE_URL,
        "max_article_bytes": MAX_ARTICLE_BYTES,
        "max_feed_bytes": 50_000_000,
    }
    out = workdir / "public"
    report = build(load_config(overrides=overrides), out)
    assert report.changed
    app = create_app(overrides, auto_refresh=False)
    client = app.test_client()
    for path in served_paths(app, SECTIONS):
        built = (out / build_file_name(path)).read_bytes()
        assert built == client.get("/" + path).data, path  # the build writes the service's bytes
        check_document(path, built)
    assert not list(workdir.glob("pwned-*")), "a YAML tag ran code"


def run_build_example(site_text: str, planned: list[Planned]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="feedsvc-fuzz-build-"))
    try:
        check_build(workdir, fill_marker(site_text, workdir), [fill(a, workdir) for a in planned])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.costly
@BUILD_FUZZ
@example(_fixed(title="Good story 0: <b>bold</b> &#x1; and &#12;"))
@example(_fixed(body="A reference to a non-character: &#xFFFE; &#65535;"))
@given(stores(MARKER_DIR))
def test_any_store_content_builds_valid_static_feeds(store):
    run_build_example(*store)


# ---- every kind of bad article, each time -------------------------------------------------------


@pytest.mark.parametrize("kind", BAD_KINDS)
@settings(FUZZ, max_examples=2)
@given(data=st.data())
def test_each_kind_of_bad_article_is_named_beside_a_good_one(kind, data):
    """Every bad kind a few times (the generator above reaches them at random), beside a plain good story."""
    site, good = _fixed(title="Good story 0")
    bad = data.draw(bad_article(0, MARKER_DIR + "/pwned-fixed", kind))
    run_example(site, [*good, bad])


# ---- what editors read back -----------------------------------------------------------------------


def test_problem_messages_are_single_printable_lines(store_dir):
    """`feedsvc check` and the service's log print each problem on one line: a field name or a file name
    from the store must not add lines ("ERROR …: everything is fine") or terminal escapes to them."""
    store_dir.write(
        "world/keys.md",
        "---\ntitle: ok\nsection: world\npublished: 2013-05-02\n"
        '"pub\\nERROR forged: all is well": 1\n"\\e[2Jcls": 2\n---\nA body.\n',
    )
    store_dir.write("world/name\nERROR forged.md", "not an article\n")
    store_dir.write("world/esc\x1b[31mred.md", "not an article either\n")
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    messages = [str(p) for p in app.extensions["feedsvc"].store.snapshot.problems]
    assert len(messages) >= 4, messages
    for message in messages:
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in message), repr(message)


@settings(max_examples=2000, phases=list(Phase))  # cheap: shrink a failure to its smallest text
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(),
            st.characters(categories=["Cs"]),
            st.sampled_from("\x00\x1f\x7f\x85\x92\ufdd0\ufffe\uffff\U0001fffe\t\r"),
        )
    )
)
def test_xml_clean_removes_exactly_what_xml_forbids(text):
    """xml_clean's fast path (no forbidden character found in the bytes) agrees with XML 1.0's Char rule,
    less the controls and noncharacters §2.2 discourages and HTML rejects (NEL becomes a line break)."""
    from feedsvc.source.text import xml_clean

    def allowed(c: str) -> bool:
        return (
            c in "\t\n\r"
            or "\x20" <= c <= "\x7e"
            or "\xa0" <= c <= "\ud7ff"
            or ("\ue000" <= c <= "\ufffd" and not "\ufdd0" <= c <= "\ufdef")
            or (c >= "\U00010000" and ord(c) & 0xFFFE != 0xFFFE)
        )

    lines = text.replace("\x85", "\n")
    assert xml_clean(text) == ("".join(c for c in lines if allowed(c)), sum(not allowed(c) for c in lines))
