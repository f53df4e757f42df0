"""A one-off build keeps the documents of scopes no story changed in without planning them, from the
last build's record (static.unchanged): whatever changed — a story, a story it links to, a tag's
title on other scopes' pages, a scheduled story's moment, a month ending, other settings, a damaged
record — the output is the one a build into an empty folder writes, and, with the parse cache and the
prepared HTML kept beside it, the one a build without any cache writes."""

from __future__ import annotations

import os
import time

import feedparser
import pytest

from feedsvc.paths import FeedKey, PageKey, SubscribeKey, route
from feedsvc.publish.publisher import Publisher
from feedsvc.publish.scopemarks import scope_name
from feedsvc.static.build import BUILD_RECORD, build

from .conftest import article, utc
from .test_build import config_for, tree

NOW = utc(2013, 6, 10, 12)
SECTIONS = ("world", "business", "local")


@pytest.fixture
def newsroom(store_dir):
    """Three sections of five stories (archives with two a feed), two writers, a shared tag, one link."""
    store_dir.write_site(
        sections=[{"slug": slug, "title": slug.title()} for slug in SECTIONS],
    )
    for index in range(15):
        section = SECTIONS[index % 3]
        fields = {
            "title": f"Story {index}",
            "section": section,
            "published": f"2013-{4 + index % 2:02d}-{1 + index:02d} 09:00",
            "authors": ["Ana Ruiz" if index % 2 else "Bo Chen"],
            "tags": ["harbor street" if index == 0 else "Harbor Street"] if index % 4 == 0 else ["Weather"],
        }
        if index == 3:
            fields["related"] = ["business/story-1"]
        store_dir.write(f"{section}/story-{index}.md", article(**fields))
    return store_dir


def files(out):
    """Every file's digest but the build record's."""
    return {name: digest for name, (digest, _, _) in tree(out).items() if name != BUILD_RECORD}


def rebuilt_as_new(tmp_path, store, out, now=NOW, scopes_planned=None):
    """Rebuild `out`; assert it is what a build into an empty folder writes. The paths of the feeds,
    archives and pages planned (OPML lists, the sitemap and photos are always planned); the scopes
    whose archive pages were planned go to `scopes_planned`, if given."""
    planned = []
    fingerprint, plan = Publisher.fingerprint, Publisher.plan

    def counting(self, path, now=None):
        planned.append(path)
        return fingerprint(self, path, now)

    def planning(self, snapshot, scope, now):
        if scopes_planned is not None:
            scopes_planned.append(scope_name(scope))
        return plan(self, snapshot, scope, now)

    Publisher.fingerprint, Publisher.plan = counting, planning  # type: ignore[method-assign]
    try:
        build(config_for(store.root, items_per_feed=2), out, now=now)
    finally:
        Publisher.fingerprint, Publisher.plan = fingerprint, plan  # type: ignore[method-assign]
    fresh = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    build(config_for(store.root, items_per_feed=2), fresh, now=now)
    assert files(out) == files(fresh)
    return [path for path in planned if isinstance(route(path), FeedKey | PageKey | SubscribeKey)]


def cache_control(out, name):
    """The Cache-Control the build's `_headers` file gives a host for the document `name`."""
    path, rules = None, {}
    for line in (out / "_headers").read_text().splitlines():
        if line.startswith("/"):
            path = line
        elif line.startswith("  Cache-Control: "):
            rules[path] = line.removeprefix("  Cache-Control: ")
    (found,) = [rule for path, rule in rules.items() if path.endswith("/" + name)]
    return found


def titles(out, name):
    return [entry.title for entry in feedparser.parse((out / name).read_bytes()).entries]


def test_an_edit_is_planned_in_its_scopes_and_the_rest_stands(newsroom, tmp_path):
    out = tmp_path / "public"
    everything = rebuilt_as_new(tmp_path, newsroom, out)
    assert rebuilt_as_new(tmp_path, newsroom, out) == []  # nothing changed
    story = newsroom.root / "local/story-5.md"
    story.write_text(story.read_text().replace("title: Story 5", "title: Story 5, retold"))
    scopes_planned: list[str] = []
    planned = rebuilt_as_new(tmp_path, newsroom, out, scopes_planned=scopes_planned)
    assert "sections/local/archive/2013-05/rss.xml" in planned and "tags/weather/rss.xml" in planned
    assert "sections/local/archive/2013-04/rss.xml" in everything  # its other month stands
    assert "sections/local/archive/2013-04/rss.xml" not in planned
    untouched = ("sections/world/", "sections/business/", "authors/bo-chen/", "tags/harbor-street/")
    assert [path for path in everything if path.startswith(untouched)]
    assert not [path for path in planned if path.startswith(untouched)]
    # nor their archive pages: the record lists them
    assert "section:local" in scopes_planned
    assert not {"section:world", "section:business", "author:bo-chen", "tag:harbor-street"} & set(scopes_planned)
    assert "Story 5, retold" in titles(out, "sections/local/archive/2013-05/rss.xml")


