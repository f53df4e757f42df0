"""A one-off build takes the stories' HTML an earlier build prepared from the file beside the parse
cache (publish.preparedfiles): an edited story is prepared again, so is every story when a setting
it is made with changes, and a damaged file counts as empty."""

from __future__ import annotations

import os
import sqlite3

import feedparser
import pytest

import feedsvc.publish.prepared
from feedsvc.publish.preparedfiles import FILE_NAME, SAVE_EVERY, PreparedFiles
from feedsvc.render.feedmodel import Prepared
from feedsvc.static.build import BUILD_RECORD, build

from .conftest import article
from .test_build import config_for, tree


@pytest.fixture
def prepared(monkeypatch):
    """The titles of the stories whose Markdown is made HTML from now on."""
    made: list[str] = []
    real = feedsvc.publish.prepared.prepare

    def counting(article, markdown, *args):
        made.append(article.title)
        return real(article, markdown, *args)

    monkeypatch.setattr(feedsvc.publish.prepared, "prepare", counting)
    return made


@pytest.fixture
def stories(store_dir):
    for index in range(4):
        store_dir.write(f"world/story-{index}.md", article(f"Body {index}, *first* draft.", title=f"Story {index}"))
    return store_dir


def built(store, out, tmp_path, prepared, **settings):
    """Build `out` with its cache in tmp_path; assert it is what a build without any cache writes. The
    titles of the stories that build prepared."""
    prepared.clear()
    build(config_for(store.root, cache_dir=str(tmp_path / "cache"), **settings), out)
    made = list(prepared)
    fresh = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    build(config_for(store.root, cache_dir="off", **settings), fresh)
    files = lambda at: {n: d for n, (d, _, _) in tree(at).items() if n != BUILD_RECORD}  # noqa: E731
    assert files(out) == files(fresh)
    return made


def content(out, title):
    entry = next(
        e for e in feedparser.parse((out / "sections/world/atom.xml").read_bytes()).entries if e.title == title
    )
    return entry.content[0].value


def test_an_edited_story_is_prepared_again_and_the_rest_are_taken_from_the_file(stories, tmp_path, prepared):
    out = tmp_path / "public"
    assert len(set(built(stories, out, tmp_path, prepared))) == 4
    assert (tmp_path / "cache/prepared.sqlite3").stat().st_mode & 0o777 == 0o600  # scheduled stories too
    (stories.root / "world/story-2.md").write_text(article("Body 2, *second* draft.", title="Story 2"))
    assert built(stories, out, tmp_path, prepared) == ["Story 2"]
    assert "second" in content(out, "Story 2") and "first" in content(out, "Story 1")
    (stories.root / "world/story-1.md").write_text(article("Body 1, *third* draft.", title="Story 1"))
    assert built(stories, out, tmp_path, prepared) == ["Story 1"]
    assert "third" in content(out, "Story 1")


def test_a_new_summary_length_prepares_every_story_again(stories, tmp_path, prepared):
    out = tmp_path / "public"
    built(stories, out, tmp_path, prepared)
    made = built(stories, out, tmp_path, prepared, summary_length=12)
    assert sorted(set(made)) == [f"Story {index}" for index in range(4)]


@pytest.mark.parametrize("damage", [b"", b"not a database at all" * 100], ids=["empty", "not-a-database"])
def test_a_damaged_file_counts_as_empty_and_is_replaced(stories, tmp_path, prepared, damage):
    out = tmp_path / "public"
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache/prepared.sqlite3").write_bytes(damage)
    assert len(set(built(stories, out, tmp_path, prepared))) == 4
    (stories.root / "world/story-2.md").write_text(article("Body 2, *second* draft.", title="Story 2"))
    assert built(stories, out, tmp_path, prepared) == ["Story 2"]


def test_a_new_markdown_library_prepares_every_story_again(stories, tmp_path, prepared, monkeypatch):
    """cmarkgfm and nh3 may be upgraded under the same feedsvc (pyproject.toml allows a range): the
    HTML kept from before would then be what no fresh build writes."""
    import feedsvc.publish.fingerprint as fingerprint
    from feedsvc import versions

    out = tmp_path / "public"
    built(stories, out, tmp_path, prepared)
    upgraded = {**versions._dist_infos(), "cmarkgfm": "9999.1"}
    monkeypatch.setattr(versions, "_dist_infos", lambda: upgraded)
    monkeypatch.setattr(fingerprint, "CODE_FINGERPRINT", fingerprint._code_fingerprint())
    made = built(stories, out, tmp_path, prepared)
    assert sorted(set(made)) == [f"Story {index}" for index in range(4)]


@pytest.mark.forks
def test_what_the_rendering_processes_of_a_first_build_prepared_is_kept(stories, tmp_path, prepared, monkeypatch):
    """A first build renders in forked processes; the one-off build after an edit finds what they
    prepared, and prepares the edited story alone."""
    out = tmp_path / "public"
    monkeypatch.setattr("feedsvc.static.rendering.PARALLEL_DOCUMENTS", 1)
    report = build(config_for(stories.root, cache_dir=str(tmp_path / "cache")), out)
    assert report.processes > 1
    assert prepared == []  # prepared in the rendering processes, not here
    for name in ("prepared.sqlite3", "prepared.sqlite3-wal", "prepared.sqlite3-shm"):
        path = tmp_path / "cache" / name
        assert not path.exists() or path.stat().st_mode & 0o777 == 0o600
    monkeypatch.setattr("feedsvc.static.rendering.PARALLEL_DOCUMENTS", 10**9)
    (stories.root / "world/story-2.md").write_text(article("Body 2, *second* draft.", title="Story 2"))
    assert built(stories, out, tmp_path, prepared) == ["Story 2"]
    assert "second" in content(out, "Story 2") and "first" in content(out, "Story 1")


