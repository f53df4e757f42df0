"""RFC 5005: a section's older stories stay reachable through monthly archive documents once it
outgrows its feed; a feed that holds every story says so (fh:complete)."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime

import pytest

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, SAMPLE_STORE
from .feeds import NS, parsed, xml

NS = {**NS, "fh": "http://purl.org/syndication/history/1.0"}
WORLD = "sections/world-nation"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "articles"
    shutil.copytree(SAMPLE_STORE, root)
    return root


def app_for(store, now=NOW, **config):
    app = create_app(
        {"store": store, "base_url": BASE_URL, "items_per_feed": 2, **config}, auto_refresh=False, clock=lambda: now
    )
    return app, app.test_client()


def links(root, fmt):
    """The RFC 5005 links of a feed document (Atom links, or atom:link in an RSS channel)."""
    found = root.findall("atom:link", NS) if fmt == "atom" else root.find("channel").findall("atom:link", NS)
    return {
        link.get("rel"): link.get("href")
        for link in found
        if link.get("rel") in ("current", "prev-archive", "next-archive")
    }


def marker(root, fmt, name):
    scope = root if fmt == "atom" else root.find("channel")
    return scope.find(f"fh:{name}", NS) is not None


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_monthly_archives_link_to_each_other_and_to_the_feed(store, fmt):
    _, client = app_for(store)
    feed = xml(client.get(f"/{WORLD}/{fmt}.xml").data)
    assert not marker(feed, fmt, "complete")
    assert links(feed, fmt) == {"prev-archive": f"{BASE_URL}{WORLD}/archive/2013-05/{fmt}.xml"}
    may = xml(client.get(f"/{WORLD}/archive/2013-05/{fmt}.xml").data)
    april = xml(client.get(f"/{WORLD}/archive/2013-04/{fmt}.xml").data)
    assert marker(may, fmt, "archive") and marker(april, fmt, "archive")
    current = f"{BASE_URL}{WORLD}/{fmt}.xml"
    assert links(may, fmt) == {"current": current, "prev-archive": f"{BASE_URL}{WORLD}/archive/2013-04/{fmt}.xml"}
    assert links(april, fmt) == {"current": current, "next-archive": f"{BASE_URL}{WORLD}/archive/2013-05/{fmt}.xml"}


def walk(client, path):
    """What an RFC 5005 client does: read the feed, then follow prev-archive until there is none."""
    ids, url = [], BASE_URL + path
    while url:
        response = client.get(url.removeprefix(BASE_URL.rstrip("/")))
        assert response.status_code == 200
        d = parsed(response.data, url, response.headers["Content-Type"])
        ids += [e.id for e in d.entries]
        url = next((link.href for link in d.feed.get("links", []) if link.rel == "prev-archive"), None)
    return ids


def test_every_story_is_reachable_from_the_subscription_feed(store):
    _, client = app_for(store)
    reached = set(walk(client, f"{WORLD}/atom.xml"))
    assert reached == {
        f"tag:news.example.com,2013-01-01:world-nation/{slug}"
        for slug in ("obama-meets-pena-nieto", "somalia-famine-report", "regional-rail-link-talks")
    }


def test_archives_are_cached_as_immutable_and_the_feed_is_not(store):
    _, client = app_for(store)
    archive = client.get(f"/{WORLD}/archive/2013-04/atom.xml")
    assert archive.headers["Cache-Control"] == "public, max-age=604800, immutable"
    assert client.get(f"/{WORLD}/atom.xml").headers["Cache-Control"].startswith("public, max-age=300,")
    assert (
        client.get(f"/{WORLD}/archive/2013-04/atom.xml", headers={"If-None-Match": archive.headers["ETag"]}).status_code
        == 304
    )


def test_a_correction_to_an_old_story_changes_only_its_archive(store):
    app, client = app_for(store)
    paths = [f"/{WORLD}/atom.xml", f"/{WORLD}/archive/2013-05/atom.xml", f"/{WORLD}/archive/2013-04/atom.xml"]
    before = {p: client.get(p).headers["ETag"] for p in paths}
    story = store / "world-nation/regional-rail-link-talks.md"
    story.write_text(
        story.read_text().replace(
            "published: 2013-04-09 11:00", "published: 2013-04-09 11:00\nupdated: 2013-04-10 09:00"
        )
    )
    app.extensions["feedsvc"].store.refresh()
    after = {p: client.get(p).headers["ETag"] for p in paths}
    assert [p for p in paths if before[p] != after[p]] == [f"/{WORLD}/archive/2013-04/atom.xml"]


def test_an_edit_shows_in_its_archive_page_in_every_format_and_in_no_other_page(store):
    """A month's pages, and each page's formats, are planned from one selection of its stories, kept for
    the snapshot and the moment (publish.documents): the next snapshot's edit is in every one of them."""
    app, client = app_for(store)
    pages = [
        f"/sections/business/archive/{a}/{fmt}" for a in ("2013-04", "2013-04-2") for fmt in ("atom.xml", "rss.xml")
    ]
    before = {path: client.get(path).data for path in pages}
    story = store / "business/hardware-store-fifty-years.md"
    story.write_text(story.read_text().replace("title: Harbor Street", "title: Still open — Harbor Street", 1))
    app.extensions["feedsvc"].store.refresh()
    after = {path: client.get(path).data for path in pages}

    def titles(path: str) -> list[str]:
        return [entry.title for entry in parsed(after[path], BASE_URL + path[1:], "application/xml").entries]

    for fmt in ("atom.xml", "rss.xml"):
        first, second = f"/sections/business/archive/2013-04/{fmt}", f"/sections/business/archive/2013-04-2/{fmt}"
        assert titles(second) == ["Still open — Harbor Street hardware store marks 50 years in the same family"]
        assert "Still open" not in " ".join(titles(first)) and after[first] == before[first]


