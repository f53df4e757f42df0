"""gunicorn's master freezes a store it read without forked readers, rather than walking it in a full
garbage collection (issue 17: the 100,000-story start-up from the parse cache).

A large read runs with the collector off and used to end with one full collection, to age what it made
at once. From the parse cache that collection freed nothing (0 objects, 0.56 s at 100,000 stories), and
the master freezes everything before it forks anyway (gunicorn_conf.pre_fork). A read that used forked
readers leaves garbage cycles (17 MB per worker at 100,000 stories): that one is still collected.
"""

from __future__ import annotations

import gc
import shutil

import pytest

from feedsvc.serve.app import create_app
from feedsvc.store import policy
from feedsvc.store import store as store_module

from .conftest import BASE_URL, SAMPLE_STORE


@pytest.fixture
def full_reads(monkeypatch):
    """Every read counts as large; what the read ends with (a collection, a freeze) is recorded."""
    monkeypatch.setattr(policy, "FULL_COLLECTION_FILES", 1)
    ended: list[str] = []
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "collect", lambda *args: ended.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: ended.append("freeze") or real_freeze())
    yield ended
    gc.unfreeze()  # the rest of the test process is collected as before


def _master(monkeypatch, under_gunicorn):
    if under_gunicorn:
        monkeypatch.setenv("FEEDSVC_THREADS_AFTER_FORK", "1")  # what gunicorn_conf sets for the master
    else:
        monkeypatch.delenv("FEEDSVC_THREADS_AFTER_FORK", raising=False)
    return create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False)


def test_gunicorns_master_freezes_a_read_made_without_forked_readers(monkeypatch, full_reads):
    app = _master(monkeypatch, under_gunicorn=True)
    assert app.test_client().get("/sections/world-nation/rss.xml").status_code == 200
    assert full_reads == ["freeze"]


def test_a_read_made_with_forked_readers_is_collected_even_in_gunicorns_master(monkeypatch, full_reads):
    monkeypatch.setattr(store_module, "PARALLEL_MINIMUM", 1)  # as if the sample's files were read apart
    _master(monkeypatch, under_gunicorn=True)
    assert full_reads == ["collect"]


def test_a_service_outside_gunicorn_collects_after_its_read(monkeypatch, full_reads):
    _master(monkeypatch, under_gunicorn=False)
    assert full_reads == ["collect"]


def test_only_the_masters_first_read_is_frozen_a_later_full_read_is_collected(monkeypatch, full_reads, tmp_path):
    """A worker inherits the master's store: a full read there later (the site file changed) runs while
    request threads make garbage, which a freeze would keep for good, so it is collected."""
    root = tmp_path / "store"
    shutil.copytree(SAMPLE_STORE, root)
    monkeypatch.setenv("FEEDSVC_THREADS_AFTER_FORK", "1")
    app = create_app({"store": root, "base_url": BASE_URL}, auto_refresh=False)
    assert full_reads == ["freeze"]
    site = root / "_site.yml"
    site.write_text(site.read_text().replace("title: The Sample Times", "title: The Sample Times Daily"))
    changes = app.extensions["feedsvc"].store.refresh()
    assert changes.site
    assert full_reads == ["freeze", "collect"]
