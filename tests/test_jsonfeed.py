"""JSON Feed 1.1 for every feed: the spec's fields, the same stories and photo as RSS and Atom, related
links in the documented `_feedsvc` extension, and the same caching behaviour."""

from __future__ import annotations

import json
from datetime import datetime

import jsonschema
import pytest

from .conftest import BASE_URL, ROOT, SAMPLE_STORE
from .feeds import parsed

SCHEMA = json.loads((ROOT / "tests/schemas/jsonfeed-1.1.json").read_text())
PATHS = ["feed.json"] + [f"sections/{s}/feed.json" for s in ("world-nation", "business", "science", "local")]
SEED_ID = "tag:news.example.com,2013-01-01:world-nation/obama-meets-pena-nieto"


def fetch(client, path):
    response = client.get("/" + path)
    assert response.status_code == 200
    return response, json.loads(response.data)


@pytest.mark.parametrize("path", PATHS)
def test_every_json_feed_meets_the_1_1_spec(client, path):
    response, feed = fetch(client, path)
    assert response.headers["Content-Type"] == "application/feed+json; charset=utf-8"
    jsonschema.validate(feed, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert feed["feed_url"] == BASE_URL + path
    for item in feed["items"]:
        datetime.fromisoformat(item["date_published"])  # RFC 3339
        assert item["_feedsvc"]["section"]["slug"]


@pytest.mark.parametrize("path", ["feed.json", "sections/world-nation/feed.json"])
def test_json_feed_has_the_same_stories_in_the_same_order_as_atom(client, path):
    _, feed = fetch(client, path)
    atom_path = path.replace("feed.json", "atom.xml")
    atom = client.get("/" + atom_path)
    entries = parsed(atom.data, BASE_URL + atom_path, atom.headers["Content-Type"]).entries
    assert [item["id"] for item in feed["items"]] == [e.id for e in entries]
    assert [item["title"] for item in feed["items"]] == [e.title for e in entries]
    assert [item["summary"] for item in feed["items"]] == [e.summary for e in entries]


def test_the_seed_story_in_json(client):
    _, feed = fetch(client, "sections/world-nation/feed.json")
    item = next(i for i in feed["items"] if i["id"] == SEED_ID)
    photo = SAMPLE_STORE / "media/2013/obama-pena-nieto.jpg"
    url = BASE_URL + "media/2013/obama-pena-nieto.jpg"
    assert item["url"] == "https://news.example.com/world-nation/obama-meets-pena-nieto"
    assert item["image"] == url
    assert item["attachments"] == [
        {
            "url": url,
            "mime_type": "image/jpeg",
            "size_in_bytes": photo.stat().st_size,
            "title": item["_feedsvc"]["photo"]["caption"],
        }
    ]
    assert item["_feedsvc"]["photo"]["credit"] == "Pablo Martinez Monsivais / Associated Press"
    assert item["_feedsvc"]["related"][2] == {
        "title": "Report: Nearly 260,000 died in Somalia food crisis",
        "url": "https://news.example.com/world-nation/somalia-famine-report",
    }
    assert item["authors"] == [{"name": "Sample Newsroom Staff"}]
    assert "World & Nation" in item["tags"] and "Mexico" in item["tags"]
    assert item["summary"].startswith("Barack Obama and Enrique Peña Nieto held a closed-door meeting")
    assert item["date_published"] == "2013-05-03T00:40:00+00:00"


def test_json_feeds_cache_like_the_xml_feeds(client):
    first = client.get("/feed.json")
    assert first.headers["Cache-Control"] == client.get("/rss.xml").headers["Cache-Control"]
    assert first.headers["Vary"] == "Accept-Encoding"
    assert client.get("/feed.json", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    zipped = client.get("/feed.json", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] != first.headers["ETag"]


def test_json_feed_in_the_static_build(tmp_path, client):
    from feedsvc.static.build import build

    from .test_build import config_for

    out = tmp_path / "public"
    build(config_for(SAMPLE_STORE), out)
    for path in PATHS:
        assert (out / path).read_bytes() == client.get("/" + path).data


def test_items_written_once_make_the_bytes_json_dumps_writes_for_the_whole_feed():
    """render.jsonfeed keeps each item's text and writes a feed around the texts: every JSON Feed of
    the sample store, rendered one after another so that most items were met in an earlier feed, is
    byte for byte what json.dumps(indent=2) writes for the whole document."""
    from datetime import timedelta

    from feedsvc.config import load_config
    from feedsvc.publish.publisher import Publisher
    from feedsvc.render import jsonfeed
    from feedsvc.store.store import Store

    from .test_feedgen_traps import WHEN

    config = load_config(overrides={"store": SAMPLE_STORE, "base_url": BASE_URL})
    now = WHEN + timedelta(days=4000)
    store = Store.open(config.store, limits=config.read)
    publisher = Publisher(store, config.feeds)
    paths = [path for path in publisher.document_paths(now) if path.endswith("feed.json")]
    jsonfeed._ITEMS.clear()
    bodies = [publisher.render(path, now).body for path in paths]
    assert len(jsonfeed._ITEMS._texts) < sum(len(json.loads(body)["items"]) for body in bodies), "no item reused"
    for path, body in zip(paths, bodies, strict=True):
        assert body == (json.dumps(json.loads(body), ensure_ascii=False, indent=2) + "\n").encode(), path
    assert len(paths) >= 10
