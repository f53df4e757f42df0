"""What a subscriber gets in every feed of the sample store, read by feedparser and by an XML parser."""

from __future__ import annotations

import html
import os

import pytest

from .conftest import BASE_URL, ROOT, SAMPLE_STORE
from .feeds import NS, parsed, urls_in, xml

GOLDEN = ROOT / "tests" / "golden"
SECTIONS = ["world-nation", "business", "science", "local"]
FEED_PATHS = ["rss.xml", "atom.xml"] + [f"sections/{s}/{f}" for s in SECTIONS for f in ("rss.xml", "atom.xml")]
# a writer with an entry in _authors.yml, one without, and a tag three stories carry in two spellings
SCOPED_PATHS = [
    f"{scope}/{f}"
    for scope in ("authors/priya-natarajan", "authors/tomas-ortega", "tags/harbor-street")
    for f in ("rss.xml", "atom.xml")
]
SEED_ID = "tag:news.example.com,2013-01-01:world-nation/obama-meets-pena-nieto"


def fetch(client, path):
    response = client.get("/" + path)
    assert response.status_code == 200, path
    return response


def feed(client, path):
    response = fetch(client, path)
    return parsed(response.data, BASE_URL + path, response.headers["Content-Type"])


def seed_entry(client, fmt):
    entries = feed(client, f"sections/world-nation/{fmt}.xml").entries
    return next(e for e in entries if e.id == SEED_ID)


@pytest.mark.parametrize("path", FEED_PATHS)
def test_every_feed_is_well_formed_and_parses_cleanly(client, path):
    response = fetch(client, path)
    root = xml(response.data)
    assert root.tag == ("rss" if path.endswith("rss.xml") else f"{{{NS['atom']}}}feed")
    result = parsed(response.data, BASE_URL + path, response.headers["Content-Type"])
    assert result.version == ("rss20" if path.endswith("rss.xml") else "atom10")
    assert result.entries


@pytest.mark.parametrize("path", FEED_PATHS)
def test_the_feed_names_itself_and_its_publication(client, path):
    d = feed(client, path)
    section = path.split("/")[1] if path.startswith("sections/") else None
    titles = {"world-nation": "World & Nation", "business": "Business", "science": "Science", "local": "Local"}
    expected_title = "The Sample Times" + (f" — {titles[section]}" if section else "")
    assert d.feed.title == expected_title
    assert d.feed.subtitle  # section description
    assert d.feed.language == "en-us"
    assert d.feed.rights.startswith("© 2013 The Sample Times")
    assert d.feed.generator == "feedsvc"
    self_links = [link.href for link in d.feed.links if link.rel == "self"]
    assert self_links == [BASE_URL + path]
    site = "https://news.example.com/" + (f"{section}/" if section else "")
    assert d.feed.link == site
    logo = d.feed.image.href if path.endswith("rss.xml") else d.feed.logo
    assert logo == BASE_URL + "media/site/logo.png"


@pytest.mark.parametrize("path", FEED_PATHS)
def test_items_are_newest_first_and_the_feed_time_comes_from_content(client, path):
    d = feed(client, path)
    published = [e.published_parsed for e in d.entries]
    assert published == sorted(published, reverse=True)
    newest_update = max(e.updated_parsed for e in d.entries)
    assert d.feed.updated_parsed == newest_update
    assert fetch(client, path).data == fetch(client, path).data  # same store, same bytes


