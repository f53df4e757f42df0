"""What a subscriber gets in a feed from stories that are awkward in one way: no byline, the same
minute as others, character references in plain text, controls HTML rejects, nothing but an embed;
and from a section with no story yet. Each test writes a tiny store of its own."""

from __future__ import annotations

import html

from .conftest import BASE_URL, article
from .feeds import NS, parsed, urls_in, xml
from .test_feeds import feed


def store_client(store_dir):
    from feedsvc.serve.app import create_app

    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    app.testing = True
    return app.test_client()


def test_a_story_without_a_byline_is_credited_to_the_publication_in_atom(store_dir):
    """RFC 4287 requires an author for every Atom entry; RSS simply has no dc:creator."""
    store_dir.write("world/wire.md", article(title="A wire story that carries no byline at all"))
    store_dir.write(
        "world/signed.md",
        article(title="A story with its reporter named", authors=["Ana Reyes"], published="2013-05-03 08:00"),
    )
    client = store_client(store_dir)
    publication = xml(client.get("/atom.xml").data).findtext("atom:title", namespaces=NS)
    for path in ("atom.xml", "sections/world/atom.xml"):
        root = xml(client.get("/" + path).data)
        names = {
            entry.findtext("atom:title", namespaces=NS): [
                a.findtext("atom:name", namespaces=NS) for a in entry.findall("atom:author", NS)
            ]
            for entry in root.findall("atom:entry", NS)
        }
        assert names == {
            "A wire story that carries no byline at all": [publication],
            "A story with its reporter named": ["Ana Reyes"],
        }
    rss = feed(client, "sections/world/rss.xml")
    assert [e.get("author") for e in rss.entries] == ["Ana Reyes", None]


def test_stories_given_the_same_minute_still_have_distinct_update_times(store_dir):
    """Wire stories often share a minute; the W3C validator warns of two entries with one atom:updated.
    Each keeps its minute, and gets the same fraction of a second in every feed and every render."""
    for n in range(4):
        store_dir.write(
            f"world/same-{n}.md",
            article(title=f"Story number {n} filed in the same minute", published="2013-05-02 17:40"),
        )
    client = store_client(store_dir)
    times = {}
    for path in ("atom.xml", "sections/world/atom.xml", "rss.xml", "sections/world/rss.xml"):
        entries = feed(client, path).entries
        stamps = {e.title: e.updated for e in entries}
        assert len(set(stamps.values())) == 4, path  # all distinct
        for title, stamp in stamps.items():
            assert times.setdefault(title, stamp) == stamp  # the same in every feed
    published = {e.published for e in feed(client, "atom.xml").entries}
    assert published == {"2013-05-03T00:40:00+00:00"}  # 17:40 in Los Angeles, left as given
    assert {stamp[:19] for stamp in times.values()} == {"2013-05-03T00:40:00"}  # within that second


def test_character_references_in_plain_text_fields_reach_readers_decoded(store_dir):
    """CMS exports write "Q&amp;A" and "&#8217;" in titles and tags: subscribers must see "Q&A" and "’",
    and a reference that spells out markup must not bring the markup back."""
    store_dir.write(
        "world/qa.md",
        article(
            title="Q&amp;A: the mayor&#8217;s budget, explained",
            tags=["R&amp;D"],
            dateline="SAN JOS&Eacute;",
            summary="Five questions &amp; answers.",
        ),
    )
    store_dir.write(
        "world/trick.md",
        article(title="A headline with &lt;b&gt;bold&lt;/b&gt; spelled out", published="2013-05-01 08:00"),
    )
    client = store_client(store_dir)
    for path in ("sections/world/rss.xml", "sections/world/atom.xml"):
        entries = {e.title: e for e in feed(client, path).entries}
        assert set(entries) == {"Q&A: the mayor’s budget, explained", "A headline with bold spelled out"}
        qa = entries["Q&A: the mayor’s budget, explained"]
        assert "R&D" in [t.term for t in qa.tags]
        assert html.unescape(qa.summary) == "Five questions & answers."  # RSS descriptions are HTML
    from .test_pages import Page

    words = Page(client.get("/sections/world/").data.decode()).words  # the page as a reader sees it
    assert "SAN JOSÉ" in words and "Q&A: the mayor’s budget, explained" in words and "&amp;" not in words


def test_a_section_with_no_story_yet_is_not_dated_1970(store_dir):
    """A new section's feeds have no item to take their time from. 1970 (the epoch) told readers the
    feed was decades stale and is "Implausible date" to the W3C validator (anything before 1990): the
    publication's tag date, set once in the site file, stands in — stable, and before any story."""
    store_dir.write("world/one.md", article())
    client = store_client(store_dir)
    rss = feed(client, "sections/business/rss.xml")
    atom = feed(client, "sections/business/atom.xml")
    assert rss.entries == [] and atom.entries == []
    assert rss.feed.updated_parsed[:3] == atom.feed.updated_parsed[:3] == (2013, 1, 1)  # SITE's tag_date
    json_feed = client.get("/sections/business/feed.json").get_json()
    assert json_feed["items"] == [] and json_feed["_feedsvc"]["updated"] == "2013-01-01T00:00:00+00:00"


