"""Several service nodes sharing one count: a real PostgreSQL (a throw-away cluster on 127.0.0.1), two
nodes — each `gunicorn wsgi:app` with two workers — polled at the same time by aggregators and by
readers of their own; `feedsvc stats` then gives the two nodes' figures added up: polls, 304s and
readers summed, each aggregator's latest count once. Skipped only when PostgreSQL is not installed."""

from __future__ import annotations

import json
import os
import threading

import pytest

from .conftest import BASE_URL, SAMPLE_STORE
from .postgres import cluster, missing_message
from .servers import gunicorn
from .stats_polls import FEEDS, a_day_of_polls, expected_polls, expected_subscribers, stats_cli

pytestmark = pytest.mark.skipif(missing_message() is not None, reason=missing_message() or "")


@pytest.mark.costly
def test_two_nodes_add_up(tmp_path):
    psycopg = pytest.importorskip("psycopg", reason="psycopg is a test dependency: pip install -e '.[test]'")
    with cluster() as url:
        node = {
            "FEEDSVC_STATS": "true",
            "FEEDSVC_STATS_DB": url,
            "FEEDSVC_STATS_FLUSH_SECONDS": "0.2",
            "FEEDSVC_CACHE_DIR": "off",
        }
        errors = []
        with (
            gunicorn(SAMPLE_STORE, BASE_URL, workers=2, extra_env=node) as first,
            gunicorn(SAMPLE_STORE, BASE_URL, workers=2, extra_env=node) as second,
        ):

            def polls(port: int, readers_from: int) -> None:
                try:
                    a_day_of_polls(port, readers_from)
                except Exception as exc:  # noqa: BLE001 — reported below
                    errors.append(exc)

            threads = [
                threading.Thread(target=polls, args=(port, readers_from))
                for port, readers_from in ((first, 2), (second, 10))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            assert not errors
        done = stats_cli("--json", "--days", "2", env={**os.environ, **node, "FEEDSVC_BASE_URL": BASE_URL})
        assert done.returncode == 0, done.stderr
        feeds = {feed["feed"]: feed for feed in json.loads(done.stdout)["feeds"]}
        assert sorted(feeds) == sorted(path.lstrip("/") for path in FEEDS)
        for feed in feeds.values():
            assert feed["subscribers"] == expected_subscribers(nodes=2)
            assert feed["aggregators"]["Feedly"] == 462  # not 462 + 462
            assert feed["direct"] == 2 * 2 * 8
            assert {key: feed[key] for key in ("polls", "ok", "not_modified")} == expected_polls(nodes=2)
        with psycopg.connect(url) as connection:
            stored = connection.execute("SELECT day, feed, client FROM stats_clients").fetchall()
        assert len(stored) == len(FEEDS) * 2 * 2 * 8
        assert all(len(client) == 32 and "127.0." not in client for _, _, client in stored)
