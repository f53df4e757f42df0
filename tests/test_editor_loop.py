"""The editor's loop: `feedsvc check` names every problem of a file in one run, and says in one clear line
what used to be a silent surprise — a story held back until its time, a date that could be read two
ways, a relative link or a store photo named in the body, a misspelt field."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
from click.testing import CliRunner

from feedsvc.cli import main
from feedsvc.config import Config
from feedsvc.serve.app import create_app
from feedsvc.static.build import build

from .conftest import BASE_URL, article, make_jpeg
from .feeds import NS, xml


def check(store_dir) -> tuple[int, list[str]]:
    """`feedsvc check` on the store: its exit code and the lines it printed, with the store's folder cut off
    (and without the count of writers' and tags' feeds, which is not these tests' business). Run in this
    process, as tests/test_store_names.py runs it: tests/test_check_cli.py runs the real command."""
    done = CliRunner().invoke(main, ["check", str(store_dir.root)])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exc_info
    return done.exit_code, [
        line.replace(f"{store_dir.root}/", "")
        for line in done.stdout.splitlines()
        if not line.endswith(" with feeds (used by at least 3 stories)")
    ]


# ---- every problem, in one run -------------------------------------------------------------------


def test_a_bad_date_a_misspelt_field_a_missing_photo_and_an_unknown_related_id_in_one_run(store_dir):
    store_dir.write(
        "world/story.md",
        article(
            published="2013-13-45",
            auther="Jane Doe",
            photo="media/2013/not-uploaded.jpg",
            related=["world/nothing-here"],
        ),
    )
    code, lines = check(store_dir)
    assert code == 1
    assert lines == [
        "world/story.md: published: '2013-13-45' is not a date",
        "world/story.md: auther: warning: is not a field feedsvc knows; it is ignored; did you mean 'authors'?",
        "world/story.md: photo.src: warning: media/2013/not-uploaded.jpg: file not found; the story is published "
        "without its photo",
        "world/story.md: related[0]: warning: no published or scheduled article has the id 'world/nothing-here'; "
        "the link is left out until one does",
        "0 published (world 0, business 0); 0 scheduled, 0 drafts; 1 error, 3 warnings",
    ]


def test_every_blocking_error_of_a_file_is_named_at_once(store_dir):
    store_dir.write(
        "world/story.md",
        "---\nsection: Sports\npublished: tomorrow-ish\nupdated: 1999-01-01\n"
        "status: maybe\nid: two words\nslug: a/b\n---\n\n",
    )
    code, lines = check(store_dir)
    assert code == 1
    named = {line.split(": ")[1] for line in lines if line.startswith("world/story.md: ")}
    assert named == {"title", "section", "published", "status", "slug", "id", "body"}, lines
    assert lines[-1].endswith("7 errors, 0 warnings")


def test_a_story_fixed_after_one_run_is_published(store_dir):
    """The errors of one run were all there were: fixing them is enough."""
    store_dir.write("world/story.md", article(title=None, section="Sports", published="tomorrow-ish"))
    code, lines = check(store_dir)
    assert (code, len(lines)) == (1, 4)
    store_dir.write("world/story.md", article())
    assert check(store_dir) == (0, ["1 published (world 1, business 0); 0 scheduled, 0 drafts; 0 errors, 0 warnings"])


@pytest.mark.parametrize(
    "field, value, suggestion",
    [
        ("auther", "Jane Doe", "did you mean 'authors'?"),
        ("publised", "2013-05-02", "did you mean 'published'?"),
        ("Tags", ["a"], "did you mean 'tags'?"),
        ("summery", "A summary.", "did you mean 'summary'?"),
        (
            "xyzzy",
            "1",
            "the fields are authors, dateline, id, photo, published, related, section, slug, status, "
            "summary, tags, title, updated, url",
        ),
    ],
)
def test_an_unknown_field_suggests_the_closest_known_one(store_dir, field, value, suggestion):
    store_dir.write("world/story.md", article(**{field: value}))
    code, lines = check(store_dir)
    assert code == 0
    assert lines[0] == f"world/story.md: {field}: warning: is not a field feedsvc knows; it is ignored; {suggestion}"


def test_an_unknown_photo_field_suggests_the_closest_one(store_dir):
    make_jpeg(store_dir.root / "media/a.jpg", size=(40, 30))
    store_dir.write("world/story.md", article(photo={"src": "media/a.jpg", "captoin": "Boats"}))
    assert check(store_dir)[1][0] == (
        "world/story.md: photo.captoin: warning: is not a photo field feedsvc knows; "
        "it is ignored; did you mean 'photo.caption'?"
    )


# ---- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, read, other",
    [
        ("04/05/2013", "2013-04-05", "4 May 2013"),
        ("2/5/2013 10:00", "2013-02-05", "2 May 2013"),
        ("12.11.2013", "2013-12-11", "12 November 2013"),
    ],
)
def test_a_date_that_could_be_read_two_ways_says_how_it_was_read(store_dir, typed, read, other):
    store_dir.write("world/story.md", article(published=typed))
    code, lines = check(store_dir)
    assert code == 0
    day = datetime.fromisoformat(read)
    assert lines[0] == (
        f"world/story.md: published: warning: {typed!r} could mean {other} as well: it was read as "
        f"{day.day} {day:%B %Y} (month first); write the date as {read} (ISO 8601, year-month-day) "
        "to be sure"
    )
    client = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False).test_client()
    entry = feedparser.parse(client.get("/rss.xml").data).entries[0]
    assert f"{entry.published_parsed.tm_year}-{entry.published_parsed.tm_mon:02d}" == read[:7]


@pytest.mark.parametrize("typed", ["2013-04-05", "2013-04-05T10:00:00-07:00", "5/5/2013", "13/05/2013", "May 4, 2013"])
def test_a_date_that_means_one_day_only_says_nothing(store_dir, typed):
    store_dir.write("world/story.md", article(published=typed))
    assert check(store_dir) == (0, ["1 published (world 1, business 0); 0 scheduled, 0 drafts; 0 errors, 0 warnings"])


# ---- held back until its time --------------------------------------------------------------------


def test_a_story_held_back_until_its_time_is_named_with_when_it_appears(store_dir):
    when = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    local = when.astimezone(ZoneInfo("America/Los_Angeles"))
    store_dir.write("world/later.md", article(title="The council's vote, tomorrow", published=local.isoformat()))
    store_dir.write("world/much-later.md", article(title="A story for 2099", published="2099-01-01T09:00:00Z"))
    store_dir.write("world/now.md", article(title="Today's story"))
    code, lines = check(store_dir)
    assert code == 0
    assert lines == [  # soonest first
        f'world/later.md: published: note: "The council\'s vote, tomorrow" is held back until its time, '
        f"{local:%Y-%m-%d %H:%M %Z} (America/Los_Angeles), {when:%Y-%m-%d %H:%M} UTC",
        'world/much-later.md: published: note: "A story for 2099" is held back until its time, 2099-01-01 01:00 PST '
        "(America/Los_Angeles), 2099-01-01 09:00 UTC",
        "1 published (world 1, business 0); 2 scheduled, 0 drafts; 0 errors, 0 warnings",
    ]


def test_the_service_logs_the_stories_it_holds_back(store_dir, caplog):
    caplog.set_level(logging.INFO)
    store_dir.write("world/later.md", article(title="A story for 2099", published="2099-01-01 09:00"))
    create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    assert any(
        r.levelno == logging.INFO
        and r.getMessage().endswith(
            '/world/later.md: published: note: "A story for 2099" is held back until its time, 2099-01-01 09:00 PST '
            "(America/Los_Angeles), 2099-01-01 17:00 UTC"
        )
        for r in caplog.records
    ), caplog.text


def test_the_service_logs_what_check_says_of_a_file_saved_while_it_runs(store_dir, caplog):
    """An editor who never runs `check` finds the same lines in the service's log, once, as the file is saved."""
    store_dir.write("world/now.md", article(title="Today's story"))
    service = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False).extensions["feedsvc"]
    caplog.set_level(logging.INFO)
    store_dir.write("world/later.md", article(title="A story for 2099", published="2099-01-01 09:00", auther="J. Doe"))
    store_dir.write("world/vague.md", article(title="A date read one of two ways", published="04/05/2013"))
    service.on_change(service.store.refresh())
    logged = sorted(
        r.getMessage().replace(f"{store_dir.root}/", "") for r in caplog.records if r.name == "feedsvc.serve.app"
    )
    _, lines = check(store_dir)
    assert len(logged) == 3 and logged == sorted(lines[:-1]), (logged, lines)


