"""Limits. An article file over the size limit, a store of tens of thousands of files in one folder, a
photo that is huge (a sparse file over max_photo_bytes), truncated, or a decompression bomb (huge
dimensions in a tiny file), and a body of pathologically nested markup: each is handled with a named
problem (or in bounded time), in bounded memory — measured as the peak RSS of a subprocess that builds
the service and fetches every feed — and the rest of the store is served. (A feed over max_feed_bytes:
tests/test_max_feed_bytes.py.)
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from feedsvc.serve.app import create_app

from .audit import files_opened, opened_under
from .conftest import BASE_URL, ROOT, StoreDir, article, make_jpeg
from .feeds import xml

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
