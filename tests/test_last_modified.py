"""Last-Modified is computed from the store, never from when a process noticed a change (issue 13, case 6).

Before, a change whose bytes did not move the newest `updated` was dated "when it was seen, one second
past the previous date at least": 20 quick edits put Last-Modified 20 s after the response's Date, each
worker dated by its own moment (one ETag, two Last-Modified), and a restarted node dated from the
content again (years apart). Now every worker, restart and node reading the same store agrees, and
Last-Modified is never after Date.
"""

from __future__ import annotations

import http.client
import os
import random
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.http import parse_date

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, article, make_jpeg
from .servers import gunicorn

FEED = "/sections/world/rss.xml"


def node(store: Path, clock=None, **config):
    """A service on `store` (a worker, a restarted service or another node: each has its own memory)."""
    return create_app({"store": store, "base_url": BASE_URL, **config}, auto_refresh=False, clock=clock)


def saved_at(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def validators(client, path: str, **headers) -> tuple[str, str]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return response.headers["ETag"], response.headers["Last-Modified"]


def test_quick_edits_never_date_a_feed_after_the_response(store_dir):
    store_dir.write("world/other.md", article(title="Another story", published="2013-05-01"))
    app = node(store_dir.root)
    client, service = app.test_client(), app.extensions["feedsvc"]
    for n in range(20):  # corrections that leave `updated` alone, several a second
        store_dir.write(
            "world/story.md",
            article(title="A story corrected again and again", body=f"Correction number {n} of a figure in the text."),
        )
        service.store.refresh()
        response = client.get(FEED)
        date = datetime.now(UTC)  # what gunicorn would send as Date
        assert f"Correction number {n} " in response.get_data(as_text=True)
        assert parse_date(response.headers["Last-Modified"]) <= date, f"edit {n}"


@pytest.mark.costly
def test_every_node_and_restart_gives_a_document_the_same_last_modified(store_dir):
    """Two nodes on one store, one that followed every change and one started afterwards, then a restart
    of the first: for every document and representation, the same ETag with the same Last-Modified."""
    root = store_dir.root
    for n in range(4):
        store_dir.write(f"world/story-{n}.md", article(title=f"World story {n}", published=f"2013-05-0{n + 1}"))
    store_dir.write("business/money.md", article(title="Money", section="business"))
    first = node(root)
    service, client = first.extensions["feedsvc"], first.test_client()
    paths = ["/" + p for p in service.publisher.document_paths()]
    edits = [
        lambda: store_dir.write("world/story-3.md", article(title="World story 3, corrected", published="2013-05-04")),
        lambda: store_dir.write("world/late.md", article(title="Filed late", published="2013-04-01")),
        lambda: store_dir.delete("world/story-1.md"),
        lambda: store_dir.write_site(title="The Renamed Times"),
    ]
    for edit in edits:
        for path in paths:
            client.get(path)  # each document dated as this node saw it
        edit()
        time.sleep(1.1)  # the next change is seen a second later
        service.store.refresh()
    seen = {
        (path, gz): validators(client, path, **{"Accept-Encoding": "gzip"} if gz else {})
        for path in paths
        for gz in (False, True)
    }
    for other in (node(root), node(root)):  # a second node, then a restart
        client = other.test_client()
        assert {
            (path, gz): validators(client, path, **{"Accept-Encoding": "gzip"} if gz else {}) for path, gz in seen
        } == seen


def test_a_story_saved_with_a_clock_ahead_is_not_dated_before_its_time(store_dir):
    """A file time in the future (a file server whose clock runs ahead, `touch -d`) is not a
    Last-Modified yet: it becomes one when that moment comes, on every node alike."""
    clock = {"now": datetime(2030, 1, 1, tzinfo=UTC)}
    story = store_dir.write("world/story.md", article(title="A story"))
    saved_at(store_dir.root / "_site.yml", clock["now"] - timedelta(days=1))
    saved_at(story, clock["now"] + timedelta(seconds=30))
    app = node(store_dir.root, clock=lambda: clock["now"])
    early = app.test_client().get(FEED)
    assert parse_date(early.headers["Last-Modified"]) == clock["now"] - timedelta(days=1)
    clock["now"] += timedelta(minutes=1)
    later = app.test_client().get(FEED)
    assert later.headers["ETag"] == early.headers["ETag"]
    assert parse_date(later.headers["Last-Modified"]) == clock["now"] - timedelta(seconds=30)
    assert validators(node(store_dir.root, clock=lambda: clock["now"]).test_client(), FEED) == (
        later.headers["ETag"],
        later.headers["Last-Modified"],
    )


def test_last_modified_is_the_newest_time_of_what_a_document_shows(store_dir):
    """Each shown story's `updated` and the times its file and photo were saved, the times of the
    stories it links to, the site file's time; not a story the document does not show."""

    def day(n: int) -> datetime:
        return datetime(2020, 1, n, tzinfo=UTC)

    root = store_dir.root
    make_jpeg(root / "media/a.jpg")
    times = {"_site.yml": day(1), "media/a.jpg": day(4)}
    store_dir.write(
        "world/a.md",
        article(title="With a photo", published="2013-05-01", photo={"src": "media/a.jpg", "caption": "A photo"}),
    )
    store_dir.write("world/b.md", article(title="With a link", published="2013-05-02", related=["business/c"]))
    store_dir.write("business/c.md", article(title="Linked to", section="business", published="2013-05-03"))
    store_dir.write("world/d.md", article(title="Too old for a feed of two", published="2013-04-01"))
    times.update({"world/a.md": day(2), "world/b.md": day(3), "business/c.md": day(6), "world/d.md": day(9)})
    for name, when in times.items():
        saved_at(root / name, when)
    clock = lambda: datetime(2020, 2, 1, tzinfo=UTC)  # noqa: E731
    client = node(root, clock=clock, items_per_feed=2).test_client()

    def last_modified(path: str) -> datetime:
        return parse_date(client.get(path).headers["Last-Modified"])

    assert last_modified("/sections/world/rss.xml") == day(6)  # b links to c, saved on the 6th
    assert last_modified("/sections/business/atom.xml") == day(6)
    saved_at(root / "business/c.md", day(2))
    saved_at(root / "_site.yml", day(5))
    client = node(root, clock=clock, items_per_feed=2).test_client()
    assert last_modified("/sections/world/rss.xml") == day(5)  # the site file; d (the 9th) is not shown
    assert last_modified("/feeds.opml") == day(5)


def test_a_file_saved_again_unchanged_dates_its_documents_alike_everywhere(store_dir):
    """Saving a story again without changing it moves the Last-Modified of what shows it (a client
    revalidating by date alone fetches the same bytes once more) — in a running service as in one
    started afterwards, so one ETag still goes with one Last-Modified."""
    story = store_dir.write("world/story.md", article(title="A story"))
    saved_at(store_dir.root / "_site.yml", datetime(2019, 1, 1, tzinfo=UTC))
    saved_at(story, datetime(2020, 1, 1, tzinfo=UTC))
    running = node(store_dir.root)
    before = validators(running.test_client(), FEED)
    saved_at(story, datetime(2021, 1, 1, tzinfo=UTC))
    running.extensions["feedsvc"].store.refresh()
    after = validators(running.test_client(), FEED)
    assert after[0] == before[0] and parse_date(after[1]) == datetime(2021, 1, 1, tzinfo=UTC)
    assert validators(node(store_dir.root).test_client(), FEED) == after


def test_a_rebuilt_output_dates_every_document_as_the_service_does(store_dir, tmp_path):
    """The static build's header manifest (and its file times) come from the same rule: a rebuild
    after an edit agrees with a service started on the same store."""
    from feedsvc.static.build import build

    from .test_build import config_for, read_headers_file

    for n in range(3):
        store_dir.write(f"world/story-{n}.md", article(title=f"Story {n}", published=f"2013-05-0{n + 1}"))
    build(config_for(store_dir.root), tmp_path / "public")
    store_dir.write("world/story-0.md", article(title="Story 0", published="2013-05-01", body="Corrected."))
    time.sleep(1.1)  # a rebuild a second later
    build(config_for(store_dir.root), tmp_path / "public")
    client = node(store_dir.root).test_client()
    for path, headers in read_headers_file(tmp_path / "public").items():
        served = client.get(path, headers={"Accept-Encoding": "gzip"} if "gz" in headers["ETag"] else {})
        assert (headers["ETag"], headers["Last-Modified"]) == (
            served.headers["ETag"],
            served.headers["Last-Modified"],
        ), path


def test_a_photo_saved_with_a_clock_ahead_has_no_last_modified_until_its_time(store_dir):
    photo = make_jpeg(store_dir.root / "media/ahead.jpg")
    saved_at(photo, datetime.now(UTC) + timedelta(seconds=2))
    client = node(store_dir.root).test_client()
    early = client.get("/media/ahead.jpg")
    assert early.status_code == 200 and "Last-Modified" not in early.headers
    time.sleep(2.1)
    assert parse_date(client.get("/media/ahead.jpg").headers["Last-Modified"]) <= datetime.now(UTC)


# ---- through the real server: two workers, an editor, pollers ------------------------------------

PATHS = [
    "/rss.xml",
    "/atom.xml",
    "/feed.json",
    "/",
    "/sections/world/rss.xml",
    "/sections/world/feed.json",
    "/sections/business/atom.xml",
    "/sections/business/",
    "/feeds.opml",
]


@pytest.mark.costly
def test_one_etag_one_last_modified_and_never_after_date_across_workers(store_dir):
    root = store_dir.root
    for n in range(8):
        section = ("world", "business")[n % 2]
        store_dir.write(
            f"{section}/story-{n}.md", article(title=f"Story {n}", section=section, published=f"2013-05-{n + 1:02d}")
        )
    stop = threading.Event()
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    ahead: list[str] = []
    responses = [0]
    lock = threading.Lock()

    def edit() -> None:
        rng = random.Random(3)
        for version in range(40):  # about ten a second, none touching `updated`
            n = rng.randrange(8)
            section = ("world", "business")[n % 2]
            path = root / f"{section}/story-{n}.md"
            text = article(
                title=f"Story {n}, version {version}",
                section=section,
                published=f"2013-05-{n + 1:02d}",
                body=f"Version {version}. " * rng.randint(1, 30),
            )
            if rng.random() < 0.5:
                with open(path, "r+", encoding="utf-8") as fh:  # in place
                    fh.truncate(0)
                    fh.write(text)
            else:
                temporary = path.with_name(f".{path.name}.tmp")  # replaced by a rename
                temporary.write_text(text, "utf-8")
                os.replace(temporary, path)
            time.sleep(0.1)
        time.sleep(1.0)
        stop.set()

    def poll(port: int, seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            path = rng.choice(PATHS)
            headers = {"Accept-Encoding": "gzip"} if rng.random() < 0.5 else {}
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # any worker may answer
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                continue  # a worker that reached max-requests closed it: ask again
            finally:
                connection.close()
            etag, modified, date = (response.getheader(name) for name in ("ETag", "Last-Modified", "Date"))
            with lock:
                responses[0] += 1
                if response.status != 200 or not modified:
                    ahead.append(f"{path}: {response.status} without Last-Modified")
                    continue
                pairs[(path, etag)].add(modified)
                if parse_date(modified) > parse_date(date):
                    ahead.append(f"{path}: Last-Modified {modified} after Date {date}")

    recycled = {"GUNICORN_CMD_ARGS": "--max-requests 500 --max-requests-jitter 200"}  # restarts too
    with gunicorn(root, BASE_URL, workers=2, threads=4, extra_env=recycled) as port:
        pollers = [threading.Thread(target=poll, args=(port, n)) for n in range(4)]
        editor = threading.Thread(target=edit)
        for thread in [*pollers, editor]:
            thread.start()
        for thread in [editor, *pollers]:
            thread.join(timeout=60)
    several = {f"{path} {etag}": sorted(dates) for (path, etag), dates in pairs.items() if len(dates) > 1}
    print(
        f"\n{responses[0]} responses, {len(pairs)} (path, ETag) pairs, {len(several)} with several "
        f"Last-Modified, {len(ahead)} with Last-Modified after Date"
    )
    assert responses[0] > 200 and len(pairs) > 40
    assert not ahead, ahead[:5]
    assert not several, several