# ---- links and images in the body ----------------------------------------------------------------

BODY = (
    "![Tide pools at dawn](media/2013/tide-pools.jpg)\n\nThe census counted [every pool](/science/pools) "
    "and [the notes](#notes), as [the earlier story](../business/census) said. See "
    "<a href='/media/2013/tide-pools.jpg'>the photo</a> and ![the map](media/2013/map.png).\n"
)


def test_a_store_photo_in_the_body_leads_to_the_published_photo(store_dir, tmp_path):
    make_jpeg(store_dir.root / "media/2013/tide-pools.jpg", size=(64, 48))
    store_dir.write("world/story.md", article(BODY))
    client = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False).test_client()
    rss, atom = xml(client.get("/rss.xml").data), xml(client.get("/atom.xml").data)
    feed = json.loads(client.get("/feed.json").data)
    bodies = [
        rss.findtext("channel/item/content:encoded", namespaces=NS),
        atom.findtext("atom:entry/atom:content", namespaces=NS),
        feed["items"][0]["content_html"],
    ]
    photo = BASE_URL + "media/2013/tide-pools.jpg"
    for body in bodies:
        html = lxml.html.fragment_fromstring(body, create_parent="div")
        assert html.xpath("//img/@src") == [photo, BASE_URL + "media/2013/map.png"]
        assert html.xpath("//a/@href") == [
            "https://news.example.com/science/pools",
            "https://news.example.com/world/story#notes",
            "https://news.example.com/business/census",
            photo,
        ]
    assert client.get("/media/2013/tide-pools.jpg").status_code == 200  # the address leads to the photo
    out = tmp_path / "public"
    build(Config.of(store=store_dir.root, base_url=BASE_URL, cache_dir="off"), out)
    assert (out / "media/2013/tide-pools.jpg").read_bytes() == (
        store_dir.root / "media/2013/tide-pools.jpg"
    ).read_bytes()


def test_a_missing_store_photo_and_a_relative_link_in_the_body_are_named(store_dir):
    make_jpeg(store_dir.root / "media/2013/tide-pools.jpg", size=(64, 48))
    store_dir.write("world/story.md", article(BODY))
    code, lines = check(store_dir)
    assert code == 0
    assert lines == [
        "world/story.md: body: warning: 'media/2013/map.png': file not found; readers get a broken image or link at "
        "media/2013/map.png under the feeds' base URL",
        "world/story.md: body: warning: the link '../business/census' is relative, so readers resolve it against "
        "the story's address, to https://news.example.com/business/census: write an absolute URL (or a path under "
        "media/ for a photo in the store)",
        "1 published (world 1, business 0); 0 scheduled, 0 drafts; 0 errors, 2 warnings",
    ]


def test_addresses_in_code_are_not_links(store_dir):
    store_dir.write(
        "world/story.md", article("Write `![](media/x.jpg)` for a photo, or:\n\n    [a link](relative/page)\n")
    )
    assert check(store_dir)[0] == 0
    assert check(store_dir)[1][-1].endswith("0 errors, 0 warnings")
