"""The production server on 127.0.0.1, polled the way an aggregator polls: a first fetch, conditional
GETs, then an edit to the store that must show up within two seconds without a restart."""

from __future__ import annotations

import gzip
import shutil
import time

import feedparser
import pytest

from .conftest import BASE_URL, SAMPLE_STORE, article
from .feeds import parsed
from .servers import gunicorn, request

FEED = "/sections/world-nation/atom.xml"


@pytest.fixture
def server(tmp_path):
    store = tmp_path / "articles"
    shutil.copytree(SAMPLE_STORE, store)
    with gunicorn(store, BASE_URL) as port:
        yield port, store


def poll_until(port, path, headers, predicate, timeout=2.0):
    """Poll like an impatient aggregator until `predicate(reply)`; returns (reply, seconds waited)."""
    started = time.monotonic()
    while True:
        reply = request(port, path, headers=headers)
        if predicate(reply) or time.monotonic() - started > timeout:
            return reply, time.monotonic() - started
        time.sleep(0.05)


@pytest.mark.serial  # the two seconds are the promise: measured with nothing beside it
def test_an_aggregator_polls_cheaply_and_sees_an_edit_within_two_seconds(server):
    port, store = server
    first = request(port, FEED, headers={"Accept-Encoding": "gzip"})
    assert first.status == 200 and first.headers["content-encoding"] == "gzip"
    feed = parsed(gzip.decompress(first.body), BASE_URL + FEED[1:], first.headers["content-type"])
    titles = [e.title for e in feed.entries]
    assert "Obama meets privately with Mexican President Peña Nieto" in titles

    conditional = {
        "Accept-Encoding": "gzip",
        "If-None-Match": first.headers["etag"],
        "If-Modified-Since": first.headers["last-modified"],
    }
    for _ in range(5):  # every worker answers 304 with the same validators
        again = request(port, FEED, headers=conditional)
        assert again.status == 304 and again.body == b""
        assert again.headers["etag"] == first.headers["etag"]

    written = time.monotonic()
    (store / "world-nation/breaking.md").write_text(
        article(
            title="A breaking story added while the service runs", section="world-nation", published="2013-05-05 08:00"
        ),
        "utf-8",
    )
    changed, waited = poll_until(port, FEED, conditional, lambda r: r.status == 200)
    assert changed.status == 200, f"no change seen after {waited:.2f} s"
    feed = parsed(gzip.decompress(changed.body), BASE_URL + FEED[1:], changed.headers["content-type"])
    assert feed.entries[0].title == "A breaking story added while the service runs"
    assert changed.headers["etag"] != first.headers["etag"]

    # Each worker keeps its own store; within the two seconds every one of them serves the new bytes.
    while True:
        etags = {request(port, FEED, headers={"Accept-Encoding": "gzip"}).headers["etag"] for _ in range(8)}
        if etags == {changed.headers["etag"]} or time.monotonic() - written > 2.0:
            break
    assert etags == {changed.headers["etag"]}
    assert time.monotonic() - written <= 2.5


@pytest.mark.serial
def test_a_deleted_story_leaves_the_feed_within_two_seconds(server):
    port, store = server
    first = request(port, "/rss.xml")
    (store / "world-nation/somalia-famine-report.md").unlink()
    changed, waited = poll_until(port, "/rss.xml", {"If-None-Match": first.headers["etag"]}, lambda r: r.status == 200)
    assert changed.status == 200 and waited <= 2.0
    feed = parsed(changed.body, BASE_URL + "rss.xml", changed.headers["content-type"])
    assert not any("somalia" in e.id for e in feed.entries)
    # The related link by id to the deleted story is gone too.
    seed = next(e for e in feed.entries if "obama" in e.id)
    assert all("somalia" not in link.href for link in seed.links)


def test_head_and_other_methods_through_the_real_server(server):
    port, _ = server
    head = request(port, FEED, method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 1000
    refused = request(port, FEED, method="DELETE")
    assert refused.status == 405 and "GET" in refused.headers["allow"]
    assert request(port, "/sections/nope/atom.xml").status == 404


def test_two_services_on_one_machine_run_side_by_side_without_a_shared_control_socket(tmp_path):
    """gunicorn 25+ opens a control socket at one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn): a
    second newsroom's service would take it over, and `gunicornc reload` would reach the wrong one."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_RUNTIME_DIR": str(home)}
    with (
        gunicorn(SAMPLE_STORE, BASE_URL, workers=1, extra_env=env) as first,
        gunicorn(SAMPLE_STORE, BASE_URL, workers=1, extra_env=env) as second,
    ):
        for port in (first, second):
            reply = request(port, "/rss.xml")
            assert reply.status == 200 and feedparser.parse(reply.body).entries
        assert not list(home.rglob("*.ctl"))
