"""The documents the service keeps for good hold their gzip copy alone (a worker's memory at 100,000
stories, issue 17): a plain request gets the same bytes and ETag as before, inflated from that copy."""

from __future__ import annotations

import gzip
import os

import pytest

from feedsvc.render.document import strong_etag
from feedsvc.serve.app import create_app

from .conftest import BASE_URL, SAMPLE_STORE
from .feeds import parsed

FEED = "/sections/world-nation/rss.xml"


def test_warm_documents_keep_only_their_gzip_copy_and_answer_the_same_bytes():
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False)
    publisher = app.extensions["feedsvc"].publisher
    document = publisher.ready(FEED[1:], publisher.clock().timestamp())[0]
    copy = document.compress()
    assert copy is not None and document.held_bytes == len(copy.body)  # no body beside it

    client = app.test_client()
    plain, zipped = client.get(FEED), client.get(FEED, headers={"Accept-Encoding": "gzip"})
    assert plain.data == gzip.decompress(zipped.data) == document.body
    assert document.size == len(plain.data)  # known without inflating the copy again
    assert plain.headers["ETag"] == f'"{strong_etag(plain.data)}"' != zipped.headers["ETag"]
    assert plain.headers["Content-Length"] == str(len(plain.data))
    feed = parsed(plain.data, BASE_URL + FEED[1:], plain.content_type)
    assert feed.entries and all(entry.title for entry in feed.entries)


def test_a_document_too_small_to_compress_keeps_its_body():
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False)
    publisher = app.extensions["feedsvc"].publisher
    document = publisher.document("robots.txt", publisher.clock())
    assert document is not None and not document.gzippable
    document.keep_gzip_only()
    assert document.held_bytes == len(document.body) > 0
    assert app.test_client().get("/robots.txt").data == document.body


@pytest.mark.forks
def test_a_first_warm_render_has_its_gzip_copies_made_by_another_process_byte_for_byte(tmp_path, monkeypatch):
    """Compressing was nearly half of the render the master makes before gunicorn forks (2.8 of 6.2 s at
    100,000 stories, issue 17), on one core of two: a forked helper makes the copies while the master
    renders on. Each copy, ETag and plain body is the one the master would have made itself."""
    from zlib_ng import gzip_ng

    from feedsvc import forking
    from feedsvc.publish import warming

    if not forking.can_fork():
        pytest.skip("one core, or a thread is running: the copies are made in this process")
    made_by = tmp_path / "made-by"
    real = gzip_ng.compress

    def compress(*args, **kwargs):
        with open(made_by, "a") as log:
            log.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    def documents(app):
        publisher = app.extensions["feedsvc"].publisher
        kept = {path: publisher.document(path) for path in publisher.document_paths(archives=False)}
        return {path: (doc.etag, doc.body, doc.compress()) for path, doc in kept.items() if doc.gzippable}

    monkeypatch.setattr(gzip_ng, "compress", compress)
    monkeypatch.setattr(warming, "GZIP_APART_MINIMUM", 1)
    apart = documents(create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False))
    pids = set(made_by.read_text().split())
    made_by.unlink()
    monkeypatch.setattr(warming, "GZIP_APART_MINIMUM", 10**9)
    here = documents(create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False))
    assert pids and str(os.getpid()) not in pids  # every copy was made by the helper
    assert set(made_by.read_text().split()) == {str(os.getpid())}
    assert len(apart) > 10 and apart == here


def _warm_app_documents():
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False)
    publisher = app.extensions["feedsvc"].publisher
    kept = {path: publisher.document(path) for path in publisher.document_paths(archives=False)}
    return {path: (doc.etag, doc.compress()) for path, doc in kept.items() if doc.gzippable}


def test_a_service_whose_gzip_helper_cannot_be_forked_starts_and_compresses_itself(monkeypatch):
    """A container at its process limit (EAGAIN) or a master that cannot commit a fork's memory still
    starts: the copies are made in the master, and no pipe is left open."""
    import signal

    from feedsvc.publish import warming

    monkeypatch.setattr(warming, "GZIP_APART_MINIMUM", 1)
    expected = _warm_app_documents()

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd"))
    assert _warm_app_documents() == expected
    assert len(os.listdir("/proc/self/fd")) == before
    monkeypatch.undo()
    monkeypatch.setattr(warming, "GZIP_APART_MINIMUM", 1)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reaped by the kernel: waitpid finds none
    try:
        assert _warm_app_documents() == expected
    finally:
        signal.signal(signal.SIGCHLD, previous)


@pytest.mark.forks
def test_documents_too_large_for_the_shared_memory_go_to_the_gzip_helper_through_the_pipe(monkeypatch):
    """The helper reads a batch's bodies from memory both processes map (16 MB); a batch larger than
    that goes through the pipe instead. Either way each copy is the one the master would have made."""
    from feedsvc import forking
    from feedsvc.publish import gzipapart, warming

    if not forking.can_fork():
        pytest.skip("one core, or a thread is running: the copies are made in this process")
    monkeypatch.setattr(warming, "GZIP_APART_MINIMUM", 10**9)
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False)
    publisher = app.extensions["feedsvc"].publisher
    sizes = [len(publisher.document(path).body) for path in publisher.document_paths(archives=False)]
    expected = _warm_app_documents()
    limit = 30_000
    assert min(sizes) < limit < max(sizes)  # the batch of the largest cannot fit
    monkeypatch.setattr(warming, "GZIP_APART_MINIMUM", 1)
    monkeypatch.setattr(gzipapart, "SHARED_BYTES", limit)
    assert _warm_app_documents() == expected
