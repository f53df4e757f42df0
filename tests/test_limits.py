"""Limits. An article file over the size limit, a store of tens of thousands of files in one folder, a
photo that is huge (a sparse file over max_photo_bytes), truncated, or a decompression bomb (huge
dimensions in a tiny file), and a body of pathologically nested markup: each is handled with a named
problem (or in bounded time), in bounded memory — measured as the peak RSS of a subprocess that builds
the service and fetches every feed — and the rest of the store is served. A feed over max_feed_bytes
drops whole items from its end: never cut mid-item, still valid, no more items than needed, its
Last-Modified from what it holds, and not claiming to be complete (RFC 5005); archives obey the same
limit and, with the feed, still reach every story.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, ROOT, StoreDir, article, make_jpeg
from .feeds import NS, xml
from .hostile import feed_paths, files_opened, opened_under, read_feed

pytestmark = pytest.mark.xdist_group("limits")  # the baseline is measured once, on one worker

# Builds the service on a store in a fresh interpreter, fetches the documents, and reports what it cost.
PROBE = r"""
import json, resource, sys, time
started = time.monotonic()
from feedsvc.serve.app import create_app
app = create_app({"cache_dir": "off", **json.loads(sys.argv[1])}, auto_refresh=False)
client = app.test_client()
documents = {path: client.get(path) for path in json.loads(sys.argv[2])}
snapshot = app.extensions["feedsvc"].store.snapshot
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "seconds": time.monotonic() - started, "rss_mb": max(own.ru_maxrss, children.ru_maxrss) / 1024,
    "cpu": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
    "problems": [[p.path, p.severity, str(p)] for p in snapshot.problems], "articles": len(snapshot.by_id),
    "documents": {path: [r.status_code, r.data.decode("utf-8", "replace")] for path, r in documents.items()},
}))
"""
PATHS = ["/", "/rss.xml", "/atom.xml", "/feed.json", "/sections/world/rss.xml", "/sections/world/atom.xml"]


def probe(store: Path, paths=PATHS, timeout: float = 300, **config) -> dict:
    config = {"store": str(store), "base_url": BASE_URL, **config}
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps(config), json.dumps(paths)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"building the service on {store} took over {timeout} s")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    report["wall"] = time.monotonic() - started
    return report


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> float:
    """Peak RSS (MB) of the same probe on a ten-story store: what every other figure is compared with."""
    store = StoreDir(tmp_path_factory.mktemp("baseline") / "store")
    store.root.mkdir()
    store.write_site()
    for i in range(10):
        store.write(f"world/s{i}.md", article(title=f"Baseline story {i}"))
    return probe(store.root)["rss_mb"]


def named(report: dict, relpath: str, *words: str, severity: str = "error") -> list[str]:
    """The messages of `severity` that name `relpath` and contain every one of `words`."""
    return [
        message
        for path, found, message in report["problems"]
        if path.endswith("/" + relpath) and found == severity and all(w in message for w in words)
    ]


def served_titles(report: dict, path: str = "/rss.xml") -> list[str]:
    status, body = report["documents"][path]
    assert status == 200, path
    return [t.text for t in xml(body.encode()).iterfind("channel/item/title")]


# ---- article size ---------------------------------------------------------------------------------


def test_an_article_over_the_size_limit_is_named_and_never_read(store_dir, baseline):
    store_dir.write("world/good.md", article(title="A story of a normal size"))
    just_over = store_dir.write("world/just-over.md", article(body="x" * (1 << 20)))
    enormous = store_dir.root / "world/enormous.md"
    with open(enormous, "wb") as fh:  # 8 GiB, sparse: only a stat can afford it
        fh.write(article().encode())
        fh.truncate(8 << 30)
    with files_opened() as opened:
        app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
        body = app.test_client().get("/rss.xml").data
    assert not opened_under(opened, just_over, enormous), "a file over the limit was opened"
    messages = [str(p) for p in app.extensions["feedsvc"].store.snapshot.problems]
    assert any("world/just-over.md" in m and "over the 1,048,576-byte limit" in m for m in messages), messages
    assert any("world/enormous.md" in m and "8,589,934,592 bytes" in m for m in messages), messages
    assert [e.text for e in xml(body).iterfind("channel/item/title")] == ["A story of a normal size"]
    report = probe(store_dir.root)
    assert report["rss_mb"] < baseline + 30, report["rss_mb"]


# ---- many files -----------------------------------------------------------------------------------


def write_many(root: Path, count: int) -> None:
    """`count` small stories in one folder, written directly (a few seconds for tens of thousands)."""
    StoreDir(root).write_site()
    folder = root / "world"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"story-{i:06d}.md").write_text(
            f"---\ntitle: Story number {i}\nsection: world\n"
            f"published: 2013-05-02T{i % 24:02d}:{i % 60:02d}:{i % 59:02d}Z\n"
            f"id: story-{i}\n---\nThe body of story {i}, with a few words in it.\n",
            "utf-8",
        )


def many_files(tmp_path: Path, count: int, baseline: float) -> None:
    write_many(tmp_path / "store", count)
    report = probe(tmp_path / "store", timeout=max(120, count / 200))
    print(
        f"\n{count:,} files in one folder: served in {report['seconds']:.1f} s ({report['cpu']:.1f} s of CPU), "
        f"peak RSS {report['rss_mb']:.0f} MB (baseline {baseline:.0f} MB)"
    )
    assert report["articles"] == count and not report["problems"]
    assert len(served_titles(report)) == 50
    for path in PATHS:
        assert report["documents"][path][0] == 200
    assert report["cpu"] < 10 + count / 1000, report["cpu"]  # 20,000 files: 30 s of CPU at most
    assert report["rss_mb"] < baseline + 40 + count * 4 / 1024, report["rss_mb"]  # about 4 KB a story


def test_twenty_thousand_files_in_one_folder(tmp_path, baseline):
    many_files(tmp_path, 20_000, baseline)


@pytest.mark.slow
def test_a_hundred_thousand_files_in_one_folder(tmp_path, baseline):
    many_files(tmp_path, 100_000, baseline)


# ---- photos ---------------------------------------------------------------------------------------


def png_with_size(path: Path, width: int, height: int) -> Path:
    """A valid PNG header claiming `width`×`height`, and almost no data: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024, 9))
        + chunk(b"IEND", b"")
    )
    return path