def test_the_all_sections_feed_has_every_published_story_and_no_draft_or_scheduled_one(client):
    ids = [e.id for e in feed(client, "atom.xml").entries]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert not any("quarterly-outlook" in i or "time-capsule" in i for i in ids)  # draft, scheduled


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_item_carries_everything_a_reader_shows(client, fmt):
    e = seed_entry(client, fmt)
    assert e.title == "Obama meets privately with Mexican President Peña Nieto"
    assert e.link == "https://news.example.com/world-nation/obama-meets-pena-nieto"
    assert e.id == SEED_ID
    assert e.published_parsed[:5] == (2013, 5, 3, 0, 40)  # 17:40 PDT
    assert e.updated_parsed[:5] == (2013, 5, 3, 0, 40)
    assert [a.name for a in e.authors] == ["Sample Newsroom Staff"]
    terms = {t.term for t in e.tags}
    assert {"Mexico", "Barack Obama", "Enrique Peña Nieto"} <= terms
    assert ("World & Nation" if fmt == "rss" else "world-nation") in terms
    summary = html.unescape(e.summary)
    assert summary.startswith("Barack Obama and Enrique Peña Nieto held a closed-door meeting")
    assert summary.endswith("…") and 300 <= len(summary) <= 360  # cut at the word that reaches 300
    assert "MEXICO CITY" not in summary  # the dateline is not repeated
    content = e.content[0]
    assert content.type == "text/html"
    assert "<strong>MEXICO CITY</strong> — Barack Obama" in content.value


