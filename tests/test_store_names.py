"""Which file publishes a story when names, links or claims could make two of them, or none.

Links in the store (to a file or to a folder) are named problems alike; two file names that differ
only in Unicode normalisation publish one story, not two that look the same; a story scheduled with
the id of a live one replaces it at its moment, not before, and not years late.
"""

from __future__ import annotations

import json
import os
import time
import unicodedata
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from click.testing import CliRunner

from feedsvc.cli import main
from feedsvc.config import load_config
from feedsvc.serve.app import create_app
from feedsvc.static.build import build
from feedsvc.store.store import Store

from .conftest import BASE_URL, article


def check(store_dir):
    return CliRunner().invoke(main, ["check", str(store_dir.root)])


# ---- links --------------------------------------------------------------------------------------


def test_a_linked_section_folder_is_named_like_a_linked_file(store_dir, tmp_path):
    """Both are links; neither is followed (a link can lead out of the store, or round in a loop), and
    neither is silent: check names both and fails."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "world").mkdir(parents=True)
    (elsewhere / "world/linked.md").write_text(article(title="A story in a linked folder"))
    (elsewhere / "file.md").write_text(article(title="A linked file", section="business"))
    os.symlink(elsewhere / "world", store_dir.root / "world")
    (store_dir.root / "business").mkdir()
    os.symlink(elsewhere / "file.md", store_dir.root / "business/linked.md")
    store_dir.write("business/real.md", article(title="A real story", section="business"))
    result = check(store_dir)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert (
        f"{store_dir.root}/world/: is a link to a folder; links are not followed, so the stories in it "
        "are not read (move the folder into the store instead)" in lines
    )
    assert f"{store_dir.root}/business/linked.md: is not a regular file (links are not followed)" in lines
    assert lines[-1] == "1 published (world 0, business 1); 0 scheduled, 0 drafts; 2 errors, 0 warnings"


def test_a_section_folder_replaced_by_a_link_keeps_its_stories_as_last_read(store_dir, tmp_path):
    """As for a file that turns bad: what was published stays, with the problem named."""
    store_dir.write("world/a.md", article(title="Published before the folder became a link"))
    store = Store(store_dir.root, media_base_url=BASE_URL)
    store.refresh()
    os.rename(store_dir.root / "world", tmp_path / "world-moved")
    os.symlink(tmp_path / "world-moved", store_dir.root / "world")
    store.refresh()
    assert [a.title for a in store.snapshot.by_id.values()] == ["Published before the folder became a link"]
    assert [p.path for p in store.snapshot.errors] == [f"{store.display_root}world/"]


# ---- names that differ only in Unicode normalisation -------------------------------------------

NFC = unicodedata.normalize("NFC", "world/café.md")
NFD = unicodedata.normalize("NFD", "world/café.md")


@pytest.mark.parametrize("first", [NFC, NFD], ids=["nfc-written-first", "nfd-written-first"])
def test_two_files_named_alike_but_normalised_differently_publish_one_story(store_dir, first):
    assert NFC != NFD
    second = NFD if first == NFC else NFC
    store_dir.write(first, article(title=f"Written as {'NFC' if first == NFC else 'NFD'}"))
    time.sleep(0.01)
    store_dir.write(second, article(title=f"Written as {'NFC' if second == NFC else 'NFD'}"))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    entries = feedparser.parse(app.test_client().get("/sections/world/rss.xml").data).entries
    assert [e.title for e in entries] == ["Written as NFC"]  # the NFC name, whichever came first
    problems = [str(p) for p in app.extensions["feedsvc"].store.snapshot.problems]
    assert problems == [
        f"{store_dir.root}/{NFD}: warning: has the same name as {store_dir.root}/{NFC} once "
        "Unicode-normalised (NFC), so only that file is published; rename or remove one"
    ]
    assert check(store_dir).exit_code == 0


def test_a_name_that_normalises_to_an_ascii_name_does_not_publish_twice(store_dir):
    """U+212A KELVIN SIGN is "K" once normalised: the ASCII name is the NFC one, and it publishes."""
    store_dir.write("world/Kelvin.md", article(title="Written with a K"))
    store_dir.write("world/\u212aelvin.md", article(title="Written with a Kelvin sign"))
    store = Store(store_dir.root, media_base_url=BASE_URL)
    store.refresh()
    assert [a.title for a in store.snapshot.by_id.values()] == ["Written with a K"]
    assert [(p.path, p.severity) for p in store.snapshot.problems] == [
        (f"{store.display_root}world/\u212aelvin.md", "warning")
    ]
    store_dir.delete("world/Kelvin.md")
    store.refresh()
    assert [a.title for a in store.snapshot.by_id.values()] == ["Written with a Kelvin sign"]
    assert not store.snapshot.problems


# ---- a scheduled story with a live story's id ---------------------------------------------------


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def live_and_scheduled(store_dir, due: datetime) -> None:
    """world/a-scheduled.md comes first in path order: today it would win the id and hide the live one."""
    store_dir.write(
        "world/a-scheduled.md",
        article(id="story", title="The scheduled replacement", published=stamp(due), slug="replacement"),
    )
    store_dir.write("world/b-live.md", article(id="story", title="The live story", published="2013-05-02 17:40"))


def feed_titles(client) -> list[str]:
    return [item["title"] for item in json.loads(client.get("/feed.json").data)["items"]]


def test_a_live_story_stays_until_the_story_scheduled_with_its_id_is_due(store_dir):
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    live_and_scheduled(store_dir, due)
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "refresh_seconds": 0.05})
    client, service = app.test_client(), app.extensions["feedsvc"]
    try:
        assert feed_titles(client) == ["The live story"]
        scheduled = [p for p in service.store.snapshot.problems if p.path.endswith("a-scheduled.md")]
        assert [(p.severity, p.field) for p in scheduled] == [("warning", "id")]
        switched_at = None
        deadline = due.timestamp() + 3
        while time.time() < deadline:
            before = time.time()
            shown = feed_titles(client)
            if before < due.timestamp():
                assert shown == ["The live story"], "the replacement appeared before its time"
            elif shown == ["The scheduled replacement"]:
                switched_at = before
                break
            time.sleep(0.01)
        assert switched_at is not None, "the scheduled story never took over"
        assert switched_at - due.timestamp() < 0.5, f"took over {switched_at - due.timestamp():.2f} s late"
        assert [p.path for p in service.store.snapshot.errors] == [f"{store_dir.root}/world/b-live.md"]
    finally:
        service.refresher.stop()


def test_a_build_after_the_moment_publishes_the_scheduled_story(store_dir, tmp_path):
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    live_and_scheduled(store_dir, due)
    config = load_config(overrides={"store": store_dir.root, "base_url": BASE_URL})
    build(config, tmp_path / "before")
    assert [i["title"] for i in json.loads((tmp_path / "before/feed.json").read_bytes())["items"]] == ["The live story"]
    time.sleep(max(0.0, due.timestamp() - time.time()) + 0.1)
    build(config, tmp_path / "after")
    assert [i["title"] for i in json.loads((tmp_path / "after/feed.json").read_bytes())["items"]] == [
        "The scheduled replacement"
    ]
