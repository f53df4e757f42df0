"""The Google News sitemap and robots.txt: the stories of the last two days (at most 1,000), each with
the publication's name and language, its title and its publication date, valid against the sitemap and
news namespaces' rules (tests/schemas), served and built alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, article
from .feeds import xml

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "schemas" / "sitemap-0.9.xsd")))
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


def at(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}Z"


@pytest.fixture
def newsroom(store_dir):
    """Stories an hour, a day and 47 hours old; one 49 hours old; one scheduled; one draft."""
    for name, hours in (("fresh", 1), ("yesterday", 24), ("almost-old", 47), ("old", 49), ("scheduled", -1)):
        store_dir.write(
            f"world/{name}.md",
            article(
                title=f"The {name} story & its headline", section="world", published=at(NOW - timedelta(hours=hours))
            ),
        )
    store_dir.write(
        "business/draft.md",
        article(
            title="A draft nobody may see yet",
            section="business",
            published=at(NOW - timedelta(hours=2)),
            status="draft",
        ),
    )
    return store_dir


def client_at(root, clock):
    return create_app({"store": root, "base_url": BASE_URL}, auto_refresh=False, clock=clock).test_client()


def urls(body: bytes) -> list[str]:
    return [loc.text for loc in xml(body).findall("s:url/s:loc", NS)]


def test_the_news_sitemap_lists_the_last_two_days_valid_against_its_schemas(newsroom):
    response = client_at(newsroom.root, lambda: NOW).get("/news-sitemap.xml")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/xml; charset=utf-8"
    document = xml(response.data)
    SCHEMA.assertValid(document)
    assert urls(response.data) == [
        f"https://news.example.com/world/{name}" for name in ("fresh", "yesterday", "almost-old")
    ]
    first = document.find("s:url/news:news", NS)
    assert first.findtext("news:publication/news:name", namespaces=NS) == "The Test Times"
    assert first.findtext("news:publication/news:language", namespaces=NS) == "en"  # from en-us
    assert first.findtext("news:title", namespaces=NS) == "The fresh story & its headline"
    assert first.findtext("news:publication_date", namespaces=NS) == "2024-03-10T11:00:00+00:00"


def test_the_sitemap_changes_on_its_own_as_stories_turn_two_days_old_and_scheduled_ones_appear(newsroom):
    now = [NOW]
    client = client_at(newsroom.root, lambda: now[0])
    assert len(urls(client.get("/news-sitemap.xml").data)) == 3
    now[0] = NOW + timedelta(hours=2)  # "almost-old" is now 49 hours old; "scheduled" has appeared
    assert urls(client.get("/news-sitemap.xml").data) == [
        f"https://news.example.com/world/{name}" for name in ("scheduled", "fresh", "yesterday")
    ]
    now[0] = NOW + timedelta(days=3)
    empty = client.get("/news-sitemap.xml").data  # nothing in two days: an empty list, still well-formed
    assert urls(empty) == [] and xml(empty).tag == f"{{{NS['s']}}}urlset"


def test_at_most_a_thousand_stories_the_newest(store_dir):
    for n in range(1003):
        store_dir.write(
            f"world/s{n:04d}.md",
            f"---\ntitle: Story {n}\nsection: world\npublished: {at(NOW - timedelta(minutes=n + 1))}\n---\nBody {n}.\n",
        )
    body = client_at(store_dir.root, lambda: NOW).get("/news-sitemap.xml").data
    SCHEMA.assertValid(xml(body))
    listed = urls(body)
    assert len(listed) == 1000 and listed[0].endswith("/s0000") and listed[-1].endswith("/s0999")


def test_robots_txt_names_the_sitemap_and_the_build_writes_both(newsroom, tmp_path):
    from feedsvc.config import load_config
    from feedsvc.static.build import build

    client = client_at(newsroom.root, lambda: NOW)
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = robots.data.decode("ascii").splitlines()
    assert lines[0] == "User-agent: *" and f"Sitemap: {BASE_URL}news-sitemap.xml" in lines
    out = tmp_path / "public"
    build(load_config(overrides={"store": newsroom.root, "base_url": BASE_URL}), out, now=NOW)
    assert (out / "robots.txt").read_bytes() == robots.data
    assert (out / "news-sitemap.xml").read_bytes() == client.get("/news-sitemap.xml").data


@pytest.mark.parametrize(
    "language, expected", [("en-us", "en"), ("fr", "fr"), ("zh-TW", "zh-tw"), ("zh-hans", "zh"), ("haw", "haw")]
)
def test_the_publication_language_is_what_google_news_takes(store_dir, language, expected):
    from feedsvc.render.sitemap import news_language

    assert news_language(language) == expected