def test_the_month_still_under_way_is_not_archived(store):
    _, client = app_for(store, now=datetime(2013, 5, 20, tzinfo=UTC))
    assert client.get(f"/{WORLD}/archive/2013-05/atom.xml").status_code == 404
    assert client.get(f"/{WORLD}/archive/2013-04/atom.xml").status_code == 200


def test_a_feed_that_holds_every_story_is_marked_complete_and_has_no_archives(store):
    _, client = app_for(store, items_per_feed=50)
    for fmt in ("atom", "rss"):
        feed = xml(client.get(f"/{WORLD}/{fmt}.xml").data)
        assert marker(feed, fmt, "complete") and "prev-archive" not in links(feed, fmt)
    assert client.get(f"/{WORLD}/archive/2013-04/atom.xml").status_code == 404


def test_a_busy_month_is_split_into_pages_of_at_most_a_feeds_length(store):
    """Business has three April stories and feeds of two: April's archive has two pages, linked in order."""
    _, client = app_for(store)
    first, second = (xml(client.get(f"/sections/business/archive/{a}/atom.xml").data) for a in ("2013-04", "2013-04-2"))
    assert links(first, "atom")["next-archive"] == f"{BASE_URL}sections/business/archive/2013-04-2/atom.xml"
    assert links(second, "atom")["prev-archive"] == f"{BASE_URL}sections/business/archive/2013-04/atom.xml"
    assert second.findtext("atom:title", namespaces=NS) == "The Sample Times — Business — April 2013 (part 2)"
    dates = [
        [e.findtext("atom:published", namespaces=NS) for e in doc.findall("atom:entry", NS)] for doc in (first, second)
    ]
    assert len(dates[0]) == 2 and len(dates[1]) == 1 and max(dates[0]) < min(dates[1])  # the first page is the oldest
    assert set(walk(client, "sections/business/atom.xml")) >= {
        "tag:news.example.com,2013-01-01:business/" + s
        for s in ("port-cargo-volumes-rise", "credit-union-merger", "hardware-store-fifty-years")
    }


def test_unknown_months_and_json_archives_are_404(store):
    _, client = app_for(store)
    assert client.get(f"/{WORLD}/archive/2012-01/atom.xml").status_code == 404
    assert client.get(f"/{WORLD}/archive/2013-04/feed.json").status_code == 404
    assert client.get(f"/{WORLD}/archive/2013-13/atom.xml").status_code == 404
    assert client.get(f"/{WORLD}/archive/2013-04-2/atom.xml").status_code == 404  # one page is enough


def test_the_build_writes_the_archives_with_the_service_bytes(store, tmp_path):
    from feedsvc.config import load_config
    from feedsvc.static.build import build

    _, client = app_for(store)
    out = tmp_path / "public"
    build(load_config(overrides={"store": store, "base_url": BASE_URL, "items_per_feed": 2}), out, now=NOW)
    archives = sorted(str(p.relative_to(out)) for p in out.rglob("archive/*/*.xml"))
    assert f"{WORLD}/archive/2013-04/atom.xml" in archives
    assert "sections/business/archive/2013-04-2/atom.xml" in archives
    assert len([name for name in archives if name.startswith("sections/")]) == 16
    assert "authors/priya-natarajan/archive/2013-04/atom.xml" in archives  # writers and tags alike
    assert "tags/harbor-street/archive/2013-04/rss.xml" in archives
    for name in archives:
        assert (out / name).read_bytes() == client.get("/" + name).data, name


def test_the_build_writes_no_gzip_copy_of_an_archive_but_one_of_each_current_feed(store, tmp_path):
    """Archives are fetched rarely and are most of a build's bytes: no .gz sibling (the host compresses
    one when asked; the service still answers gzip). The subscription feeds, polled all day, keep theirs."""
    from feedsvc.config import load_config
    from feedsvc.static.build import build

    _, client = app_for(store)
    out = tmp_path / "public"
    build(load_config(overrides={"store": store, "base_url": BASE_URL, "items_per_feed": 2}), out, now=NOW)
    archives = sorted(str(p.relative_to(out)) for p in out.rglob("archive/*/*.xml"))
    assert len(archives) >= 16 and not list(out.rglob("archive/**/*.gz"))
    for name in archives:
        zipped = client.get("/" + name, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip", name
        assert gzip.decompress(zipped.data) == (out / name).read_bytes(), name
    feeds = [f"{scope}{fmt}" for scope in ("", f"{WORLD}/", "tags/harbor-street/") for fmt in ("rss.xml", "atom.xml")]
    for name in feeds:
        assert (out / f"{name}.gz").read_bytes() == client.get("/" + name, headers={"Accept-Encoding": "gzip"}).data
