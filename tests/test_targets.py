"""`feedsvc check --targets`: each story and feed is checked against what Microsoft Start, Flipboard
and Google News publish as their requirements; every finding names the consumer and the rule."""

from __future__ import annotations

from feedsvc.words import plural

from .cli import feedsvc
from .conftest import ROOT, article, make_jpeg

LONG_BODY = " ".join(["A sentence long enough to fill out a proper summary for the readers."] * 12)


def check_targets(store, *extra, env_extra=None):

    result = feedsvc("check", "--targets", str(store), *extra, env=env_extra)
    return result, result.stdout.splitlines()


def test_the_sample_store_only_lacks_photos_on_some_stories():
    result, lines = check_targets(ROOT / "articles")
    assert result.returncode == 0
    findings = [
        line
        for line in lines
        if ": Microsoft Start: " in line
        or ": Flipboard: " in line
        or ": Google News: " in line
        or ": All consumers: " in line
    ]
    assert findings and all("no photo; only stories with a photo are published automatically" in f for f in findings)
    assert lines[-1].endswith(plural(len(findings), "aggregator finding"))


def test_each_rule_names_its_consumer(store_dir):
    make_jpeg(store_dir.root / "media/small.jpg", size=(640, 480))
    make_jpeg(store_dir.root / "media/tall.jpg", size=(500, 1200))
    make_jpeg(store_dir.root / "media/strip.jpg", size=(1600, 300))
    store_dir.write(
        "world/small.md",
        article(
            title="A story with a photo that is too small",
            body=LONG_BODY,
            photo={"src": "media/small.jpg", "caption": "Small.", "credit": "Us"},
        ),
    )
    store_dir.write(
        "world/tall.md",
        article(
            title="A story with a photo that is too tall",
            body=LONG_BODY,
            photo={"src": "media/tall.jpg", "credit": "Us"},
        ),
    )
    store_dir.write(
        "world/strip.md",
        article(
            title="A story with a photo that is a thin strip",
            body=LONG_BODY,
            photo={"src": "media/strip.jpg", "caption": "Strip."},
        ),
    )
    store_dir.write(
        "world/short.md",
        article(
            title="Too short",
            body="Only a line.",
            photo={"src": "https://images.example.com/x.jpg", "caption": "C", "credit": "Us"},
        ),
    )
    store_dir.write("world/long.md", article(title="A headline that goes on " * 8, body=LONG_BODY))
    result, lines = check_targets(store_dir.root)
    assert result.returncode == 0, result.stderr
    out = "\n".join(lines)
    root = f"{store_dir.root}/world"
    assert (
        f"{root}/small.md: Microsoft Start: photo is 640×480 px; at least 720 px on the long side is recommended"
        in lines
    )
    assert (
        f"{root}/tall.md: Microsoft Start: photo is 500×1200 px (aspect ratio 0.42); "
        "outside 0.5–1.89 it may not display well"
    ) in lines
    assert f"{root}/tall.md: All consumers: photo has no caption" in lines
    assert f"{root}/strip.md: Flipboard: photo is 1600×300 px; at least 400 px on the short side is expected" in lines
    assert (
        f"{root}/strip.md: Microsoft Start: photo is 1600×300 px (aspect ratio 5.33); "
        "outside 0.5–1.89 it may not display well"
    ) in lines
    assert f"{root}/strip.md: All consumers: photo has no credit" in lines
    assert f"{root}/short.md: Microsoft Start: headline is 9 characters; 20–150 are accepted" in lines
    assert any(line.startswith(f"{root}/short.md: Flipboard: summary is 12 characters; at least 300") for line in lines)
    assert (
        f"{root}/short.md: All consumers: photo size is unknown; give width and height so consumers can use it" in lines
    )
    assert f"{root}/long.md: Microsoft Start: headline is 191 characters; 20–150 are accepted" in lines
    assert "small.md: Flipboard" not in out  # its summary is long enough


def test_feed_size_and_publishing_bursts_for_google_news(store_dir):
    for i in range(61):
        store_dir.write(
            f"world/burst-{i:02d}.md",
            article(
                title=f"One of sixty-one stories in a single minute {i}", published="2013-05-02 17:40", body=LONG_BODY
            ),
        )
    result, lines = check_targets(store_dir.root, env_extra={"FEEDSVC_MAX_FEED_BYTES": "20000"})
    assert result.returncode == 0, result.stderr
    assert any(
        line.startswith("sections/world/rss.xml: Google News: would be ")
        and "left out to stay under 20,000 bytes" in line
        for line in lines
    )
    assert (
        "sections/world/: Google News: 61 stories were published within 300 s (one polling interval); "
        "at most 60 new stories are read per fetch" in lines
    )