def test_a_story_linked_to_changes_the_documents_of_the_story_linking(newsroom, tmp_path):
    out = tmp_path / "public"
    rebuilt_as_new(tmp_path, newsroom, out)
    linked = newsroom.root / "business/story-1.md"
    linked.write_text(linked.read_text().replace("title: Story 1", "title: Story 1, renamed"))
    rebuilt_as_new(tmp_path, newsroom, out)
    feed = feedparser.parse((out / "sections/world/atom.xml").read_bytes())  # story 3 links to story 1
    entry = next(e for e in feed.entries if e.title == "Story 3")
    assert [link.title for link in entry.links if link.rel == "related"] == ["Story 1, renamed"]


def test_a_tags_title_respelt_in_one_scope_reaches_the_pages_of_the_others(newsroom, tmp_path):
    out = tmp_path / "public"
    rebuilt_as_new(tmp_path, newsroom, out)
    for index in (4, 8):  # business and local: most of the tag's stories now spell it in capitals
        story = newsroom.root / f"{SECTIONS[index % 3]}/story-{index}.md"
        story.write_text(story.read_text().replace("Harbor Street", "HARBOR STREET"))
    rebuilt_as_new(tmp_path, newsroom, out)
    assert "HARBOR STREET" in (out / "sections/world/index.html").read_text()  # story 0, untouched


def test_a_scheduled_story_appears_when_its_moment_comes(newsroom, tmp_path):
    out = tmp_path / "public"
    newsroom.write("local/later.md", article(title="Later", section="local", published="2013-06-20 09:00"))
    rebuilt_as_new(tmp_path, newsroom, out)
    assert "Later" not in titles(out, "sections/local/rss.xml")
    rebuilt_as_new(tmp_path, newsroom, out, now=utc(2013, 6, 21, 12))
    assert "Later" in titles(out, "sections/local/rss.xml")


@pytest.mark.parametrize(
    "damage", ["truncated", "scopes not a mapping", "documents without times", "an archive page left out of pages"]
)
def test_a_damaged_record_stands_for_nothing(newsroom, tmp_path, damage):
    import json

    out = tmp_path / "public"
    everything = rebuilt_as_new(tmp_path, newsroom, out)
    record = out / BUILD_RECORD
    if damage == "truncated":
        record.write_text(record.read_text()[:200])
    else:
        parsed = json.loads(record.read_text())
        if damage == "scopes not a mapping":
            parsed["scopes"] = ["section:local"]
        elif damage == "an archive page left out of pages":  # a hand edit, a merge: well formed, but wrong
            name = next(name for name, pages in parsed["pages"].items() if pages.count(",") >= 1)
            parsed["pages"][name] = parsed["pages"][name].rsplit(",", 1)[0]
        else:
            for entry in parsed["documents"].values():
                entry.pop("until")
        record.write_text(json.dumps(parsed))
    story = newsroom.root / "local/story-5.md"
    story.write_text(story.read_text().replace("title: Story 5", "title: Story 5, retold"))
    assert sorted(rebuilt_as_new(tmp_path, newsroom, out)) == sorted(everything)
    assert "Story 5, retold" in titles(out, "sections/local/archive/2013-05/rss.xml")


def test_a_new_archive_page_reaches_the_links_of_the_scopes_other_months(newsroom, tmp_path):
    out = tmp_path / "public"
    rebuilt_as_new(tmp_path, newsroom, out)
    assert not (out / "sections/local/archive/2013-04-3").exists()  # April's three stories, two a page
    for day in (20, 21):
        newsroom.write(
            f"local/april-{day}.md", article(title="April too", section="local", published=f"2013-04-{day} 9:00")
        )
    planned = rebuilt_as_new(tmp_path, newsroom, out)  # May's pages link to April's last page
    assert (out / "sections/local/archive/2013-04-3/rss.xml").is_file()
    assert "sections/local/archive/2013-05/rss.xml" in planned


def rebuilt_with_cache(tmp_path, store, out, now=NOW, **settings):
    """Rebuild `out` keeping the parse cache and prepared HTML between builds, as `feedsvc build` does;
    assert it is what a build into an empty folder with no cache writes. The files written."""
    settings = {"items_per_feed": 2, **settings}
    build(config_for(store.root, cache_dir=str(tmp_path / "cache"), **settings), out, now=now)
    fresh = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    build(config_for(store.root, cache_dir="off", **settings), fresh, now=now)
    assert files(out) == files(fresh)
    return files(out)


def edited(store, name, old, new):
    """Replace `old` with `new` in a story, its file's size and time kept (a copy that kept them)."""
    path = store.root / name
    text, saved = path.read_text(), path.stat()
    assert old in text, name
    path.write_text(text.replace(old, new))
    if len(old) == len(new):
        os.utime(path, ns=(saved.st_atime_ns, saved.st_mtime_ns))


