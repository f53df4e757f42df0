"""`feedsvc init`: a newsroom's first store, valid as made — checked, built and read back with feedparser."""

from __future__ import annotations

import subprocess

import feedparser
import pytest
import yaml
from PIL import Image

from . import cli
from .conftest import BASE_URL


def feedsvc(*args: str, cwd) -> subprocess.CompletedProcess:
    return cli.feedsvc(*args, cwd=cwd, env={"FEEDSVC_BASE_URL": BASE_URL})


def test_a_new_store_passes_check_and_builds(tmp_path):
    made = feedsvc("init", "news", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    store = tmp_path / "news"
    files = sorted(str(p.relative_to(store)) for p in store.rglob("*") if p.is_file())
    photos = list((store / "media").rglob("*.jpg"))
    assert len(photos) == 1 and files == sorted(["_site.yml", "news/welcome.md", str(photos[0].relative_to(store))])
    with Image.open(photos[0]) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 675))

    checked = feedsvc("check", "news", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.splitlines() == [
        "1 writer with feeds; 0 tags with feeds (used by at least 3 stories)",
        "1 published (news 1); 0 scheduled, 0 drafts; 0 errors, 0 warnings",
    ]

    built = feedsvc("build", "public", "news", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    feed = feedparser.parse((tmp_path / "public/sections/news/rss.xml").read_bytes())
    assert not feed.bozo and feed.feed.title == "The Newsroom — News"
    [entry] = feed.entries
    assert entry.title == "Welcome to your new article store"
    [enclosure] = entry.enclosures
    assert enclosure.type == "image/jpeg" and int(enclosure.length) == photos[0].stat().st_size
    assert enclosure.href == BASE_URL + str(photos[0].relative_to(store))


def test_every_field_of_the_site_file_is_explained(tmp_path):
    assert feedsvc("init", "--store", "news", cwd=tmp_path).returncode == 0
    lines = (tmp_path / "news/_site.yml").read_text("utf-8").splitlines()
    fields = [index for index, line in enumerate(lines) if line[:1].isalpha()]
    assert {lines[index].split(":")[0] for index in fields} == set(yaml.safe_load("\n".join(lines)))
    for index in fields:
        assert lines[index - 1].startswith("# "), f"{lines[index]!r} has no comment above it"


def test_a_title_with_yaml_s_own_characters_is_kept_as_typed(tmp_path):
    title = 'The "Planet": news & views #1'
    assert (
        feedsvc("init", "news", "--title", title, "--url", "https://planet.example.org/daily", cwd=tmp_path).returncode
        == 0
    )
    assert feedsvc("check", "news", cwd=tmp_path).returncode == 0
    assert feedsvc("build", "public", "news", cwd=tmp_path).returncode == 0
    feed = feedparser.parse((tmp_path / "public/rss.xml").read_bytes())
    assert feed.feed.title == title
    assert feed.entries[0].link == "https://planet.example.org/daily/news/welcome"


@pytest.mark.parametrize("existing", ["a file inside", "a file"])
def test_it_never_writes_into_a_folder_that_is_not_empty(tmp_path, existing):
    if existing == "a file":
        (tmp_path / "news").write_text("notes")
    else:
        (tmp_path / "news").mkdir()
        (tmp_path / "news/draft.md").write_text("an editor's work")
    refused = feedsvc("init", "news", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.startswith("feedsvc init: news is not")
    assert "nothing of yours is overwritten" in refused.stderr
    if existing == "a file":
        assert (tmp_path / "news").read_text() == "notes"
    else:
        assert [p.name for p in (tmp_path / "news").iterdir()] == ["draft.md"]


def test_an_empty_folder_is_fine(tmp_path):
    (tmp_path / "news").mkdir()
    assert feedsvc("init", "news", cwd=tmp_path).returncode == 0
    assert (tmp_path / "news/_site.yml").is_file()


def test_the_help_names_everything_feedsvc_publishes_and_the_first_commands(tmp_path):
    said = feedsvc("--help", cwd=tmp_path)
    assert said.returncode == 0
    text = " ".join(said.stdout.split())
    for words in (
        "RSS 2.0",
        "Atom 1.0",
        "JSON Feed 1.1",
        "every section, writer and tag",
        "OPML",
        "subscribe page",
        "feedsvc init news/",
        "feedsvc check news/",
        "feedsvc serve news/",
        "feedsvc build public/ news/",
    ):
        assert words in text, words