def jpeg_with_size(path: Path, width: int, height: int) -> Path:
    """A real small JPEG whose frame header is rewritten to claim `width`×`height`."""
    data = bytearray(make_jpeg(path, size=(16, 16)).read_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))
    return path


def huge_sparse(path: Path) -> Path:
    make_jpeg(path, size=(64, 64))
    with open(path, "r+b") as fh:
        fh.truncate(21 << 20)  # over the 20 MiB default; sparse, so cheap
    return path


def truncated(path: Path) -> Path:
    data = make_jpeg(path, size=(1600, 1200)).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


PHOTOS = {
    "huge": (huge_sparse, ("22,020,096 bytes", "over the 20,971,520-byte limit")),
    "truncated": (truncated, ("damaged or truncated",)),
    "png-bomb": (lambda p: png_with_size(p, 100_000, 100_000), ("100000×100000 pixels", "60,000,000-pixel limit")),
    "jpeg-bomb": (lambda p: jpeg_with_size(p, 65_000, 65_000), ("65000×65000 pixels",)),
    "png-wide": (lambda p: png_with_size(p, 2**31 - 1, 1), ("pixels",)),
    "empty": (lambda p: (p.parent.mkdir(parents=True, exist_ok=True), p.write_bytes(b""), p)[2], ("empty",)),
}


