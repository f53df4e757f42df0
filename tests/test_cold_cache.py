"""A crawler (or an aggregator backfilling with RFC 5005) walking every archive must not make a worker
hold them all: archives are kept within `cold_cache_mb` (here a few kilobytes, through create_app's
switch), the current feeds and pages for good, and an archive asked for after it was dropped is
rendered again to the same bytes, ETag and Last-Modified."""

from __future__ import annotations

import gc
import gzip
import weakref
from datetime import UTC, datetime

import pytest

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, article
from .feeds import NS, parsed, xml

NOW = datetime(2026, 1, 1, tzinfo=UTC)
LIMIT = 40_000  # bytes of archives (and their gzip copies) a worker may keep
MONTHS = [f"{year}-{month:02d}" for year in (2011, 2012) for month in range(1, 13)] + ["2013-01", "2013-02"]
FH = "http://purl.org/syndication/history/1.0"


@pytest.fixture
def newsroom(store_dir):
    """Two sections, a story in each every month for 26 months, each section with its own writer, and
    a tag on every fifth story: well over a hundred archive documents with feeds of two."""
    body = "A paragraph long enough to give each archive some weight. " * 20
    for number, month in enumerate(MONTHS):
        for section, writer in (("world", "Ann Writer"), ("business", "Bo Writer")):
            store_dir.write(
                f"{section}/{month}.md",
                article(
                    body,
                    title=f"What happened in {section} in {month}",
                    section=section,
                    authors=[writer],
                    tags=["Harbor"] if number % 5 == 4 else None,
                    published=f"{month}-10 09:00",
                ),
            )
    return store_dir


def app_for(store_dir, cold_cache_bytes=LIMIT):
    return create_app(
        {"store": store_dir.root, "base_url": BASE_URL, "items_per_feed": 2},
        auto_refresh=False,
        clock=lambda: NOW,
        cold_cache_bytes=cold_cache_bytes,
    )


def is_archive(body: bytes) -> bool:
    """An RFC 5005 archive document, as a reader parses it (fh:archive in the feed or channel)."""
    root = xml(body)
    scope = root if root.tag == f"{{{NS['atom']}}}feed" else root.find("channel")
    return scope.find(f"{{{FH}}}archive") is not None


def test_a_crawler_walking_every_archive_keeps_a_worker_within_its_cold_cache(newsroom):
    app = app_for(newsroom)
    client, publisher = app.test_client(), app.extensions["feedsvc"].publisher
    moment = NOW.timestamp()
    warm = {path: publisher.ready(path, moment)[0] for path in publisher.document_paths(NOW, archives=False)}
    archives = [path for path in publisher.document_paths(NOW) if "/archive/" in path]
    assert len(archives) >= 150
    first, served, seen = {}, 0, []
    for path in archives:
        plain = client.get("/" + path)
        zipped = client.get("/" + path, headers={"Accept-Encoding": "gzip"})
        assert (plain.status_code, zipped.status_code) == (200, 200), path
        assert is_archive(plain.data) and gzip.decompress(zipped.data) == plain.data, path
        first[path] = (plain.data, plain.headers["ETag"], plain.headers["Last-Modified"], zipped.data, zipped.headers)
        served += len(plain.data) + len(zipped.data)
        assert publisher.cold_bytes <= LIMIT, path
        kept = publisher.ready(path, moment)
        if kept is not None:
            seen.append(weakref.ref(kept[0]))
    assert served > 10 * LIMIT
    assert len(seen) == len(archives)  # each fits: it was kept until others pushed it out
    # Nothing else holds on to what the cache dropped: not the headers' memo, not the warm path's.
    gc.collect()
    alive = [ref() for ref in seen if ref() is not None]
    assert 0 < sum(document.held_bytes for document in alive) <= LIMIT < served

    # The oldest archives were dropped long ago; asked for again, they are rendered to the same answer.
    by_etag, by_date, by_gzip_etag, again = archives[:4]
    assert all(publisher.ready(path, moment) is None for path in archives[:4])
    poll = client.get("/" + by_etag, headers={"If-None-Match": first[by_etag][1]})
    assert (poll.status_code, poll.headers["ETag"], poll.data) == (304, first[by_etag][1], b"")
    assert client.get("/" + by_date, headers={"If-Modified-Since": first[by_date][2]}).status_code == 304
    gz_etag = first[by_gzip_etag][4]["ETag"]
    poll = client.get("/" + by_gzip_etag, headers={"Accept-Encoding": "gzip", "If-None-Match": gz_etag})
    assert poll.status_code == 304
    plain = client.get("/" + again)
    zipped = client.get("/" + again, headers={"Accept-Encoding": "gzip"})
    assert (plain.data, plain.headers["ETag"], plain.headers["Last-Modified"]) == first[again][:3]
    assert (zipped.data, zipped.headers["ETag"]) == (first[again][3], first[again][4]["ETag"])
    assert publisher.cold_bytes <= LIMIT

    # The current feeds, pages and lists were never rendered again, nor dropped.
    assert all(publisher.ready(path, moment)[0] is document for path, document in warm.items())


def test_with_no_room_every_archive_is_rendered_per_request_to_the_same_bytes(newsroom):
    app = app_for(newsroom, cold_cache_bytes=0)
    client, publisher = app.test_client(), app.extensions["feedsvc"].publisher
    path = f"/sections/world/archive/{MONTHS[3]}/atom.xml"
    answers = [client.get(path, headers={"Accept-Encoding": "gzip"}) for _ in range(2)]
    assert answers[0].data == answers[1].data and answers[0].headers["ETag"] == answers[1].headers["ETag"]
    assert publisher.cold_bytes == 0 and publisher.ready(path[1:], NOW.timestamp()) is None
    entries = parsed(gzip.decompress(answers[0].data), BASE_URL + path[1:], answers[0].headers["Content-Type"]).entries
    assert [entry.title for entry in entries] == [f"What happened in world in {MONTHS[3]}"]


def test_an_archive_that_cannot_be_read_back_while_the_store_folder_is_gone_is_unavailable_never_empty(newsroom):
    """An archive dropped from memory is rendered again from the stories' bodies, which the store reads
    back from their files. With the folder gone, one whose bodies are still in memory comes out the
    same; one whose bodies are not is answered 503, to be asked again — never as an empty archive
    cached as immutable for a week."""
    app = app_for(newsroom, cold_cache_bytes=0)
    client, store = app.test_client(), app.extensions["feedsvc"].store
    asked = f"/sections/world/archive/{MONTHS[5]}/rss.xml"  # its story's body is rendered, and kept
    never = f"/sections/business/archive/{MONTHS[0]}/atom.xml"  # the oldest: in no current feed or page
    before = client.get(asked)
    feed = client.get("/sections/business/atom.xml")
    moved = newsroom.root.with_name("store-away")
    newsroom.root.rename(moved)
    try:
        store.refresh()
        assert store.unreadable
        again = client.get(asked)
        assert (again.status_code, again.data, again.headers["ETag"]) == (200, before.data, before.headers["ETag"])
        unavailable = client.get(never)
        assert unavailable.status_code == 503
        assert unavailable.headers["Retry-After"] == "60" and unavailable.headers["Cache-Control"] == "no-store"
        assert client.get("/sections/business/atom.xml").data == feed.data  # current feeds are kept for good
    finally:
        moved.rename(newsroom.root)
    store.refresh()
    back = client.get(never)
    assert back.status_code == 200
    entries = parsed(back.data, BASE_URL + never[1:], back.headers["Content-Type"]).entries
    assert [entry.title for entry in entries] == [f"What happened in business in {MONTHS[0]}"]
