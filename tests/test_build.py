"""`feedsvc build`: the same bytes and headers as the service, written atomically and incrementally."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.http import parse_date

import feedsvc.static.rendering as rendering
from feedsvc.config import load_config
from feedsvc.static.build import BUILD_RECORD, HEADERS_FILE, NGINX_FILE, BuildError, build

from . import cli
from .conftest import BASE_URL, SAMPLE_STORE, article, make_jpeg

HEADER_NAMES = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary")


def config_for(store: Path, **overrides):
    return load_config(overrides={"store": store, "base_url": BASE_URL, **overrides})


def tree(out: Path) -> dict[str, tuple[str, int, int]]:
    """path → (sha256, mtime_ns, inode) of every file in a build output."""
    return {
        str(p.relative_to(out)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def served_path(name: str) -> str:
    return "/" + (name[: -len("index.html")] if name.endswith("index.html") else name)


def read_headers_file(out: Path) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in (out / HEADERS_FILE).read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("/"):
            current = rules.setdefault(line, {})
        else:
            name, _, value = line.strip().partition(": ")
            current[name] = value
    return rules


@pytest.fixture
def sample_build(tmp_path):
    out = tmp_path / "public"
    report = build(config_for(SAMPLE_STORE), out)
    return out, report


def test_every_built_file_has_the_bytes_the_service_serves(sample_build, client):
    out, report = sample_build
    names = [n for n in tree(out) if n not in (BUILD_RECORD, HEADERS_FILE, NGINX_FILE)]
    documents = [n for n in names if not n.endswith(".gz")]
    assert "index.html" in documents and "sections/world-nation/atom.xml" in documents
    assert {
        "authors/priya-natarajan/rss.xml",
        "authors/tomas-ortega/feed.json",
        "authors/tomas-ortega/index.html",
        "tags/harbor-street/atom.xml",
        "tags/harbor-street/index.html",
        "authors.opml",
        "tags.opml",
        "news-sitemap.xml",
        "robots.txt",
        "media/staff/priya-natarajan.jpg",
        "subscribe/index.html",
        "sections/science/subscribe/index.html",
        "authors/tomas-ortega/subscribe/index.html",
        "tags/harbor-street/subscribe/index.html",
    } <= set(documents)
    assert "media/2013/obama-pena-nieto.jpg" in documents
    for name in documents:
        response = client.get(served_path(name))
        assert response.status_code == 200, name
        assert (out / name).read_bytes() == response.data, name
        # a .gz copy of everything the service compresses (it varies on Accept-Encoding) but archives
        compressed = "Accept-Encoding" in response.headers.get("Vary", "") and "/archive/" not in name
        assert (out / (name + ".gz")).exists() == compressed, name
        if compressed:
            zipped = client.get(served_path(name), headers={"Accept-Encoding": "gzip"})
            assert (out / (name + ".gz")).read_bytes() == zipped.data, name
            assert gzip.decompress(zipped.data) == response.data
    assert {n for n in names if n.endswith(".gz")} >= {"rss.xml.gz", "atom.xml.gz", "sections/local/rss.xml.gz"}
    assert report.files == len(tree(out)) - 1  # everything but the build record


def test_the_headers_manifest_matches_the_service(sample_build, client):
    out, _ = sample_build
    rules = read_headers_file(out)
    assert "/sections/business/rss.xml" in rules and "/" in rules
    for path, headers in rules.items():
        response = client.get(path)
        for name in HEADER_NAMES:
            assert headers.get(name) == response.headers.get(name), (path, name)


def test_file_times_are_each_documents_last_modified(sample_build, client):
    out, _ = sample_build
    for name in ("rss.xml", "rss.xml.gz", "sections/science/atom.xml", "index.html"):
        last_modified = parse_date(client.get(served_path(name.removesuffix(".gz"))).headers["Last-Modified"])
        assert (out / name).stat().st_mtime == last_modified.timestamp(), name


def test_a_second_build_of_an_unchanged_store_rewrites_nothing(sample_build):
    out, _ = sample_build
    before = tree(out)
    report = build(config_for(SAMPLE_STORE), out)
    assert not report.changed and report.written == []
    assert "nothing changed" in report.summary()
    assert tree(out) == before  # bytes, mtimes and inodes


def test_a_build_after_one_edit_rewrites_only_the_feeds_that_story_is_in(tmp_path):
    store = tmp_path / "articles"
    shutil.copytree(SAMPLE_STORE, store)
    out = tmp_path / "public"
    build(config_for(store), out)
    before = tree(out)
    story = store / "science/tide-pool-census.md"
    story.write_text(story.read_text().replace("census", "count", 1))
    report = build(config_for(store), out)
    after = tree(out)
    rewritten = {n for n in after if after[n] != before.get(n)}
    # every story's, its section's, its writer's (bylined "P. Natarajan": Priya Natarajan) and its tags' that have feeds
    feeds_and_pages = {
        f"{scope}{name}"
        for scope in ("", "sections/science/", "authors/priya-natarajan/", "tags/sample/")
        for name in ("rss.xml", "atom.xml", "feed.json", "index.html")
    }
    assert rewritten == feeds_and_pages | {name + ".gz" for name in feeds_and_pages} | {HEADERS_FILE, BUILD_RECORD}
    assert sorted(report.written) == sorted(rewritten - {BUILD_RECORD})


def test_a_deleted_story_and_a_new_section_are_reflected(tmp_path):
    store = tmp_path / "articles"
    shutil.copytree(SAMPLE_STORE, store)
    out = tmp_path / "public"
    build(config_for(store), out)
    site = store / "_site.yml"
    site.write_text(site.read_text() + "  - slug: sports\n    title: Sports\n    description: Games.\n")
    (store / "local/library-extends-hours.md").unlink()
    build(config_for(store), out)
    assert (out / "sections/sports/rss.xml").is_file()
    assert b"library-extends-hours" not in (out / "rss.xml").read_bytes()


def test_a_bad_article_is_reported_and_left_out_and_the_build_completes(tmp_path, store_dir):
    store_dir.write("world/good.md", article(title="A good story to publish"))
    store_dir.write("world/bad.md", article(title="A bad one", published="tomorrow-ish"))
    out = tmp_path / "public"
    report = build(config_for(store_dir.root), out)
    assert report.errors == 1
    assert b"A good story to publish" in (out / "rss.xml").read_bytes()
    assert b"A bad one" not in (out / "rss.xml").read_bytes()


def test_strict_fails_before_touching_the_output(tmp_path, store_dir):
    store_dir.write("world/good.md", article(title="A good story to publish"))
    out = tmp_path / "public"
    build(config_for(store_dir.root), out)
    before = tree(out)
    store_dir.write("world/bad.md", article(title="A bad one", published="tomorrow-ish"))
    store_dir.write("world/good.md", article(title="A good story, edited"))
    with pytest.raises(BuildError, match="--strict"):
        build(config_for(store_dir.root), out, strict=True)
    assert tree(out) == before


def test_it_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    with pytest.raises(BuildError, match="not written by feedsvc build"):
        build(config_for(SAMPLE_STORE), out)
    assert (out / "thesis.txt").read_text() == "years of work"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return cli.feedsvc(*args, env={"FEEDSVC_BASE_URL": BASE_URL})


def test_the_command_says_each_phase_and_ends_with_a_summary(tmp_path):
    out = tmp_path / "public"
    result = run_cli("build", str(out), "--store", "articles/")
    assert result.returncode == 0, result.stderr
    phases = [line.split(" in ")[0] for line in result.stderr.splitlines()]
    assert phases == ["read 14 stories", "rendered 63 documents", "wrote 118 files"], result.stderr
    summary = result.stdout.strip()
    assert summary.startswith(f"built {out}: 12 articles, 30 feeds, ")  # 5 sections (and all), 3 writers, 2 tags
    assert "0 problems" in summary
    again = run_cli("build", str(out), "--store", "articles/")
    phases = [line.split(" in ")[0] for line in again.stderr.splitlines()]
    assert phases == ["read 14 stories", "rendered 0 documents", "kept 118 files"], again.stderr  # none rewritten
    assert "(nothing changed, output left as it was)" in again.stdout
    quiet = run_cli("build", str(out), "--store", "articles/", "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_the_command_fails_with_strict_on_a_broken_store(tmp_path):
    result = run_cli("build", str(tmp_path / "out"), "--store", "tests/stores/problems", "--strict")
    assert result.returncode == 1
    assert "tests/stores/problems/world/bad-date.md: published: 'tomorrow-ish' is not a date" in result.stderr
    assert not (tmp_path / "out").exists()


def test_nothing_left_in_the_staging_tree_reaches_the_output_or_leads_out_of_it(tmp_path, store_dir):
    """The tree a build swaps out stays beside the output to stage the next build. Whatever is found
    in it — stray files, changed bytes, links out of the tree — must not reach the next output, and
    nothing outside the staging tree may be touched."""
    store_dir.write("world/one.md", article(title="The first story of the world section"))
    store_dir.write("world/two.md", article(title="The second story of the world section", published="2013-05-03"))
    make_jpeg(store_dir.root / "media/photo.jpg")
    store_dir.write(
        "world/three.md", article(title="A third story, with a photo in it", photo={"src": "media/photo.jpg"})
    )
    out = tmp_path / "public"
    build(config_for(store_dir.root), out)
    store_dir.write("world/one.md", article(title="The first story, edited once"))
    build(config_for(store_dir.root), out)
    staging = tmp_path / ".public.staging"
    assert (staging / "sections/world/rss.xml").is_file()  # the tree swapped out, kept

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("not the build's")
    (staging / "atom.xml").unlink()
    (staging / "atom.xml").write_text("garbage in a file of the same name")
    (staging / "rss.xml").unlink()
    (staging / "rss.xml").symlink_to(outside / "precious.txt")
    shutil.rmtree(staging / "sections/world")
    (staging / "sections/world").symlink_to(outside, target_is_directory=True)
    shutil.rmtree(staging / "media")
    (staging / "media").write_text("a file where a folder belongs")
    (staging / "stray.txt").write_text("left by someone")
    (staging / "sections/gone").mkdir()
    (staging / "sections/gone/rss.xml").write_text("a section that no longer exists")

    store_dir.write("world/two.md", article(title="The second story, edited too", published="2013-05-03"))
    assert build(config_for(store_dir.root), out).changed
    build(config_for(store_dir.root), tmp_path / "fresh")
    assert same_documents(out, tmp_path / "fresh")
    assert not [p for p in out.rglob("*") if p.is_symlink()]
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
    assert (outside / "precious.txt").read_text() == "not the build's"


def same_documents(out: Path, fresh: Path) -> bool:
    """The same files with the same bytes, and the same headers but for Last-Modified, which in a
    rebuilt output also records when each document changed."""

    def undated(tree_dir: Path) -> dict:
        return {
            path: {k: v for k, v in headers.items() if k != "Last-Modified"}
            for path, headers in read_headers_file(tree_dir).items()
        }

    documents = {name: digest for name, digest in digests(out).items() if name != HEADERS_FILE}
    return documents == {name: digest for name, digest in digests(fresh).items() if name != HEADERS_FILE} and undated(
        out
    ) == undated(fresh)


def digests(out: Path) -> dict[str, str]:
    """path → sha256 of every file a build wrote, its own record aside (that holds inode-dependent times)."""
    return {name: digest for name, (digest, _, _) in tree(out).items() if name != BUILD_RECORD}


@pytest.mark.forks
def test_documents_rendered_in_several_processes_are_the_ones_one_process_renders(tmp_path, store_dir, monkeypatch):
    """A first build with archives renders many documents in forked processes: the tree, the header
    manifest and the build record must be what a single process writes."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the build renders in one process")
    for month in range(48):
        for section in ("world", "business"):
            store_dir.write(
                f"{section}/{month:02d}.md",
                article(
                    title=f"A {section} story from month {month} of the archive",
                    section=section,
                    published=f"{2010 + month // 12}-{month % 12 + 1:02d}-15 09:30",
                ),
            )
    config = config_for(store_dir.root, items_per_feed=5)
    monkeypatch.setattr(rendering, "PARALLEL_DOCUMENTS", 20)
    assert threading.active_count() == 1, "a thread is running: the build would not fork"
    parallel = build(config, tmp_path / "parallel")
    monkeypatch.setattr(rendering, "PARALLEL_DOCUMENTS", 10**9)
    serial = build(config, tmp_path / "serial")
    assert parallel.processes > 1 and serial.processes == 1
    assert len(parallel.written) == len(serial.written) > 200  # archives included
    assert digests(tmp_path / "parallel") == digests(tmp_path / "serial")
    records = [json.loads((tmp_path / out / BUILD_RECORD).read_text()) for out in ("parallel", "serial")]
    assert records[0]["documents"] == records[1]["documents"]
    assert {name: (entry["etag"], entry["size"]) for name, entry in records[0]["files"].items()} == {
        name: (entry["etag"], entry["size"]) for name, entry in records[1]["files"].items()
    }