def test_bad_photos_are_named_in_bounded_memory_and_the_rest_is_served(store_dir, baseline):
    """Every kind at once, in one store: each bad photo is named and left out, its story published
    without it; the huge file is never opened, not even by /media/."""
    suffixes = {kind: ".png" if "png" in kind else ".jpg" for kind in PHOTOS}
    for n, (kind, (make, _)) in enumerate(PHOTOS.items()):
        make(store_dir.root / f"media/{kind}{suffixes[kind]}")
        store_dir.write(
            f"world/{kind}.md",
            article(
                title=f"The story with the {kind} photo",
                published=f"2013-04-{n + 1:02d}",
                photo={"src": f"media/{kind}{suffixes[kind]}", "caption": "c"},
            ),
        )
    store_dir.write("world/good.md", article(title="A story without a photo", published="2013-05-01"))
    make_jpeg(store_dir.root / "media/fine.jpg", size=(120, 80))
    store_dir.write(
        "world/fine-photo.md",
        article(
            title="A story with a fine photo",
            published="2013-05-02",
            photo={"src": "media/fine.jpg", "caption": "fine"},
        ),
    )
    media = [f"/media/{kind}{suffix}" for kind, suffix in suffixes.items()]
    report = probe(store_dir.root, paths=[*PATHS, *media, "/media/fine.jpg"])
    for kind, (_, words) in PHOTOS.items():
        assert named(
            report, f"world/{kind}.md", "photo.src", *words, "published without its photo", severity="warning"
        ), (kind, report["problems"])
    assert served_titles(report) == [
        "A story with a fine photo",
        "A story without a photo",
        *(f"The story with the {kind} photo" for kind in reversed(PHOTOS)),
    ]
    assert len(xml(report["documents"]["/rss.xml"][1].encode()).findall("channel/item/enclosure")) == 1
    assert report["documents"]["/media/fine.jpg"][0] == 200
    assert report["documents"]["/media/huge.jpg"][0] == 404 and report["documents"]["/media/empty.jpg"][0] == 404
    assert report["rss_mb"] < baseline + 30, f"peak RSS {report['rss_mb']:.0f} MB, baseline {baseline:.0f} MB"
    with files_opened() as opened:  # refused by its size: never opened
        app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
        assert app.test_client().get("/media/huge.jpg").status_code == 404
    assert not opened_under(opened, store_dir.root / "media/huge.jpg")


# ---- pathological markup --------------------------------------------------------------------------

NESTED = {  # each a few hundred KB; a linear renderer needs about a second of CPU
    "div": "<div>" * 60_000,
    "ul": "<ul>" * 60_000,
    "self-closed-div": "<div/>" * 60_000,  # HTML ignores "/>" on a div: it still nests
    "div-and-stray-end-tags": "<div></b>" * 60_000,  # an end tag with nothing to close is ignored
    "brackets": "[" * 100_000,
}


@pytest.mark.parametrize("kind", NESTED)
def test_a_body_of_pathological_markup_renders_in_bounded_time(store_dir, kind):
    """One article (a few hundred KB, well under the 1 MiB limit) must not stall a worker's start:
    gunicorn kills a worker that takes more than 30 s to boot, so a slow render is an outage."""
    store_dir.write("world/nested.md", article(title="Deeply nested", body=NESTED[kind] + "text"))
    store_dir.write("world/good.md", article(title="A good story", published="2013-05-01"))
    report = probe(store_dir.root, timeout=120)
    titles = served_titles(report)
    assert "A good story" in titles
    assert "Deeply nested" in titles or named(report, "world/nested.md", "body"), "left out without a word"
    assert report["cpu"] < 5, f"{kind}: {len(NESTED[kind]):,} bytes took {report['cpu']:.1f} s of CPU to serve"


def test_markup_shown_as_code_is_not_taken_for_nesting(store_dir):
    """A story about HTML quotes tags in code blocks and code spans; that is text, not nesting, and the
    story is published (the Hypothesis long run found this one)."""
    code = "```html\n" + "<div>\n" * 1_200 + "```\n\nAnd inline: " + "`<section>` " * 1_200 + "\n"
    store_dir.write("world/html-tutorial.md", article(title="How to nest a div", body=code))
    report = probe(store_dir.root)
    assert not named(report, "world/html-tutorial.md"), report["problems"]
    assert served_titles(report) == ["How to nest a div"]


