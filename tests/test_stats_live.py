"""Counting as it runs in production: `gunicorn wsgi:app` with two workers counts a day of real polls —
aggregators with their real User-Agents, readers from many addresses — and `feedsvc stats` gives the
expected figures (each reader once though the two workers each saw some of its polls). The same polls
served by nginx from the static build, logged in the combined format and imported with
`feedsvc stats --import`, give the very same figures; importing the log again adds nothing."""

from __future__ import annotations

import json
import os

import pytest

from feedsvc.config import load_config
from feedsvc.static.build import NGINX_FILE, build

from .conftest import BASE_URL, SAMPLE_STORE
from .servers import NGINX, gunicorn, nginx
from .stats_polls import FEEDS, a_day_of_polls, expected_polls, expected_subscribers, stats_cli

pytestmark = pytest.mark.xdist_group("stats_live")  # one counting gunicorn for the module, on one worker

COMPARED = ("subscribers", "aggregators", "direct", "polls", "ok", "not_modified", "bytes")


def settings(database) -> dict[str, str]:
    return {
        "FEEDSVC_STATS": "true",
        "FEEDSVC_STATS_DB": str(database),
        "FEEDSVC_STATS_FLUSH_SECONDS": "0.2",
        "FEEDSVC_BASE_URL": BASE_URL,
        "FEEDSVC_STORE": str(SAMPLE_STORE),
        "FEEDSVC_CACHE_DIR": "off",
    }


def figures(database, *args: str) -> dict:
    done = stats_cli("--json", "--days", "2", *args, env={**os.environ, **settings(database)})
    assert done.returncode == 0, done.stderr
    return {feed["feed"]: feed for feed in json.loads(done.stdout)["feeds"]}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The figures of a day of polls served by gunicorn (two workers), once the workers have exited."""
    database = tmp_path_factory.mktemp("live") / "stats.sqlite3"
    with gunicorn(SAMPLE_STORE, BASE_URL, workers=2, extra_env=settings(database)) as port:
        a_day_of_polls(port)
    return figures(database)


def test_gunicorn_counts_a_day_of_polls(live):
    assert sorted(live) == sorted(path.lstrip("/") for path in FEEDS)
    for feed in live.values():
        assert feed["subscribers"] == expected_subscribers()
        assert feed["aggregators"]["Feedly"] == 462 and feed["aggregators"]["Feedbin"] == 102 + 1
        assert feed["aggregators"]["Feedspot"] == 1  # polls, says no count: one subscriber at least
        assert {key: feed[key] for key in ("polls", "ok", "not_modified")} == expected_polls()
        assert feed["bytes"] > 0


def test_the_table_says_it_to_a_person(tmp_path, live):
    database = tmp_path / "stats.sqlite3"
    with gunicorn(SAMPLE_STORE, BASE_URL, workers=1, extra_env=settings(database)) as port:
        a_day_of_polls(port)
    done = stats_cli("--feed", "/rss.xml", env={**os.environ, **settings(database)})
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[2:] if not line.startswith("-")}
    assert rows["rss.xml"][1] == f"{expected_subscribers():,}" and rows["rss.xml"][4] == str(expected_polls()["polls"])
    assert set(rows) == {"rss.xml", "all"}


@pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed (scripts/install-system-deps)")
def test_an_nginx_log_of_the_same_polls_gives_the_same_figures(tmp_path, live):
    out = tmp_path / "public"
    build(load_config(overrides={"store": SAMPLE_STORE, "base_url": BASE_URL}), out)
    log = tmp_path / "access.log"
    server = tmp_path / "server.conf"
    server.write_text(f"access_log {log} combined;\ninclude {out / NGINX_FILE};\n")
    with nginx(out, server, tmp_path / "nginx") as port:
        a_day_of_polls(port)
    assert log.read_text().count("\n") > 100
    database = tmp_path / "imported.sqlite3"
    imported = figures(database, "--import", str(log))
    assert {feed: {key: figures_[key] for key in COMPARED} for feed, figures_ in imported.items()} == {
        feed: {key: figures_[key] for key in COMPARED} for feed, figures_ in live.items()
    }
    again = stats_cli("--import", str(log), env={**os.environ, **settings(database)})
    assert again.returncode == 0 and " 0 feed requests counted from 0 new lines" in again.stderr
    assert figures(database) == imported


def test_a_missing_store_is_refused_unless_the_statistics_are_kept_elsewhere(tmp_path):
    """Kept in the store's state folder (the default), the statistics of a mistyped store would be a new,
    empty database, reported as zeros: refused instead, as every command refuses it."""
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "FEEDSVC_BASE_URL": BASE_URL}
    store = tmp_path / "articels"
    done = stats_cli(str(store), env=env)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"feedsvc stats: the article store {store} does not exist")
    assert not (tmp_path / "state").exists()
    elsewhere = stats_cli("--store", str(store), env={**env, "FEEDSVC_STATS_DB": str(tmp_path / "stats.sqlite3")})
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert elsewhere.stdout.splitlines()[-1].split() == ["all", "feeds", "0", "—", "—", "0", "—", "0", "B"]