@pytest.fixture
def written_items(monkeypatch):
    """The titles of the stories whose feed items feedgen writes from now on, in a process that has
    written none before (what it wrote in earlier builds of this test process is forgotten)."""
    import feedsvc.render.feeds as feeds
    import feedsvc.render.jsonfeed as jsonfeed

    written: list[str] = []
    real = feeds._add_entry

    def counting(fg, item, info):
        written.append(item.article.title)
        return real(fg, item, info)

    monkeypatch.setattr(feeds, "_add_entry", counting)

    def new_process():
        feeds._ITEMS.clear()
        jsonfeed._ITEMS.clear()
        written.clear()

    return written, new_process


def test_a_new_process_takes_feed_items_from_the_file(stories, tmp_path, prepared, written_items):
    """Items (RSS and Atom, as feedgen wrote them) are kept beside the prepared HTML: a new process
    writes those of the edited story alone, and the output is a fresh build's."""
    written, new_process = written_items
    out = tmp_path / "public"
    built(stories, out, tmp_path, prepared)
    new_process()
    (stories.root / "world/story-2.md").write_text(article("Body 2, *second* draft.", title="Story 2"))
    build(config_for(stories.root, cache_dir=str(tmp_path / "cache")), out)
    assert set(written) == {"Story 2"}
    assert "second" in content(out, "Story 2") and "first" in content(out, "Story 1")
    new_process()
    assert built(stories, out, tmp_path, prepared) == []  # compared with a build without any cache


def test_items_kept_by_other_code_or_settings_are_written_again(
    stories, tmp_path, prepared, written_items, monkeypatch
):
    """An item's bytes depend on the code and libraries that wrote them and on the settings: kept
    items of another feedsvc, feedgen or configuration are not reused."""
    import feedsvc.publish.fingerprint as fingerprint

    written, new_process = written_items
    out = tmp_path / "public"
    built(stories, out, tmp_path, prepared)
    new_process()
    monkeypatch.setattr(fingerprint, "CODE_FINGERPRINT", "a new feedgen")
    built(stories, out, tmp_path, prepared)
    assert {f"Story {index}" for index in range(4)} <= set(written)
    new_process()
    built(stories, out, tmp_path, prepared, items_per_feed=3)
    assert {"Story 1", "Story 2", "Story 3"} <= set(written)


def test_a_build_leaves_no_write_ahead_log_beside_the_file(stories, tmp_path, prepared):
    """The last connection to close checkpoints the log into the file: what a build kept is in
    prepared.sqlite3 itself, and the log does not grow from build to build."""
    out = tmp_path / "out"
    built(stories, out, tmp_path, prepared)
    stories.write("world/story-1.md", article("Body 1, *second* draft.", title="Story 1"))
    built(stories, out, tmp_path, prepared)
    kept = tmp_path / "cache" / FILE_NAME
    assert kept.stat().st_size > 0
    wal = kept.with_name(FILE_NAME + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_process_rendering_every_story_saves_as_it_goes(tmp_path):
    """A build in one process (one core) renders every story and item: they reach the file in batches,
    not all held until the end."""
    files = PreparedFiles(tmp_path)
    for index in range(SAVE_EVERY + 10):
        files.put(f"story-{index}", Prepared(f"<p>{index}</p>", f"summary {index}"))
        files.put_item(f"item-{index}", b"<item/>")
    count = lambda db, table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: E731
    with sqlite3.connect(tmp_path / FILE_NAME) as db:  # before the end: a batch is in the file already
        assert count(db, "prepared") >= SAVE_EVERY - 1
        assert count(db, "items") >= SAVE_EVERY - 1
    files.close()
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        assert count(db, "prepared") == count(db, "items") == SAVE_EVERY + 10


def test_only_the_process_that_opened_a_damaged_file_replaces_it(tmp_path):
    """The processes a build forks go without a damaged file rather than each delete the files the
    others have open; the build that opened it replaces it."""
    files = PreparedFiles(tmp_path)
    files.put("story", Prepared("<p>x</p>", "x"))
    files.close()
    kept = tmp_path / FILE_NAME
    page = 4096
    kept.write_bytes(kept.read_bytes()[:page] + b"\xff" * (kept.stat().st_size - page + page))
    child = os.fork()
    if child == 0:  # a rendering process: looks the story up, finds the file damaged
        try:
            files.get("story")
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert kept.exists(), "a forked process deleted the file"
    assert files.get("story") is None  # the opener finds it damaged and starts a new one
    files.put("story", Prepared("<p>y</p>", "y"))
    files.close()
    assert PreparedFiles(tmp_path).get("story") == Prepared("<p>y</p>", "y")
