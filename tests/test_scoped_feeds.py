"""Feeds per writer and per tag: what a reader who follows a person or a subject gets, read as their
software reads it — and the same items, byte for byte, as the section feeds they may also follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import listparser
import pytest
from lxml import etree

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, SAMPLE_STORE, article
from .feeds import NS, parsed, xml
from .test_pages import Page

PRIYA, TOMAS, HARBOR = "authors/priya-natarajan/", "authors/tomas-ortega/", "tags/harbor-street/"


def feed(client, path):
    response = client.get("/" + path)
    assert response.status_code == 200, path
    return parsed(response.data, BASE_URL + path, response.headers["Content-Type"])


def app_for(root, clock=None, **config):
    app = create_app({"store": root, "base_url": BASE_URL, **config}, auto_refresh=False, clock=clock)
    return app.test_client()


# ---- writers --------------------------------------------------------------------------------------


def test_a_writer_in_the_authors_file_gets_a_feed_with_bio_and_photo_and_every_name_they_wrote_under(client):
    d = feed(client, PRIYA + "rss.xml")
    assert d.feed.title == "The Sample Times — Priya Natarajan"
    assert d.feed.subtitle.startswith("Priya Natarajan covers science")  # the bio
    assert d.feed.image.href == BASE_URL + "media/staff/priya-natarajan.jpg"
    assert d.feed.link == BASE_URL + PRIYA
    # "P. Natarajan" is one of her names in _authors.yml: that story is hers too
    assert {e.title for e in d.entries} == {
        "Library's seed-lending shelf becomes a small experiment in plant genetics",
        "Students count thousands of tide-pool creatures in annual shoreline census",
        "Volunteer sky watchers log a record night for the spring comet survey",
    }
    atom = feed(client, PRIYA + "atom.xml")
    assert atom.feed.author_detail.name == "Priya Natarajan"
    assert atom.feed.author_detail.href == "https://news.example.com/staff/priya-natarajan"
    assert atom.feed.icon == BASE_URL + "media/staff/priya-natarajan.jpg"
    assert client.get("/media/staff/priya-natarajan.jpg").mimetype == "image/jpeg"
    json_feed = client.get("/" + PRIYA + "feed.json").json
    assert json_feed["authors"][0]["avatar"] == BASE_URL + "media/staff/priya-natarajan.jpg"
    assert json_feed["_feedsvc"]["author"] == {"slug": "priya-natarajan", "title": "Priya Natarajan"}


def test_a_byline_without_an_entry_gets_a_feed_by_the_folded_slug_of_its_name(client):
    d = feed(client, TOMAS + "atom.xml")
    assert d.feed.title == "The Sample Times — Tomás Ortega"
    assert d.feed.subtitle == "Stories by Tomás Ortega from The Sample Times"
    assert len(d.entries) == 2
    assert client.get("/authors/nobody/rss.xml").status_code == 404
    assert client.get("/authors/Tomas-Ortega/rss.xml").status_code == 404  # slugs are lower case


@pytest.mark.parametrize("scope", [PRIYA, TOMAS, HARBOR])
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_items_are_the_section_feeds_items_byte_for_byte(client, scope, fmt):
    """A reader subscribed to a section and to a writer (or tag) sees no story twice: same ids, same item XML."""
    scoped = client.get(f"/{scope}{fmt}.xml").data
    entries = feed(client, f"{scope}{fmt}.xml").entries
    assert entries
    item = "channel/item" if fmt == "rss" else "atom:entry"
    key = "guid" if fmt == "rss" else "atom:id"
    parsed_items, item_xml = {}, {}
    for section in ("world-nation", "business", "science", "local"):
        path = f"sections/{section}/{fmt}.xml"
        parsed_items.update((e.id, e) for e in feed(client, path).entries)
        item_xml.update(
            (element.findtext(key, namespaces=NS), etree.tostring(element, with_tail=False))
            for element in xml(client.get("/" + path).data).findall(item, NS)
        )
    for element in xml(scoped).findall(item, NS):
        assert etree.tostring(element, with_tail=False) == item_xml[element.findtext(key, namespaces=NS)]
    for e in entries:
        assert (e.title, e.content[0].value, e.link) == (
            parsed_items[e.id].title,
            parsed_items[e.id].content[0].value,
            parsed_items[e.id].link,
        )


# ---- tags -----------------------------------------------------------------------------------------


def test_a_tag_three_stories_carry_gets_a_feed_whatever_its_case(client):
    d = feed(client, HARBOR + "rss.xml")
    assert d.feed.title == "The Sample Times — Harbor Street"  # the site file's title
    assert d.feed.subtitle == "The waterfront's main street, its shops and its traffic."
    assert len(d.entries) == 3  # "Harbor Street" twice, "harbor street" once
    assert client.get("/tags/libraries/rss.xml").status_code == 404  # two stories: no feed
    assert client.get("/tags/botany/").status_code == 404  # one: no page either


def test_the_threshold_is_a_setting(tmp_path):
    client = app_for(SAMPLE_STORE, tag_feed_min_stories=2)
    assert client.get("/tags/libraries/rss.xml").status_code == 200
    assert client.get("/tags/botany/rss.xml").status_code == 404
    opml = listparser.parse(client.get("/tags.opml").data.decode())
    assert f"{BASE_URL}tags/libraries/rss.xml" in {f.url for f in opml.feeds}


def test_tag_feeds_can_be_turned_off(tmp_path):
    client = app_for(SAMPLE_STORE, tag_feeds=False)
    assert client.get("/" + HARBOR + "rss.xml").status_code == 404
    assert client.get("/" + HARBOR).status_code == 404
    assert listparser.parse(client.get("/tags.opml").data.decode()).feeds == []
    assert client.get("/" + PRIYA + "rss.xml").status_code == 200  # writers' feeds stay
    assert "/tags/" not in client.get("/").data.decode()


def test_spellings_fold_into_one_tag_titled_as_most_stories_spell_it(store_dir):
    for n, tag in enumerate(["Mexico", "méxico", "MEXICO", "Mexico"]):
        store_dir.write(
            f"world/m{n}.md",
            article(title=f"A story about the country, number {n}", tags=[tag], published=f"2013-05-0{n + 1} 10:00"),
        )
    client = app_for(store_dir.root)
    d = feed(client, "tags/mexico/atom.xml")
    assert d.feed.title == "The Test Times — Mexico" and len(d.entries) == 4


# ---- lists and pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, expected",
    [
        (
            "authors.opml",
            {
                PRIYA: "Priya Natarajan",
                TOMAS: "Tomás Ortega",
                "authors/sample-newsroom-staff/": "Sample Newsroom Staff",
            },
        ),
        ("tags.opml", {HARBOR: "Harbor Street", "tags/sample/": "sample"}),
    ],
)
def test_opml_lists_every_writers_and_tags_feed(client, path, expected):
    result = listparser.parse(client.get("/" + path).data.decode("utf-8"))
    assert not result.bozo, result.get("bozo_exception")
    assert {f.url: f.title for f in result.feeds} == {
        f"{BASE_URL}{scope}rss.xml": f"The Sample Times — {name}" for scope, name in expected.items()
    }
    for url in {f.url for f in result.feeds}:
        assert client.get(url.removeprefix(BASE_URL.rstrip("/"))).status_code == 200


def test_story_lines_link_bylines_and_tags_and_section_pages_list_their_writers(client):
    page = Page(client.get("/sections/science/").data.decode())
    assert {BASE_URL + PRIYA, BASE_URL + "tags/sample/"} <= set(page.anchors)
    assert BASE_URL + "tags/botany/" not in page.anchors  # a tag without a page is not a link
    section = client.get("/sections/local/").data.decode()
    assert "Writing here lately" in section and BASE_URL + TOMAS in section
    writer = Page(client.get("/" + TOMAS).data.decode())
    assert {href for _, href, _ in writer.alternates} == {
        BASE_URL + TOMAS + name for name in ("rss.xml", "atom.xml", "feed.json")
    }
    assert writer.addresses == [BASE_URL + TOMAS + "rss.xml"]
    assert {href for href, _ in writer.buttons} == {BASE_URL + TOMAS + "subscribe/"}
    tag = client.get("/" + HARBOR).data.decode()
    assert "<h1>Harbor Street</h1>" in tag and "Council approves a six-month trial" in tag


# ---- archives, and the store kept up to date one edit at a time -----------------------------------


def test_a_prolific_writer_s_older_stories_stay_reachable_through_archives(store_dir):
    start = datetime(2013, 1, 5, 9, 0, tzinfo=UTC)
    for n in range(9):
        moment = start + timedelta(days=17 * n)
        store_dir.write(
            f"world/w{n}.md",
            article(
                title=f"The columnist's dispatch number {n}",
                authors=["Ana Lúcia Prado"],
                published=f"{moment:%Y-%m-%d %H:%M}",
            ),
        )
    client = app_for(store_dir.root, items_per_feed=2, clock=lambda: datetime(2014, 1, 1, tzinfo=UTC))
    seen, url = [], f"{BASE_URL}authors/ana-lucia-prado/atom.xml"
    while url:
        root = xml(client.get(url.removeprefix(BASE_URL.rstrip("/"))).data)
        seen += [entry.findtext("atom:title", namespaces=NS) for entry in root.findall("atom:entry", NS)]
        links = {link.get("rel"): link.get("href") for link in root.findall("atom:link", NS)}
        url = links.get("prev-archive")
    assert set(seen) == {f"The columnist's dispatch number {n}" for n in range(9)}  # the feed's two are archived too
    assert (
        client.get("/authors/ana-lucia-prado/archive/2013-01/atom.xml").headers["Cache-Control"].endswith("immutable")
    )


def test_an_edit_moves_a_story_between_writers_and_tags_without_a_restart(store_dir):
    store_dir.write("world/a.md", article(title="One story by one writer", authors=["Zoë Ames"], tags=["Ports"]))
    store_dir.write("world/b.md", article(title="Another story by her", authors=["Zoë Ames"], tags=["ports"]))
    store_dir.write("world/c.md", article(title="A third about ports", authors=["Zoe Ames"], tags=["PORTS"]))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    client, store = app.test_client(), app.extensions["feedsvc"].store
    assert len(feed(client, "authors/zoe-ames/rss.xml").entries) == 3
    assert len(feed(client, "tags/ports/rss.xml").entries) == 3
    store_dir.write("world/c.md", article(title="A third about ports", authors=["Yusuf Bello"], tags=["harbors"]))
    store.refresh(["world/c.md"])
    assert len(feed(client, "authors/zoe-ames/rss.xml").entries) == 2
    assert len(feed(client, "authors/yusuf-bello/rss.xml").entries) == 1
    assert client.get("/tags/ports/rss.xml").status_code == 404  # two stories left: under the threshold
    store_dir.delete("world/c.md")
    store.refresh(["world/c.md"])
    assert client.get("/authors/yusuf-bello/rss.xml").status_code == 404


def test_the_authors_file_joins_names_and_is_read_again_when_it_changes(store_dir):
    store_dir.write("world/a.md", article(title="A story under her byline", authors=["Mary Okoro"]))
    store_dir.write("world/b.md", article(title="A story under her maiden name", authors=["Mary Adeyemi"]))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    client, store = app.test_client(), app.extensions["feedsvc"].store
    assert client.get("/authors/mary-adeyemi/rss.xml").status_code == 200
    store_dir.write(
        "_authors.yml",
        "- name: Mary Okoro\n  slug: mokoro\n  bio: Writes about ports.\n"
        "  also_known_as: [Mary Adeyemi]\n  photo: media/none.jpg\n  colour: blue\n",
    )
    store.refresh()
    d = feed(client, "authors/mokoro/rss.xml")
    assert len(d.entries) == 2 and d.feed.subtitle == "Writes about ports."
    assert client.get("/authors/mary-adeyemi/rss.xml").status_code == 404
    problems = {str(p) for p in store.snapshot.problems}
    assert any(p.startswith(f"{store_dir.root}/_authors.yml: [0].photo: warning: media/none.jpg") for p in problems)
    assert (
        f"{store_dir.root}/_authors.yml: [0].colour: warning: is not a field of the authors file "
        "(known: also_known_as, bio, name, photo, slug, url)" in problems
    )


def test_a_writers_new_bio_shows_in_their_feeds_and_page_at_the_next_look(store_dir):
    """What a scope is about is remembered for a snapshot (publish.scopes): the next one says it anew."""
    store_dir.write("world/a.md", article(title="A story under her byline", authors=["Mary Okoro"]))
    store_dir.write("_authors.yml", "- name: Mary Okoro\n  bio: Writes about ports.\n")
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    client, store = app.test_client(), app.extensions["feedsvc"].store
    assert feed(client, "authors/mary-okoro/atom.xml").feed.subtitle == "Writes about ports."
    store_dir.write("_authors.yml", "- name: Mary Okoro\n  bio: Writes about ports and the weather.\n")
    store.refresh()
    for path in ("authors/mary-okoro/atom.xml", "authors/mary-okoro/rss.xml"):
        assert feed(client, path).feed.subtitle == "Writes about ports and the weather."
    page = etree.fromstring(client.get("/authors/mary-okoro/").data, etree.HTMLParser())
    assert "Writes about ports and the weather." in " ".join(page.itertext())


def test_after_an_edit_only_the_changed_scopes_feeds_are_planned_again_and_the_rest_stay_ready(store_dir, monkeypatch):
    """Ten writers, each with a tag of their own: an edit to one story is planned in its own writer's and
    tag's feeds (and every story's, its section's), while the other writers' feeds are declared current."""
    for n in range(10):
        for k in range(3):
            store_dir.write(
                f"world/w{n}-{k}.md",
                article(
                    title=f"Story {k} by writer number {n}",
                    authors=[f"Writer {n}"],
                    tags=[f"beat {n}"],
                    published=f"2013-05-0{k + 1} 1{n % 10}:00",
                ),
            )
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    service = app.extensions["feedsvc"]
    publisher, store = service.publisher, service.store
    planned = []
    original = publisher.planner.feed
    monkeypatch.setattr(publisher.planner, "feed", lambda key, *args: planned.append(key.path) or original(key, *args))
    store_dir.write(
        "world/w3-1.md",
        article(
            title="Story 1 by writer number 3, corrected",
            authors=["Writer 3"],
            tags=["beat 3"],
            published="2013-05-02 13:00",
        ),
    )
    service.on_change(store.refresh(["world/w3-1.md"]))  # as the refresher does
    assert sorted(set(planned)) == sorted(
        f"{scope}{name}"
        for scope in ("", "sections/world/", "authors/writer-3/", "tags/beat-3/")
        for name in ("rss.xml", "atom.xml", "feed.json")
    )
    now = publisher.clock().timestamp()
    assert all(publisher.ready(f"authors/writer-{n}/rss.xml", now) for n in range(10))  # WarmPath answers them all
    assert b"corrected" in publisher.ready("tags/beat-3/atom.xml", now)[0].body


def test_the_authors_file_is_plain_text_wherever_it_shows(store_dir):
    store_dir.write("world/a.md", article(title="A story by a writer with a hostile bio", authors=["Eve Example"]))
    store_dir.write(
        "_authors.yml",
        '- name: Eve Example\n  bio: "<script>alert(1)</script>Writes <b>bold</b> things"\n'
        '  url: "javascript:alert(1)"\n  photo: "../../etc/passwd"\n',
    )
    client = app_for(store_dir.root)
    d = feed(client, "authors/eve-example/atom.xml")
    assert d.feed.subtitle == "Writes bold things" and "author_detail" in d.feed and "href" not in d.feed.author_detail
    assert "icon" not in d.feed and "logo" not in d.feed  # the photo outside media/ is left out (no site icon)
    page = client.get("/authors/eve-example/").data.decode()
    assert "<script>" not in page and "Writes bold things" in page and "javascript:" not in page


def test_writers_and_tags_feeds_are_cached_limited_and_announced_like_sections(tmp_path):
    client = app_for(SAMPLE_STORE, hub_url="https://hub.example.com/", max_feed_bytes=8_000)
    for path in (PRIYA + "rss.xml", HARBOR + "atom.xml", "sections/science/rss.xml"):
        first = client.get("/" + path)
        assert first.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60, stale-if-error=86400"
        assert first.headers["Link"] == f'<https://hub.example.com/>; rel="hub", <{BASE_URL}{path}>; rel="self"'
        assert len(first.data) <= 8_000, path  # max_feed_bytes, as for sections
        again = client.get("/" + path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert len(feed(client, PRIYA + "rss.xml").entries) < 3  # cut from its end to fit
