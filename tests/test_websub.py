"""WebSub push: feeds name their hub (in the document and as Link headers), and every change to the
store is announced to the hub once — from the service and from the build — without a slow or absent
hub ever holding anything up. The hub is a real HTTP server on 127.0.0.1 that records what it gets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from feedsvc.serve.websub import HubNotifier

from .cli import build_watching
from .conftest import BASE_URL, ROOT, SAMPLE_STORE, article
from .feeds import NS, xml
from .servers import RecordingHub, free_port, gunicorn, request

SECTIONS = ("world-nation", "business", "science", "local")
WRITERS = ("priya-natarajan", "sample-newsroom-staff", "tomas-ortega")
TAGS = ("harbor-street", "sample")


def feeds(*scopes: str) -> set[str]:
    """The feed URLs of these scopes ("" for all sections, "sections/local/", "tags/sample/"…)."""
    return {BASE_URL + scope + name for scope in scopes for name in ("rss.xml", "atom.xml", "feed.json")}


ALL_FEEDS = feeds(
    "", *(f"sections/{s}/" for s in SECTIONS), *(f"authors/{a}/" for a in WRITERS), *(f"tags/{t}/" for t in TAGS)
)


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "articles"
    shutil.copytree(SAMPLE_STORE, root)
    return root


def announced(notification):
    assert notification["hub.mode"] == ["publish"]
    return set(notification["hub.url"])


@pytest.mark.costly
def test_the_service_announces_each_change_once_however_many_workers(store):
    with RecordingHub() as hub, gunicorn(store, BASE_URL, workers=2, extra_env={"FEEDSVC_HUB_URL": hub.url}) as port:
        # At first start every feed is news to the hub: one notification, not one per worker.
        assert [announced(n) for n in hub.wait_for(1)] == [ALL_FEEDS]

        reply = request(port, "/sections/science/atom.xml")
        assert f'<{hub.url}>; rel="hub"' in reply.headers["link"]
        assert f'<{BASE_URL}sections/science/atom.xml>; rel="self"' in reply.headers["link"]
        hubs = [link.get("href") for link in xml(reply.body).findall("atom:link[@rel='hub']", NS)]
        assert hubs == [hub.url]
        rss = xml(request(port, "/sections/science/rss.xml").body)
        assert [link.get("href") for link in rss.find("channel").findall("atom:link[@rel='hub']", NS)] == [hub.url]

        (store / "science/seed-library-trial.md").write_text(
            article(
                title="Seed library trial extended through the summer", section="science", published="2013-05-01 10:00"
            ),
            "utf-8",
        )
        received = hub.wait_for(2, timeout=5)
        assert len(received) == 2, [
            sorted(u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1] for u in announced(n)) for n in received
        ][1:]
        # The story loses its writer and its tags: her feed and the "sample" tag's change too (its other
        # tags have no feeds of their own).
        assert announced(received[1]) == feeds("", "sections/science/", "authors/priya-natarajan/", "tags/sample/")
        time.sleep(1.5)  # the other worker catches up, but says nothing
        assert len(hub.received) == 2, [
            sorted(u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1] for u in announced(n)) for n in hub.received
        ][1:]


@pytest.mark.costly
def test_a_slow_hub_holds_up_no_request(store):
    with (
        RecordingHub(delay=3) as hub,
        gunicorn(store, BASE_URL, workers=1, extra_env={"FEEDSVC_HUB_URL": hub.url}) as port,
    ):
        # The worker announces every feed once its watcher has caught up; a change made before that is
        # part of that first announcement, not news of its own. So wait until it reached the hub (which
        # answers it 3 s later): the deletion is then a second notification, queued behind the first.
        assert hub.wait_for_attempts(1) == 1
        (store / "local/library-extends-hours.md").unlink()
        started = time.monotonic()
        for _ in range(20):
            assert request(port, "/rss.xml").status == 200
        assert time.monotonic() - started < 2.0
        assert len(hub.wait_for(2, timeout=10)) == 2


def test_a_down_hub_costs_bounded_retries_and_a_logged_failure(caplog):
    caplog.set_level("INFO", logger="feedsvc.serve.websub")
    notifier = HubNotifier(f"http://127.0.0.1:{free_port()}/hub", attempts=3, backoff=0.05)
    started = time.monotonic()
    notifier.notify([BASE_URL + "rss.xml"])
    assert time.monotonic() - started < 0.1  # returns at once
    assert notifier.wait(timeout=10)
    [outcome] = notifier.outcomes
    assert not outcome.ok and outcome.attempts == 3
    assert "could not tell" in caplog.text


def test_a_failing_hub_is_retried_with_back_off_until_it_answers():
    with RecordingHub(failures=2) as hub:
        notifier = HubNotifier(hub.url, attempts=4, backoff=0.05)
        notifier.notify([BASE_URL + "atom.xml"])
        assert notifier.wait(timeout=10)
        assert notifier.outcomes[0].ok and notifier.outcomes[0].attempts == 3
        assert [announced(n) for n in hub.received] == [{BASE_URL + "atom.xml"}]


def run_build(store, out, hub_url, *flags):
    env = {**os.environ, "FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_HUB_URL": hub_url}
    return subprocess.run(
        [sys.executable, "-m", "feedsvc.cli", "build", str(out), "--store", str(store), *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.costly
def test_the_build_announces_the_feeds_it_rewrote(store, tmp_path):
    out = tmp_path / "public"
    with RecordingHub() as hub:
        first = run_build(store, out, hub.url)
        assert first.returncode == 0, first.stderr
        assert [announced(n) for n in hub.received] == [ALL_FEEDS]
        assert "WebSub: told the hub of 30 changed feeds" in first.stdout + first.stderr
        link = next(line for line in (out / "_headers").read_text().splitlines() if "Link:" in line)
        assert f'<{hub.url}>; rel="hub"' in link

        assert run_build(store, out, hub.url).returncode == 0  # nothing changed: nothing to announce
        assert len(hub.received) == 1

        story = store / "business/port-cargo-volumes-rise.md"
        os.utime(story)  # saved again unchanged: its feeds are written again, dated anew, with the same bytes
        rebuilt = run_build(store, out, hub.url, "--verbose")
        assert rebuilt.returncode == 0 and "wrote sections/business/rss.xml" in rebuilt.stdout + rebuilt.stderr
        assert len(hub.received) == 1  # no news for a subscriber: nothing to announce

        story.write_text(story.read_text().replace("cargo", "freight", 1))
        assert run_build(store, out, hub.url).returncode == 0
        assert announced(hub.received[1]) == feeds(
            "", "sections/business/", "authors/sample-newsroom-staff/", "tags/sample/"
        )


def test_build_watch_announces_what_each_rebuild_changed(store, tmp_path):
    with RecordingHub() as hub:
        env = {"FEEDSVC_BASE_URL": BASE_URL, "FEEDSVC_HUB_URL": hub.url}
        with build_watching(tmp_path / "public", store, env):
            assert [announced(n) for n in hub.wait_for(1, timeout=30)] == [ALL_FEEDS]
            story = store / "local/library-extends-hours.md"
            story.write_text(story.read_text().replace("title: ", "title: Updated — ", 1))
            received = hub.wait_for(2, timeout=10)
            assert len(received) == 2
            assert announced(received[1]) == feeds(
                "", "sections/local/", "authors/sample-newsroom-staff/", "tags/sample/"
            )


@pytest.mark.costly
def test_a_build_with_a_down_hub_still_publishes(store, tmp_path):
    out = tmp_path / "public"
    result = run_build(store, out, f"http://127.0.0.1:{free_port()}/hub")
    assert result.returncode == 0
    assert (out / "rss.xml").is_file()
    assert "WebSub: could not tell the hub" in result.stderr