# ---- max_feed_bytes -------------------------------------------------------------------------------


def long_store(store_dir: StoreDir, sizes: list[int]) -> None:
    """Stories newest first with bodies of `sizes` words; the oldest one corrected most recently."""
    newest = datetime(2013, 5, 28, 12, tzinfo=UTC)
    for i, words in enumerate(sizes):
        path = store_dir.write(
            f"world/s{i:02d}.md",
            article(
                title=f"Story {i:02d}",
                published=(newest - timedelta(hours=i)).isoformat(),
                updated="2014-01-01T00:00:00Z" if i == len(sizes) - 1 else None,
                body="\n\n".join(
                    "Lorem ipsum dolor sit amet, consectetur adipiscing. " * 10 for _ in range(words // 80 + 1)
                ),
            ),
        )
        saved = datetime(2014, 1, 1, tzinfo=UTC) if i == len(sizes) - 1 else newest - timedelta(days=365)
        os.utime(path, (saved.timestamp(), saved.timestamp()))  # each file saved when it was dated
    os.utime(store_dir.root / "_site.yml", (0, 0))


def items_of(path: str, body: bytes) -> list[bytes]:
    """Each item as its own bytes (RSS item, Atom entry, JSON Feed item)."""
    if path.endswith(".json"):
        return [json.dumps(item, sort_keys=True).encode() for item in json.loads(body)["items"]]
    tag = "channel/item" if path.endswith("rss.xml") else "atom:entry"
    # Exclusive C14N: namespaces the item does not use (fh:, when the feed says it is complete) don't count.
    return [
        etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
        for element in xml(body).iterfind(tag, NS)
    ]


SHAPES = {"uniform": [1200] * 30, "short-new-long-old": [20] * 20 + [1500] * 20}
LIMIT = 50_000
FEEDS = feed_paths(["world"], formats=("rss.xml", "atom.xml", "feed.json"))


@pytest.fixture(params=SHAPES)
def trimmed(request, store_dir):
    """Each feed of a store that overflows LIMIT: (path, trimmed response, complete body) for every feed."""
    long_store(store_dir, SHAPES[request.param])
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": LIMIT}, auto_refresh=False)
    whole = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    feeds = [(path, app.test_client().get("/" + path), whole.test_client().get("/" + path).data) for path in FEEDS]
    for _path, _, complete in feeds:
        assert len(complete) > LIMIT, "the test store must overflow the limit"
    return store_dir, feeds


def test_a_feed_over_max_feed_bytes_drops_whole_items_from_its_end(trimmed):
    _, feeds = trimmed
    for path, response, complete in feeds:
        assert len(response.data) <= LIMIT, (path, len(response.data))
        read_feed(path, response.data)  # still valid
        kept, every = items_of(path, response.data), items_of(path, complete)
        assert kept and kept == every[: len(kept)], path  # whole items, the newest ones


def test_a_trimmed_feed_keeps_every_item_that_fits(trimmed):
    store_dir, feeds = trimmed
    for path, response, _ in feeds:
        kept = len(items_of(path, response.data))
        one_more = (
            create_app({"store": store_dir.root, "base_url": BASE_URL, "items_per_feed": kept + 1}, auto_refresh=False)
            .test_client()
            .get("/" + path)
            .data
        )
        assert len(one_more) > LIMIT, (
            f"{path}: kept {kept} items in {len(response.data):,} bytes, but "
            f"{kept + 1} fit in {len(one_more):,} bytes (limit {LIMIT:,})"
        )


def test_a_trimmed_feeds_last_modified_is_its_newest_item(trimmed):
    """Last-Modified comes from what the document holds (README), not from items left out of it."""
    _, feeds = trimmed
    for path, response, _ in feeds:
        if path.endswith(".json"):
            items = json.loads(response.data)["items"]
            newest = max(datetime.fromisoformat(item["date_modified"]) for item in items)
        else:
            entries = read_feed(path, response.data).entries
            newest = max(datetime(*e.updated_parsed[:6], tzinfo=UTC) for e in entries)
        assert response.headers["Last-Modified"] == newest.strftime("%a, %d %b %Y %H:%M:%S GMT"), path


def test_a_story_too_long_for_any_feed_is_carried_by_its_summary_and_a_link(store_dir):
    """A 130 KB body in feeds limited to 20 KB: rather than vanish from every feed, the story is there,
    whole, with its summary and a link to the full text; a story of ordinary length beside it keeps its body."""
    long_store(store_dir, [200, 20_000])
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": 20_000}, auto_refresh=False)
    for path in feed_paths(["world"], formats=("rss.xml", "atom.xml", "feed.json")):
        body = app.test_client().get("/" + path).data
        assert len(body) <= 20_000, path
        if path.endswith(".json"):
            contents = {item["title"]: item["content_html"] for item in json.loads(body)["items"]}
        else:
            contents = {e.title: e.content[0].value for e in read_feed(path, body).entries}
        assert set(contents) == {"Story 00", "Story 01"}, path
        assert contents["Story 00"].count("Lorem ipsum") > 10  # the short one, whole
        assert (
            "Read the whole story" in contents["Story 01"]
            and "https://news.example.com/world/s01" in contents["Story 01"]
            and contents["Story 01"].count("Lorem ipsum") <= 6
        )  # the summary, not the body


def test_a_trimmed_feed_does_not_claim_to_be_complete(store_dir):
    """README: "while every story of a section fits in its feed, the feed says so (fh:complete)". A feed
    that left stories out to fit max_feed_bytes must not say so: RFC 5005 readers would take the stories
    left out as deleted."""
    long_store(store_dir, [1200] * 30)  # 30 stories: fewer than items_per_feed
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": LIMIT}, auto_refresh=False)
    for path in feed_paths(["world"]):
        body = app.test_client().get("/" + path).data
        kept = len(items_of(path, body))
        assert kept < 30, "the test store must overflow the limit"
        complete = xml(body).find(".//{http://purl.org/syndication/history/1.0}complete")
        assert complete is None, f"{path} holds {kept} of 30 stories and says it is complete (fh:complete)"


def test_archive_documents_stay_under_max_feed_bytes_too(store_dir):
    """A section that outgrows its feed gets monthly RFC 5005 archives; they are feeds as well, fetched by
    anyone, and must not grow without bound (a busy month of long stories)."""
    newest = datetime(2013, 5, 28, 12, tzinfo=UTC)
    for i in range(80):
        store_dir.write(
            f"world/s{i:02d}.md",
            article(
                title=f"Story {i:02d}",
                published=(newest - timedelta(hours=i)).isoformat(),
                body="Lorem ipsum dolor sit amet, consectetur. " * 60,
            ),
        )
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "max_feed_bytes": LIMIT}, auto_refresh=False)
    client = app.test_client()
    for fmt in ("rss.xml", "atom.xml"):
        archives = [p for p in app.extensions["feedsvc"].publisher.paths() if "/archive/" in p and p.endswith(fmt)]
        assert archives, "the store must have archives"
        seen = {e.id for e in read_feed(f"sections/world/{fmt}", client.get(f"/sections/world/{fmt}").data).entries}
        for path in archives:
            body = client.get("/" + path).data
            assert len(body) <= LIMIT, f"{path}: {len(body):,} bytes, over max_feed_bytes ({LIMIT:,})"
            seen |= {e.id for e in read_feed(path, body).entries}
        # RFC 5005 §4: the feed and its archives together hold every entry; a story trimmed from an
        # archive page to fit is in no document at all.
        missing = sorted(
            f"tag:news.example.com,2013-01-01:world/s{i:02d}"
            for i in range(80)
            if f"tag:news.example.com,2013-01-01:world/s{i:02d}" not in seen
        )
        assert not missing, f"{fmt}: {len(missing)} of 80 stories are in neither the feed nor any archive"