EDITS = {  # (story, text, its replacement; None: the story deleted), …
    "moved to another section": [("local/story-5.md", "section: local", "section: world")],
    "a new writer": [("local/story-5.md", "Ana Ruiz", "Cy Dee")],
    "a tag losing its feed": [
        (f"{name}.md", "Harbor Street", "Weather") for name in ("business/story-4", "local/story-8")
    ],
    "a story linked to deleted": [("business/story-1.md", None, None)],
    "dated a year earlier": [("local/story-5.md", "2013-05-06", "2012-11-06")],
    "same size, same time": [("local/story-5.md", "with enough words", "with ENOUGH words")],
}


@pytest.mark.parametrize("change", list(EDITS))
def test_an_edit_then_time_passing_writes_what_a_fresh_build_does(newsroom, tmp_path, change):
    an_hour_ago = time.time() - 3600  # not just saved: the parse cache goes by each file's stat
    for story in newsroom.root.glob("*/*.md"):
        os.utime(story, (an_hour_ago, an_hour_ago))
    out = tmp_path / "public"
    before = rebuilt_with_cache(tmp_path, newsroom, out)
    for name, old, new in EDITS[change]:
        if old is None:
            newsroom.delete(name)
        else:
            edited(newsroom, name, old, new)
    assert rebuilt_with_cache(tmp_path, newsroom, out) != before
    rebuilt_with_cache(tmp_path, newsroom, out, now=utc(2013, 6, 21, 12))


def test_a_linked_storys_moment_reaches_the_scope_linking_to_it(newsroom, tmp_path):
    out = tmp_path / "public"
    edited(newsroom, "business/story-1.md", "2013-05-02", "2013-06-20")  # story 3, in world, links to it

    def related():
        feed = feedparser.parse((out / "sections/world/atom.xml").read_bytes())
        entry = next(e for e in feed.entries if e.title == "Story 3")
        return [link.title for link in entry.links if link.rel == "related"]

    rebuilt_with_cache(tmp_path, newsroom, out)
    assert related() == []
    rebuilt_with_cache(tmp_path, newsroom, out, now=utc(2013, 6, 21, 12))  # no file changed
    assert related() == ["Story 1"]


def test_a_month_ending_moves_its_stories_into_archives(newsroom, tmp_path):
    out = tmp_path / "public"
    newsroom.write("local/june.md", article(title="June", section="local", published="2013-06-05 09:00"))
    rebuilt_with_cache(tmp_path, newsroom, out)
    assert not (out / "sections/local/archive/2013-06").exists()
    rebuilt_with_cache(tmp_path, newsroom, out, now=utc(2013, 7, 1, 0, 30))  # no file changed
    assert titles(out, "sections/local/archive/2013-06/rss.xml") == ["June"]


@pytest.mark.parametrize(
    "settings",
    [{"base_url": "https://other.example.org/feeds/"}, {"archives": False}, {"tag_feed_min_stories": 5}],
    ids=["base URL", "archives off", "tag threshold"],
)
def test_a_record_of_other_settings_stands_for_nothing(newsroom, tmp_path, settings):
    out = tmp_path / "public"
    rebuilt_with_cache(tmp_path, newsroom, out)
    rebuilt_with_cache(tmp_path, newsroom, out, **settings)
    rebuilt_with_cache(tmp_path, newsroom, out)


@pytest.mark.parametrize(
    "processes",
    [pytest.param(1, id="in one process"), pytest.param(2, id="in rendering processes", marks=pytest.mark.forks)],
)
def test_a_body_unreadable_during_one_build_is_back_in_the_next(newsroom, tmp_path, monkeypatch, processes):
    """A story whose file cannot be read back as the build renders (removed, or mid-replace) is left
    out of that build's documents; they are not recorded as made of their scope's stories, so the next
    build, reading the file fine again, makes them whole — and the build reports what it left out."""
    from feedsvc.store.store import Store

    out = tmp_path / "public"
    rebuilt_as_new(tmp_path, newsroom, out)
    story = newsroom.root / "local/story-5.md"
    story.write_text(story.read_text().replace("title: Story 5", "title: Story 5, retold"))
    if processes > 1:
        monkeypatch.setattr("feedsvc.static.rendering.PARALLEL_DOCUMENTS", 1)
    body = Store.body
    monkeypatch.setattr(Store, "body", lambda self, a: None if a.path == "local/story-5.md" else body(self, a))
    report = build(config_for(newsroom.root, items_per_feed=2), out, now=NOW)
    assert report.processes == processes
    assert "Story 5, retold" not in titles(out, "sections/local/archive/2013-05/rss.xml")
    assert [problem.path for problem in report.unread] == [f"{newsroom.root}/local/story-5.md"]
    assert "1 story could not be read back" in report.summary()
    archive = "sections/local/archive/2013-05/rss.xml"
    assert "immutable" not in cache_control(out, archive)  # a host must not keep it without the story
    monkeypatch.setattr(Store, "body", body)
    rebuilt_as_new(tmp_path, newsroom, out)
    assert "Story 5, retold" in titles(out, archive)
    assert "immutable" in cache_control(out, archive)  # whole again: an archive for good
    assert "Story 5, retold" in titles(out, "sections/local/rss.xml")