def test_a_correction_of_the_same_length_changes_file_times_and_manifest_dates(tmp_path):
    """nginx makes its ETag from a file's time and size, and answers If-Modified-Since from its time: a
    correction that keeps the length and leaves `updated` alone must still move both, or every client
    revalidating against the static host is told 304 and keeps the uncorrected story."""
    store = tmp_path / "articles"
    shutil.copytree(SAMPLE_STORE, store)
    out = tmp_path / "public"
    first_build = datetime(2026, 11, 1, tzinfo=UTC)
    build(config_for(store), out, now=first_build)
    before = read_headers_file(out)["/sections/science/rss.xml"]
    before_stat = (out / "sections/science/rss.xml").stat()
    story = store / "science/tide-pool-census.md"
    assert "census" in story.read_text()
    story.write_text(story.read_text().replace("census", "tallys", 1))  # same length, same dates
    corrected = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
    os.utime(story, (corrected.timestamp(), corrected.timestamp()))
    second_build = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    build(config_for(store), out, now=second_build)
    after = read_headers_file(out)["/sections/science/rss.xml"]
    assert after["ETag"] != before["ETag"]
    assert parse_date(before["Last-Modified"]) < parse_date(after["Last-Modified"]) == corrected  # when it was saved
    after_stat = (out / "sections/science/rss.xml").stat()
    assert after_stat.st_size == before_stat.st_size and after_stat.st_mtime_ns > before_stat.st_mtime_ns
    business = read_headers_file(out)["/sections/business/rss.xml"]
    assert parse_date(business["Last-Modified"]) < first_build  # untouched feeds keep their dates


def test_a_build_keeps_no_document_once_it_is_written(tmp_path, monkeypatch):
    """A build writes each document once: holding them afterwards (a header memo did) made each
    rendering process of a 10,000-story build grow past a gigabyte."""
    import gc
    import weakref

    from feedsvc.publish.publisher import Publisher
    from feedsvc.render.document import Rendered
    from feedsvc.static.build import open_store

    made = []
    of = Rendered.of.__func__

    def recorded(cls, *args, **kwargs):
        document = of(cls, *args, **kwargs)
        made.append(weakref.ref(document))
        return document

    monkeypatch.setattr(Rendered, "of", classmethod(recorded))
    config = config_for(SAMPLE_STORE)
    publisher = Publisher(open_store(config), config.feeds, config.cache_policy)  # lives on, as under --watch
    report = build(config, tmp_path / "public", publisher=publisher)
    gc.collect()
    assert len(made) >= len(report.written) // 2 > 20
    alive = [ref() for ref in made if ref() is not None]
    assert [document for document in alive if document.kind != "media"] == []  # photos: the media library's
