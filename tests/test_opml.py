"""/feeds.opml lets a reader subscribe to every section at once — read here by listparser, a real
OPML consumer."""

from __future__ import annotations

import listparser

from .conftest import BASE_URL, SAMPLE_STORE


def test_a_reader_imports_every_section_feed_from_the_opml_file(client):
    response = client.get("/feeds.opml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/x-opml; charset=utf-8"
    result = listparser.parse(response.data.decode("utf-8"))
    assert not result.bozo, result.get("bozo_exception")
    assert result.meta.title == "The Sample Times — every section"
    feeds = {feed.url: feed.title for feed in result.feeds}
    assert feeds == {
        f"{BASE_URL}sections/{slug}/rss.xml": f"The Sample Times — {title}"
        for slug, title in (
            ("world-nation", "World & Nation"),
            ("business", "Business"),
            ("science", "Science"),
            ("local", "Local"),
        )
    }
    for url in feeds:  # every listed feed really exists
        assert client.get(url.removeprefix(BASE_URL.rstrip("/"))).status_code == 200


def test_the_opml_file_is_cached_and_built_like_the_feeds(tmp_path, client):
    from feedsvc.static.build import build

    from .test_build import config_for

    first = client.get("/feeds.opml")
    assert client.get("/feeds.opml", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    out = tmp_path / "public"
    build(config_for(SAMPLE_STORE), out)
    assert (out / "feeds.opml").read_bytes() == first.data


def test_the_opml_files_use_only_what_the_w3c_validator_knows(client):
    """The W3C Feed Validation Service (checked by hand with its code) calls `<docs>` an undefined head
    element, an error, though OPML 2.0 lists it; and warns of an outline with more than `text` but no
    `type` (OPML 2.0 defines `title` only for type="rss"). The folder outline carries `text` alone."""
    from lxml import etree

    known = {
        "title",
        "dateCreated",
        "dateModified",
        "ownerName",
        "ownerEmail",
        "ownerId",
        "expansionState",
        "vertScrollState",
        "windowTop",
        "windowLeft",
        "windowBottom",
        "windowRight",
    }
    for path in ("/feeds.opml", "/authors.opml", "/tags.opml"):
        root = etree.fromstring(client.get(path).data)
        assert {child.tag for child in root.find("head")} <= known, path
        for outline in root.iter("outline"):
            assert "type" in outline.attrib or set(outline.attrib) == {"text"}, (path, dict(outline.attrib))
