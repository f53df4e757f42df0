"""Restarts and rebuilds re-read only what changed; large stores are read by several processes at once —
and neither shortcut changes what is published."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import feedsvc.store.files
from feedsvc import forking
from feedsvc.store.store import Store

from .conftest import article, make_jpeg


@pytest.fixture
def counted(monkeypatch):
    """Counts real parses (in this process)."""
    calls = []
    real = feedsvc.store.files.parse_article
    monkeypatch.setattr(
        feedsvc.store.files, "parse_article", lambda relpath, *a, **k: calls.append(relpath) or real(relpath, *a, **k)
    )
    return calls


def age(path, seconds=10):
    """Make a file look older than the racy window, as files are after any real pause."""
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def cached_store(store_dir, tmp_path):
    for i in range(5):
        age(
            store_dir.write(f"world/s{i}.md", article(title=f"Story number {i} of five", published=f"2013-05-0{i + 1}"))
        )
    make_jpeg(store_dir.root / "media/p.jpg")
    age(store_dir.root / "media/p.jpg")
    age(
        store_dir.write(
            "world/photo.md", article(title="A story with a photo in the store", photo={"src": "media/p.jpg"})
        )
    )
    age(store_dir.root / "_site.yml")
    cache = tmp_path / "cache"
    return store_dir, cache


def load(store_dir, cache):
    store = Store(store_dir.root, media_base_url="https://feeds.example.com/", cache_dir=cache)
    store.refresh()
    return store


def test_a_restart_reads_nothing_that_did_not_change(cached_store, counted):
    store_dir, cache = cached_store
    first = load(store_dir, cache)
    assert len(counted) == 6
    counted.clear()
    second = load(store_dir, cache)
    assert counted == []
    assert second.snapshot.by_id == first.snapshot.by_id
    assert second.snapshot.problems == first.snapshot.problems


def test_an_edited_file_is_read_again_and_the_rest_come_from_the_cache(cached_store, counted):
    store_dir, cache = cached_store
    load(store_dir, cache)
    age(store_dir.write("world/s2.md", article(title="Story number 2, corrected", published="2013-05-03")))
    counted.clear()
    store = load(store_dir, cache)
    assert counted == ["world/s2.md"]
    assert store.snapshot.by_id["world/s2"].title == "Story number 2, corrected"


def test_a_few_stale_entries_do_not_rewrite_the_cache_but_many_do(cached_store, counted, monkeypatch):
    """Rewriting the whole cache for one edited story would cost a 100,000-story start more than
    re-reading that story on every start; once enough of it is stale, a read saves it again."""
    import feedsvc.store.policy

    store_dir, cache = cached_store
    load(store_dir, cache)
    saved = (cache / "articles.pickle").stat().st_mtime_ns
    monkeypatch.setattr(feedsvc.store.policy, "RESAVE_FRACTION", 0.3)  # 2 of 6 files
    age(store_dir.write("world/s1.md", article(title="Story number 1, corrected", published="2013-05-02")))
    load(store_dir, cache)
    assert (cache / "articles.pickle").stat().st_mtime_ns == saved
    counted.clear()
    age(store_dir.write("world/s3.md", article(title="Story number 3, corrected", published="2013-05-04")))
    store = load(store_dir, cache)
    assert sorted(counted) == ["world/s1.md", "world/s3.md"]  # still stale: read again
    assert (cache / "articles.pickle").stat().st_mtime_ns != saved
    assert store.snapshot.by_id["world/s1"].title == "Story number 1, corrected"
    counted.clear()
    load(store_dir, cache)
    assert counted == []


def test_a_replaced_photo_rereads_the_story_that_uses_it(cached_store, counted):
    store_dir, cache = cached_store
    load(store_dir, cache)
    make_jpeg(store_dir.root / "media/p.jpg", size=(640, 480))
    age(store_dir.root / "media/p.jpg")
    counted.clear()
    store = load(store_dir, cache)
    assert counted == ["world/photo.md"]
    assert store.snapshot.by_id["world/photo"].photo.width == 640


def test_a_new_site_file_invalidates_the_cache(cached_store, counted):
    store_dir, cache = cached_store
    load(store_dir, cache)
    store_dir.write_site(title="The Renamed Times")
    counted.clear()
    load(store_dir, cache)
    assert len(counted) == 6


def test_a_new_base_url_reads_nothing_again_and_its_feeds_link_photos_under_it(cached_store, counted):
    """Parsing a file does not depend on where the feeds are served (issue 17): a second instance on
    another address starts from the same cache, and each serves the store photo under its own address."""
    from feedsvc.config import load_config
    from feedsvc.publish.publisher import Publisher

    from .feeds import NS, xml

    store_dir, cache = cached_store
    reads, enclosures = [], {}
    for base_url in ("https://feeds.example.com/", "https://mirror.example.org/news/"):
        config = load_config(overrides={"store": store_dir.root, "base_url": base_url, "cache_dir": str(cache)})
        counted.clear()
        store = Store.open(config.store, limits=config.read, cache_dir=config.cache_path)
        reads.append(len(counted))
        feed = xml(Publisher(store, config.feeds, config.cache_policy).document("rss.xml").body)
        enclosures[base_url] = feed.xpath("//enclosure/@url")
        assert feed.xpath("//media:content/@url", namespaces=NS) == enclosures[base_url]
    assert reads == [6, 0]
    assert enclosures == {
        "https://feeds.example.com/": ["https://feeds.example.com/media/p.jpg"],
        "https://mirror.example.org/news/": ["https://mirror.example.org/news/media/p.jpg"],
    }


def test_a_file_changed_within_the_racy_window_is_not_trusted(cached_store, counted):
    store_dir, cache = cached_store
    store_dir.write("world/s0.md", article(title="Written just now", published="2013-05-01"))
    load(store_dir, cache)
    counted.clear()
    store = load(store_dir, cache)
    assert counted == ["world/s0.md"]
    assert store.snapshot.by_id["world/s0"].title == "Written just now"


def test_a_damaged_cache_is_ignored(cached_store, counted):
    store_dir, cache = cached_store
    load(store_dir, cache)
    (cache / "articles.pickle").write_bytes(b"feedsvc-parse-cache\nnot a pickle at all")
    counted.clear()
    store = load(store_dir, cache)
    assert len(counted) == 6 and len(store.snapshot.by_id) == 6


@pytest.mark.forks
def test_a_large_store_read_in_parallel_publishes_the_same(store_dir, monkeypatch):
    for i in range(60):
        store_dir.write(
            f"world/{i:02d}.md",
            article(title=f"Parallel story number {i}", published=f"2013-05-01 {i % 24:02d}:{i:02d}"),
        )
    store_dir.write("world/broken.md", article(title="Broken", published="whenever"))
    serial = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    serial.refresh()
    monkeypatch.setattr(feedsvc.store.files, "PARALLEL_MINIMUM", 10)
    monkeypatch.setattr(feedsvc.store.files, "CHUNK", 7)
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the store is read in one process")
    assert forking.can_fork(), "a thread is running: the store would be read in one process"
    parallel = Store(store_dir.root, media_base_url="https://feeds.example.com/")
    parallel.refresh()
    assert parallel.snapshot.by_id == serial.snapshot.by_id
    assert parallel.snapshot.problems == serial.snapshot.problems
    assert parallel.snapshot.timelines == serial.snapshot.timelines


def test_the_cache_is_thrown_away_when_any_code_a_reading_depends_on_changes(tmp_path):
    """Every module of source/ and every feedsvc module they import is in the parser's fingerprint: an
    upgrade that changes how a slug or a date is read re-reads every file instead of serving old readings."""
    import ast
    import shutil

    from feedsvc.store import parsecache

    package = tmp_path / "feedsvc"
    shutil.copytree(Path(parsecache.__file__).parent.parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    depended_on = set((package / "source").glob("*.py"))
    for module in list(depended_on):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:  # from ..x import y
                depended_on.add(package / (node.module.replace(".", "/") + ".py"))
    assert package / "source" / "slugs.py" in depended_on and package / "model.py" in depended_on
    before = parsecache.parser_fingerprint(package)
    for module in sorted(depended_on):
        original = module.read_bytes()
        module.write_bytes(original + b"\n# changed\n")
        assert parsecache.parser_fingerprint(package) != before, module.relative_to(package)
        module.write_bytes(original)
    (package / "render" / "html.py").write_text("# only renders: a reading does not change\n", "utf-8")
    assert parsecache.parser_fingerprint(package) == before


@pytest.mark.parametrize("library", ["PyYAML", "libyaml", "cmarkgfm", "nh3"])
def test_a_new_yaml_or_markdown_library_reads_every_file_again(cached_store, counted, monkeypatch, library):
    """PyYAML, the libyaml it reads with, cmarkgfm and nh3 may be upgraded under the same feedsvc
    (pyproject.toml allows a range): what the cache kept would then be no fresh reading of the files."""
    import yaml
    import yaml._yaml

    from feedsvc import versions
    from feedsvc.store import parsecache

    store_dir, cache = cached_store
    load(store_dir, cache)
    counted.clear()
    if library == "PyYAML":
        monkeypatch.setattr(yaml, "__version__", "99.0")
    elif library == "libyaml":
        monkeypatch.setattr(yaml._yaml, "get_version_string", lambda: "9.9.9")
    else:
        upgraded = {**versions._dist_infos(), versions._normalized(library): "9999.1"}
        monkeypatch.setattr(versions, "_dist_infos", lambda: upgraded)
    monkeypatch.setattr(parsecache, "PARSER_FINGERPRINT", parsecache.parser_fingerprint())
    load(store_dir, cache)
    assert len(counted) == 6
    counted.clear()
    load(store_dir, cache)  # saved under the new versions
    assert counted == []


def test_the_service_answers_before_it_saves_the_parse_cache_and_its_refresher_saves_it(cached_store, counted):
    """A cold start's first answer does not wait for the parse cache to be written (a second or two at
    100,000 stories, issue 17): the refresher writes it in the background, and the next start uses it."""
    from feedsvc.store.watch import Refresher

    store_dir, cache = cached_store
    store = Store.open(store_dir.root, cache_dir=cache, save_later=True)
    assert store.cache_stale and not (cache / "articles.pickle").exists()
    refresher = Refresher(store, interval=0.05, rescan_every=30, use_events=False).start()
    try:
        deadline = time.monotonic() + 5
        while not (cache / "articles.pickle").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        refresher.stop()
    assert not store.cache_stale
    counted.clear()
    Store.open(store_dir.root, cache_dir=cache)
    assert counted == []


@pytest.mark.forks
def test_under_gunicorn_the_parse_cache_is_saved_by_a_process_of_its_own(cached_store, counted):
    """gunicorn's workers are forked from the process that read the store: a worker that saved the
    cache would walk, and so copy, the whole store it shares with the others. The service that
    starts no threads of its own (threads_after_fork) saves it in a process forked for that."""
    from feedsvc.config import load_config
    from feedsvc.serve.app import Service

    store_dir, cache = cached_store
    if not forking.can_fork():
        pytest.skip("one core, or a thread is running: the refresher saves it instead")
    config = load_config(overrides={"store": store_dir.root, "cache_dir": str(cache), "stats": False})
    service = Service(config, threads_after_fork=True)
    assert not service.store.cache_stale and service.refresher is None
    deadline = time.monotonic() + 10
    while not (cache / "articles.pickle").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    counted.clear()
    assert len(Store.open(store_dir.root, cache_dir=cache).snapshot.by_id) == 6
    assert counted == []


@pytest.mark.forks
def test_the_process_saving_the_cache_under_gunicorn_gives_way_to_the_workers(cached_store, tmp_path, monkeypatch):
    """It runs while the first workers catch up with the store before their first answer (2 CPU-s each
    at 100,000 stories, issue 17): on two cores it took a third of them. It saves at the lowest priority."""
    from feedsvc.config import load_config
    from feedsvc.serve.app import Service
    from feedsvc.store import parsecache

    store_dir, cache = cached_store
    if not forking.can_fork():
        pytest.skip("one core, or a thread is running: the refresher saves it instead")
    seen = tmp_path / "niceness"
    real_save = parsecache.ParseCache.save
    monkeypatch.setattr(
        parsecache.ParseCache,
        "save",
        lambda self, *a: (seen.write_text(str(os.getpriority(os.PRIO_PROCESS, 0))), real_save(self, *a))[-1],
    )
    config = load_config(overrides={"store": store_dir.root, "cache_dir": str(cache), "stats": False})
    Service(config, threads_after_fork=True)
    deadline = time.monotonic() + 10
    while not (cache / "articles.pickle").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert int(seen.read_text()) == min(os.getpriority(os.PRIO_PROCESS, 0) + 19, 19)


def test_stories_loaded_from_the_cache_share_their_bylines_and_photo_sizes(store_dir, tmp_path, counted):
    """A hundred thousand stories unpickled from the cache (or from the forked readers) carry a few
    bylines and photo sizes between them: each is one object, not one per story (issue 17's memory)."""
    photo = {"src": "https://images.example.com/{}.jpg", "type": "image/jpeg", "width": 1200, "height": 800}
    for i in range(4):
        shown = {**photo, "src": photo["src"].format(i)}
        age(store_dir.write(f"world/s{i}.md", article(title=f"Story {i}", authors=["Ana Ruiz"], photo=shown)))
    age(store_dir.root / "_site.yml")
    cache = tmp_path / "cache"
    load(store_dir, cache).save_cache()
    counted.clear()
    stories = list(load(store_dir, cache).snapshot.by_id.values())
    assert counted == [] and len(stories) == 4  # every story came back from the cache
    first = stories[0]
    assert all(story.authors is first.authors for story in stories)
    assert all(story.photo.width is first.photo.width and story.photo.height is first.photo.height for story in stories)
    assert [story.photo.width for story in stories] == [1200] * 4 and first.authors[0].name == "Ana Ruiz"


def test_a_start_from_the_cache_holds_little_more_than_the_stories_it_loads(store_dir, tmp_path, counted, monkeypatch):
    """One pickle of a whole store keeps every object it made, and the fields each story was rebuilt
    from, until it ends: at 100,000 stories the load peaked 134 MB above what it kept, and the freed
    holes stayed resident in the service and every worker it forks (issue 17's memory). Chunk by chunk,
    the peak is the stories and one chunk's leftovers."""
    import tracemalloc

    from feedsvc.store import parsecache

    monkeypatch.setattr(parsecache, "CHUNK", 25)
    photo = {"src": "https://images.example.com/{}.jpg", "type": "image/jpeg", "width": 1200, "height": 800}
    for i in range(400):
        related = [{"title": f"Earlier story {i}-{n}", "url": f"https://news.example.com/{i}/{n}"} for n in range(3)]
        shown = {**photo, "src": photo["src"].format(i)}
        text = article(title=f"Story number {i}", tags=["harbour", f"tag-{i % 7}"], photo=shown, related=related)
        age(store_dir.write(f"world/s{i:03d}.md", text))
    age(store_dir.root / "_site.yml")
    cache = tmp_path / "cache"
    load(store_dir, cache).save_cache()
    counted.clear()
    measured = []
    real_load = parsecache.ParseCache.load

    def measured_load(self, context):
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        loaded = real_load(self, context)
        kept, peak = tracemalloc.get_traced_memory()
        measured.append((kept - before, peak - kept))
        return loaded

    monkeypatch.setattr(parsecache.ParseCache, "load", measured_load)
    tracemalloc.start()
    try:
        store = load(store_dir, cache)
    finally:
        tracemalloc.stop()
    assert counted == [] and len(store.snapshot.by_id) == 400  # every story came from the cache
    [(kept, above)] = measured
    assert above < 0.1 * kept, f"the load peaked {above:,} bytes above the {kept:,} it kept"
