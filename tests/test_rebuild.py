"""A build after an edit: `--watch` and one-off rebuilds render only the documents the edit touched,
an upgrade that changes no byte renders nothing, and a record a killed build left half-written is
not trusted."""

from __future__ import annotations

import shutil
import time

from feedsvc.static.build import BUILD_RECORD, build

from .cli import build_watching
from .conftest import BASE_URL, SAMPLE_STORE
from .test_build import config_for, tree


def test_watch_rebuilds_what_an_edit_changes_within_seconds(tmp_path):
    store = tmp_path / "articles"
    shutil.copytree(SAMPLE_STORE, store)
    out = tmp_path / "public"
    with build_watching(out, store, {"FEEDSVC_BASE_URL": BASE_URL}):
        deadline = time.monotonic() + 30
        while not (out / BUILD_RECORD).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        before = tree(out)
        story = store / "local/library-extends-hours.md"
        story.write_text(story.read_text().replace("title: ", "title: Updated — ", 1))
        deadline = time.monotonic() + 5
        while (
            "Updated — ".encode() not in (out / "sections/local/rss.xml").read_bytes() and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert "Updated — ".encode() in (out / "sections/local/rss.xml").read_bytes()
        after = tree(out)
        changed = {name for name in after if after[name] != before.get(name)}
        assert "sections/local/rss.xml" in changed and "sections/science/rss.xml" not in changed
        assert after["media/2013/obama-pena-nieto.jpg"] == before["media/2013/obama-pena-nieto.jpg"]


def paths_rendered(monkeypatch) -> list[str]:
    """The public paths of the documents rendered from now on, in order (each format's renderer wrapped)."""
    import feedsvc.publish.documents

    rendered: list[str] = []
    for fmt, renderer in list(feedsvc.publish.documents.RENDERERS.items()):
        monkeypatch.setitem(
            feedsvc.publish.documents.RENDERERS,
            fmt,
            lambda info, items, _r=renderer: rendered.append(info.key.path) or _r(info, items),
        )
    return rendered


def test_a_rebuild_renders_only_the_documents_an_edit_touched(tmp_path, monkeypatch):
    store = tmp_path / "articles"
    shutil.copytree(SAMPLE_STORE, store)
    out = tmp_path / "public"
    build(config_for(store, items_per_feed=2), out)  # with archives: 14 documents more
    story = store / "science/tide-pool-census.md"
    story.write_text(story.read_text().replace("census", "count", 1))
    rendered = paths_rendered(monkeypatch)
    build(config_for(store, items_per_feed=2), out)
    # The story is the second newest in science and of its writer (so in their feeds of two) and in their April
    # archives; the all-sections feeds and the "sample" tag's hold two newer stories, its April archive has it.
    assert sorted(set(rendered)) == sorted(
        [
            f"{scope}archive/2013-04/{name}"
            for scope in ("sections/science/", "authors/priya-natarajan/")
            for name in ("rss.xml", "atom.xml")
        ]
        + [
            f"{scope}{name}"
            for scope in ("sections/science/", "authors/priya-natarajan/")
            for name in ("rss.xml", "atom.xml", "feed.json")
        ]
        + [f"tags/sample/archive/2013-04-4/{name}" for name in ("rss.xml", "atom.xml")]
    )  # the 7th of April's 7


def test_after_an_upgrade_that_changes_no_bytes_the_next_build_renders_nothing(tmp_path, monkeypatch):
    """A new feedsvc version invalidates every fingerprint: the first build after it renders everything,
    finds the same bytes and keeps every file — and must record the new fingerprints, or every later build
    would render everything again."""
    import feedsvc.publish.fingerprint

    out = tmp_path / "public"
    build(config_for(SAMPLE_STORE), out)
    monkeypatch.setattr(feedsvc.publish.fingerprint, "CODE_FINGERPRINT", "a later version")
    public = lambda: {name: file for name, file in tree(out).items() if name != BUILD_RECORD}  # noqa: E731
    before = public()
    report = build(config_for(SAMPLE_STORE), out)
    assert not report.changed and public() == before  # same files: mtimes and inodes too
    rendered = paths_rendered(monkeypatch)
    report = build(config_for(SAMPLE_STORE), out)
    assert rendered == [] and not report.changed and public() == before


def test_files_changed_or_removed_in_the_output_are_rendered_again_though_nothing_else_changed(tmp_path):
    """An unchanged document's files are looked at once, as they are linked into the new tree: one that is
    gone, or no longer as the last build wrote it, is rendered again, and the rest are kept as they are."""
    out = tmp_path / "public"
    build(config_for(SAMPLE_STORE), out)
    before = tree(out)
    (out / "sections/science/atom.xml").unlink()
    (out / "sections/science/rss.xml").unlink()  # a new file in its place: not what the build wrote
    (out / "sections/science/rss.xml").write_bytes(b"<rss>not the feed</rss>")
    (out / "tags/sample/feed.json.gz").unlink()  # one of a document's two files
    report = build(config_for(SAMPLE_STORE), out)
    after = tree(out)
    # Each of those documents rendered again; of their files, those still as written are linked again.
    assert report.changed and sorted(report.written) == [
        "sections/science/atom.xml",
        "sections/science/rss.xml",
        "tags/sample/feed.json.gz",
    ]
    assert {name: digest for name, (digest, _, _) in after.items() if name != BUILD_RECORD} == {
        name: digest for name, (digest, _, _) in before.items() if name != BUILD_RECORD
    }
    unchanged = [name for name in before if name.startswith("sections/world-nation/")]
    assert unchanged and all(after[name] == before[name] for name in unchanged)  # same bytes, time and inode


def test_a_record_left_half_written_by_a_killed_build_is_removed(tmp_path):
    out = tmp_path / "public"
    build(config_for(SAMPLE_STORE), out)
    leftover = out / f"{BUILD_RECORD}.tmp-99999"
    leftover.write_text('{"version": ')
    build(config_for(SAMPLE_STORE), out)
    assert not leftover.exists() and (out / BUILD_RECORD).is_file()