def test_rss_guid_is_not_a_permalink_and_the_byline_is_dc_creator(client):
    channel = xml(fetch(client, "sections/world-nation/rss.xml").data).find("channel")
    item = next(i for i in channel.findall("item") if i.findtext("guid") == SEED_ID)
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.find("author") is None  # RSS <author> must be an email
    assert [c.text for c in item.findall("dc:creator", NS)] == ["Sample Newsroom Staff"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_the_photo_is_an_enclosure_with_its_true_size_and_media_rss(client, fmt):
    photo = SAMPLE_STORE / "media/2013/obama-pena-nieto.jpg"
    url = BASE_URL + "media/2013/obama-pena-nieto.jpg"
    e = seed_entry(client, fmt)
    assert [(x.href, int(x.length), x.type) for x in e.enclosures] == [(url, photo.stat().st_size, "image/jpeg")]
    assert e.media_content == [
        {
            "url": url,
            "medium": "image",
            "type": "image/jpeg",
            "filesize": str(photo.stat().st_size),
            "width": "1200",
            "height": "800",
        }
    ]
    assert e.media_credit[0]["content"] == "Pablo Martinez Monsivais / Associated Press"
    assert e.media_thumbnail[0]["url"] == url
    assert fetch(client, "media/2013/obama-pena-nieto.jpg").data == photo.read_bytes()


@pytest.mark.parametrize("path", ["rss.xml", "atom.xml"])
def test_feedparser_clients_see_the_summary_not_the_caption_and_media_rss_keeps_the_caption(client, path):
    """feedparser reads media:description as a summary: rss2email mailed every photo's caption (issue 13)."""
    root = xml(fetch(client, path).data)
    if path == "rss.xml":
        summaries = {i.findtext("guid"): i.findtext("description") for i in root.iter("item")}
    else:
        summaries = {
            i.findtext("atom:id", namespaces=NS): i.findtext("atom:summary", namespaces=NS)
            for i in root.iterfind("atom:entry", NS)
        }
    entries = feed(client, path).entries
    for e in entries:
        assert e.summary_detail.value == e.summary == summaries[e.id], e.id
    # A Media RSS consumer still finds each photo's caption and credit beside the photo.
    photos = root.findall(".//media:content", NS)
    assert len(photos) == sum("media_content" in e for e in entries) >= 5
    assert all(
        p.xpath("string(media:description)", namespaces=NS) and p.xpath("string(media:credit)", namespaces=NS)
        for p in photos
    )
    seed = next(p for p in photos if p.get("url").endswith("obama-pena-nieto.jpg"))
    assert seed.findtext("media:description", namespaces=NS).startswith("Barack Obama, at left, and Enrique")


def test_media_rss_is_written_once_without_a_media_group(client):
    for fmt in ("rss", "atom"):
        root = xml(fetch(client, f"sections/world-nation/{fmt}.xml").data)
        assert not root.findall(".//media:group", NS)
        contents = root.findall(".//media:content", NS)
        assert contents and all(c.find("media:description", NS).get("type") == "plain" for c in contents)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_related_links_are_links_and_a_list_at_the_end_of_the_content(client, fmt):
    e = seed_entry(client, fmt)
    related = [(link.href, link.title) for link in e.links if link.rel == "related"]
    assert related == [
        (
            "https://news.example.com/world-nation/central-american-migrants-attacked-in-mexico",
            "Central American migrants attacked in Mexico",
        ),
        (
            "https://news.example.com/world-nation/jailed-indian-death-in-pakistan-causes-furor",
            "Death of jailed Indian in Pakistan causes furor",
        ),
        (
            "https://news.example.com/world-nation/somalia-famine-report",  # by id, resolved
            "Report: Nearly 260,000 died in Somalia food crisis",
        ),
    ]
    content = e.content[0].value
    assert content.index("<h2>Related</h2>") > content.index("working dinner")
    for href, title in related:
        assert f'<a href="{href}">{html.escape(title, quote=False)}</a>' in content


def test_atom_entry_links_keep_rel_type_and_length(client):
    root = xml(fetch(client, "sections/world-nation/atom.xml").data)
    entry = next(e for e in root.findall("atom:entry", NS) if e.findtext("atom:id", namespaces=NS) == SEED_ID)
    rels = [link.get("rel") or "alternate" for link in entry.findall("atom:link", NS)]
    assert rels == ["alternate", "enclosure", "related", "related", "related"]
    enclosure = entry.find("atom:link[@rel='enclosure']", NS)
    assert enclosure.get("type") == "image/jpeg" and int(enclosure.get("length")) > 0


def test_content_urls_are_absolute(client):
    for path in FEED_PATHS:
        for e in feed(client, path).entries:
            for url in urls_in(e.content[0].value):
                assert url.startswith(("https://", "http://", "mailto:")), (path, e.id, url)


def test_a_relative_link_in_a_body_becomes_absolute_against_the_article(client):
    e = next(e for e in feed(client, "sections/local/atom.xml").entries if "bike-lanes" in e.id)
    assert '<a href="https://news.example.com/business/hardware-store-fifty-years">' in e.content[0].value


def test_a_remote_photo_keeps_the_size_the_editor_gave(client):
    e = next(e for e in feed(client, "sections/science/rss.xml").entries if "comet" in e.id)
    assert [(x.href, x.length) for x in e.enclosures] == [
        ("https://news.example.com/images/remote-example.jpg", "245760")
    ]


def test_a_story_without_a_photo_has_no_enclosure(client):
    e = next(e for e in feed(client, "sections/world-nation/rss.xml").entries if "somalia" in e.id)
    assert e.enclosures == [] and "media_content" not in e


def test_a_corrected_story_shows_both_times(client):
    e = next(e for e in feed(client, "sections/business/atom.xml").entries if "credit-union" in e.id)
    assert e.updated_parsed > e.published_parsed


def test_items_per_feed_is_configurable(tmp_path):
    from feedsvc.serve.app import create_app

    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL, "items_per_feed": 3}, auto_refresh=False)
    d = feed(app.test_client(), "rss.xml")
    assert [e.title for e in d.entries] == [e.title for e in feed(app.test_client(), "rss.xml").entries][:3]
    assert len(d.entries) == 3


@pytest.mark.parametrize("path", FEED_PATHS + SCOPED_PATHS)
def test_the_sample_feeds_match_their_golden_files(client, path):
    """Any change to the bytes subscribers get is a deliberate one: regenerate with UPDATE_GOLDEN=1."""
    body = fetch(client, path).data
    golden = GOLDEN / path
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(body)
    assert golden.is_file(), f"{golden} is missing: run UPDATE_GOLDEN=1 pytest tests/test_feeds.py"
    assert body == golden.read_bytes()