def test_controls_html_rejects_never_reach_a_feed(store_dir):
    """XML allows U+007F–U+009F and the noncharacters, but HTML parsers reject them (the W3C validator:
    "Invalid HTML"), and readers show boxes. A CMS export that decoded Windows-1252 as Latin-1 leaves
    such controls where apostrophes were; a NEL is a line break."""
    odd = "\x7f\x92\x80\ufdd0\U0001fffe"
    store_dir.write(
        "world/odd.md",
        article(
            title=f"A headline{odd} with controls in it",
            body=f"Okafor{odd}s shop.\x85Second line.\n\n<p>Raw&#127; HTML{odd}</p>",
        ),
    )
    client = store_client(store_dir)

    def unwanted(text: str) -> list[str]:
        return [
            hex(ord(c))
            for c in text
            if 0x7F <= ord(c) <= 0x9F or 0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE
        ]

    for path in ("sections/world/rss.xml", "sections/world/atom.xml"):
        entry = feed(client, path).entries[0]
        assert entry.title == "A headline with controls in it"
        for text in (entry.title, entry.summary, entry.content[0].value):
            assert unwanted(text) == [], (path, text)
        assert "Okafors shop.\nSecond line." in entry.content[0].value
    item = client.get("/sections/world/feed.json").get_json()["items"][0]
    assert unwanted(item["content_html"] + item["title"] + item["summary"]) == []


def test_a_story_that_is_only_an_embed_still_gives_readers_something_to_open(store_dir):
    """A video post is often an <iframe> alone; sanitised, nothing is left, and readers, which prefer
    content to the description, showed an empty story. Its content links to the story's page instead."""
    store_dir.write(
        "world/video.md",
        article(
            title="Watch: the harbor fireworks from the water",
            body='<iframe src="https://video.example/embed/1"></iframe>',
        ),
    )
    client = store_client(store_dir)
    url = "https://news.example.com/world/video"
    for path in ("sections/world/rss.xml", "sections/world/atom.xml"):
        entry = feed(client, path).entries[0]
        content = entry.content[0].value
        assert urls_in(content) == [url], (path, content)
        assert "Watch: the harbor fireworks from the water" in content
    item = client.get("/sections/world/feed.json").get_json()["items"][0]
    assert urls_in(item["content_html"]) == [url]


def test_an_id_given_as_a_uri_is_kept_only_if_it_is_a_valid_one(store_dir):
    """A tag: or urn: id an editor gave is the entry's id as it is when RFC 4151 or the URN syntax allows it;
    otherwise (brackets, a bad escape, a second "#", a one-letter URN namespace) it is made part of the
    site's own tag URI, as any other id is, so that no reader or validator meets an invalid one."""
    site = "tag:news.example.com,2013-01-01:"
    ids = {
        "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66": "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
        "tag:news.example.com,2013:world/a?b#c": "tag:news.example.com,2013:world/a?b#c",
        "urn:newsml:reuters.com:20130502:x": "urn:newsml:reuters.com:20130502:x",
        "tag:news.example.com,2013:a[1]": site + "tag:news.example.com,2013:a%5B1%5D",
        "urn:x:%zz": site + "urn:x:%25zz",
        "urn:xy:a#b#c": site + "urn:xy:a%23b%23c",
    }
    for n, given in enumerate(ids):
        store_dir.write(f"world/id-{n}.md", article(title=f"A story with its own id, number {n}", id=given))
    client = store_client(store_dir)
    atom = xml(client.get("/sections/world/atom.xml").data)
    assert sorted(e.findtext("atom:id", namespaces=NS) for e in atom.findall("atom:entry", NS)) == sorted(ids.values())
    rss = xml(client.get("/sections/world/rss.xml").data)
    assert sorted(guid.text for guid in rss.iter("guid")) == sorted(ids.values())


def test_a_tag_id_with_an_upper_case_authority_reaches_readers_as_the_editor_wrote_it(store_dir):
    """RFC 4151 §2.1 allows upper-case letters in a tag's authority (alphaNum = DIGIT / ALPHA), as in an
    email address's: such an id is valid, and a reader must keep knowing the story by it."""
    given = ["tag:News.Example.com,2013:world/a", "tag:Desk@NEWS.example.com,2013-05:b"]
    for n, story_id in enumerate(given):
        store_dir.write(f"world/id-{n}.md", article(title=f"A story with its own tag id, number {n}", id=story_id))
    client = store_client(store_dir)
    for path, mimetype in (
        ("sections/world/atom.xml", "application/atom+xml"),
        ("sections/world/rss.xml", "application/rss+xml"),
    ):
        feed_ = parsed(client.get("/" + path).data, BASE_URL + path, mimetype)
        assert sorted(entry.id for entry in feed_.entries) == sorted(given), path
