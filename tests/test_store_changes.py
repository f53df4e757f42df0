"""The store notices exactly what changed — added, edited, deleted files — and re-reads only those,
keeping the last good version of a story whose file breaks."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from feedsvc.store.store import Store

from .conftest import article, make_jpeg

LATER = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(store_dir):
    store_dir.write("world/one.md", article(title="The first story of the day"))
    store_dir.write("world/two.md", article(title="The second story of the day", published="2013-05-03"))
    store_dir.write("business/three.md", article(title="A business story", section="business"))
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    changes = store.refresh()
    assert changes.added == {"world/one.md", "world/two.md", "business/three.md"}
    return store


def titles(store, section=None):
    return [a.title for a in store.snapshot.timeline(section).visible_at(LATER, 50)]


def test_a_second_look_at_an_unchanged_store_finds_nothing(store):
    generation = store.snapshot.generation
    assert not store.refresh()
    assert store.snapshot.generation == generation


def test_edits_adds_and_deletes_are_picked_up_exactly(store, store_dir):
    store_dir.write("world/one.md", article(title="The first story, corrected", updated="2013-05-02 20:00"))
    store_dir.write(
        "business/four.md", article(title="A new business story", section="business", published="2013-05-04")
    )
    store_dir.delete("world/two.md")
    changes = store.refresh()
    assert (changes.added, changes.edited, changes.deleted) == (
        {"business/four.md"},
        {"world/one.md"},
        {"world/two.md"},
    )
    # Newest first; equal times are ordered by id ("business/three" before "world/one").
    assert titles(store) == ["A new business story", "A business story", "The first story, corrected"]
    assert titles(store, "world") == ["The first story, corrected"]


def test_the_paths_a_watcher_names_are_enough(store, store_dir):
    store_dir.write("world/one.md", article(title="Edited, and named by the watcher"))
    store_dir.delete("business/three.md")
    changes = store.refresh(["world/one.md", "business/three.md", "world/unrelated.txt"])
    assert (changes.edited, changes.deleted) == ({"world/one.md"}, {"business/three.md"})
    assert titles(store) == ["The second story of the day", "Edited, and named by the watcher"]


def test_an_in_place_rewrite_of_the_same_size_in_the_same_instant_is_still_seen(store, store_dir):
    path = store_dir.root / "world/one.md"
    before = path.stat()
    text = path.read_text().replace("first", "FIRST")
    with open(path, "r+") as fh:  # in place: same inode, same size
        fh.write(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    changes = store.refresh()
    assert changes.edited == {"world/one.md"}
    assert "The FIRST story of the day" in titles(store)


def test_a_broken_edit_keeps_the_last_good_version_published(store, store_dir):
    store_dir.write("world/one.md", "---\ntitle: [half-written\n")
    changes = store.refresh()
    assert changes.edited == {"world/one.md"}
    assert "The first story of the day" in titles(store)
    problems = [str(p) for p in store.snapshot.problems if p.path.endswith("world/one.md")]
    assert any("front matter" in p for p in problems)
    assert any("the last good version stays published until this is fixed" in p for p in problems)

    store_dir.write("world/one.md", article(title="The first story, repaired"))
    store.refresh()
    assert "The first story, repaired" in titles(store)
    assert not [p for p in store.snapshot.problems if p.path.endswith("world/one.md")]


def test_deleting_a_broken_file_removes_its_story(store, store_dir):
    store_dir.write("world/one.md", "not an article at all")
    store.refresh()
    store_dir.delete("world/one.md")
    assert store.refresh().deleted == {"world/one.md"}
    assert "The first story of the day" not in titles(store)
    assert not store.snapshot.problems


def test_a_scheduled_story_appears_at_its_moment_without_a_refresh(store, store_dir):
    store_dir.write("world/later.md", article(title="Scheduled for an exact minute", published="2029-06-01T12:00:00Z"))
    store.refresh()
    snapshot = store.snapshot
    before = datetime(2029, 6, 1, 11, 59, 59, tzinfo=UTC)
    at = datetime(2029, 6, 1, 12, 0, 0, tzinfo=UTC)
    assert "Scheduled for an exact minute" not in [a.title for a in snapshot.timeline("world").visible_at(before, 50)]
    assert snapshot.timeline("world").visible_at(at, 50)[0].title == "Scheduled for an exact minute"
    assert snapshot.timeline("world").next_appearance(before) == at.timestamp()
    assert snapshot.timeline("business").next_appearance(before) is None


def test_a_photo_uploaded_after_its_story_is_added_to_the_story(store, store_dir):
    store_dir.write(
        "world/photo.md",
        article(
            title="A story waiting for its photo", photo={"src": "media/late.jpg", "caption": "Late", "credit": "Us"}
        ),
    )
    store.refresh()
    waiting = next(a for a in store.snapshot.timeline("world").visible_at(LATER, 50) if a.path == "world/photo.md")
    assert waiting.photo is None  # published without it meanwhile
    make_jpeg(store_dir.root / "media/late.jpg", size=(800, 600))
    store.refresh(["media/late.jpg"])
    story = next(a for a in store.snapshot.timeline("world").visible_at(LATER, 50) if a.path == "world/photo.md")
    assert story.title == "A story waiting for its photo"
    assert (story.photo.width, story.photo.height, story.photo.mime_type) == (800, 600, "image/jpeg")
    assert story.photo.length == (store_dir.root / "media/late.jpg").stat().st_size


def test_replacing_a_photo_updates_its_measurements(store, store_dir):
    make_jpeg(store_dir.root / "media/p.jpg", size=(400, 300))
    store_dir.write(
        "world/photo.md",
        article(title="A story with a photo that changes", published="2014-01-01", photo={"src": "media/p.jpg"}),
    )
    store.refresh()
    make_jpeg(store_dir.root / "media/p.jpg", size=(1600, 900), color=(200, 10, 10))
    changes = store.refresh()
    assert changes.edited == {"world/photo.md"}
    photo = store.snapshot.timeline("world").visible_at(LATER, 1)[0].photo
    assert (photo.width, photo.height) == (1600, 900)


def test_deleting_the_winner_of_a_duplicate_id_publishes_the_other(store, store_dir):
    store_dir.write("world/a.md", article(id="same", title="Claims the id first"))
    store_dir.write("world/b.md", article(id="same", title="Claims the id second"))
    store.refresh()
    assert store.snapshot.by_id["same"].title == "Claims the id first"
    store_dir.delete("world/a.md")
    store.refresh()
    assert store.snapshot.by_id["same"].title == "Claims the id second"
    assert not store.snapshot.problems


def test_a_new_site_file_rereads_every_story(store, store_dir):
    store_dir.write_site(sections=[{"slug": "world", "title": "The World"}])
    changes = store.refresh()
    assert changes.site
    assert titles(store) == ["The second story of the day", "The first story of the day"]
    assert [str(p) for p in store.snapshot.problems] == [
        f"{store.display_root}business/three.md: section: 'business' is not a section of this site; "
        "declared sections: world (The World)",
        f"{store.display_root}business/three.md: warning: the last good version stays published until this is fixed",
    ]


def test_a_broken_site_file_keeps_the_last_good_one(store, store_dir):
    store_dir.write("_site.yml", "title: [\n")
    store.refresh()
    assert store.snapshot.site.title == "The Test Times"
    assert len(titles(store)) == 3
    assert any(p.path.endswith("_site.yml") and p.severity == "error" for p in store.snapshot.problems)


def test_the_id_survives_edits_and_defaults_to_the_path(store, store_dir):
    first = store.snapshot.timeline("world").visible_at(LATER, 50)[-1]
    assert first.id == "world/one"
    store_dir.write(
        "world/one.md",
        article(title="Completely rewritten", published="2013-05-01", body="Nothing in common with before."),
    )
    store.refresh()
    assert store.snapshot.by_id["world/one"].title == "Completely rewritten"


def test_hidden_and_underscore_files_are_not_articles(store, store_dir):
    store_dir.write("_drafts/idea.md", article(title="An idea in a drafts folder"))
    store_dir.write("world/.swap.md", article(title="An editor's swap file"))
    store_dir.write("world/_notes.md", article(title="Notes"))
    store_dir.write("world/readme.txt", "not markdown")
    assert not store.refresh()


def test_files_dated_ahead_of_the_clock_are_read_at_once_not_when_the_clock_reaches_them(store, store_dir):
    """A story and its photo copied with their times from a host whose clock runs an hour ahead (`cp -p`,
    `rsync -t`): no writer is at work on them, so a scan that leaves just-saved files to settle reads
    them now, rather than every scan deferring them until the clock catches up."""
    store_dir.write(
        "world/ahead.md",
        article(title="A story from a clock ahead", photo={"src": "media/ahead.jpg", "caption": "C", "credit": "Us"}),
    )
    make_jpeg(store_dir.root / "media/ahead.jpg", size=(640, 480))
    ahead = datetime.now(UTC).timestamp() + 3600
    for name in ("world/ahead.md", "media/ahead.jpg"):
        os.utime(store_dir.root / name, (ahead, ahead))
    changes = store.refresh(settle=0.2)
    assert "world/ahead.md" in changes.added and "world/ahead.md" not in changes.deferred
    story = next(a for a in store.snapshot.timeline("world").visible_at(LATER, 50) if a.path == "world/ahead.md")
    assert (story.photo.width, story.photo.height) == (640, 480)
    read = []
    reader_read = store._reader.read
    store._reader.read = lambda relpath, *args, **kwargs: read.append(relpath) or reader_read(relpath, *args, **kwargs)
    assert not store.refresh(settle=0.2) and "world/ahead.md" not in read  # not read again at each scan
    make_jpeg(store_dir.root / "media/ahead.jpg", size=(320, 240))  # the photo replaced, dated ahead too
    os.utime(store_dir.root / "media/ahead.jpg", (ahead + 60, ahead + 60))
    changes = store.refresh(settle=0.2)
    assert "media/ahead.jpg" not in changes.deferred and "world/ahead.md" in changes.edited
    story = next(a for a in store.snapshot.timeline("world").visible_at(LATER, 50) if a.path == "world/ahead.md")
    assert (story.photo.width, story.photo.height) == (320, 240)
