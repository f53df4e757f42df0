"""The home page lists every section with its feeds, and readers can discover each feed from it."""
from __future__ import annotations

from html.parser import HTMLParser

from .conftest import BASE_URL


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alternates, self.anchors = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append((attrs["type"], attrs["href"], attrs["title"]))
        if tag == "a":
            self.anchors.append(attrs["href"])


def test_the_index_page_has_autodiscovery_and_links_for_every_feed(client):
    response = client.get("/")
    assert response.status_code == 200
    page = Links()
    page.feed(response.data.decode("utf-8"))
    expected = {BASE_URL + p for p in ["rss.xml", "atom.xml"]} | {
        f"{BASE_URL}sections/{s}/{f}" for s in ("world-nation", "business", "science", "local")
        for f in ("rss.xml", "atom.xml")}
    assert {href for _, href, _ in page.alternates} == expected
    assert set(page.anchors) == expected
    types = {href: kind for kind, href, _ in page.alternates}
    assert types[BASE_URL + "rss.xml"] == "application/rss+xml"
    assert types[BASE_URL + "sections/local/atom.xml"] == "application/atom+xml"
    titles = {title for _, _, title in page.alternates}
    assert "The Sample Times — World & Nation (RSS)" in titles


def test_the_index_page_escapes_store_text(store_dir):
    from feedsvc.app import create_app
    store_dir.write_site(title="<script>alert(1)</script>Times",
                         sections=[{"slug": "world", "title": "World <b>&</b> \"Nation\"",
                                    "description": "<img src=x onerror=alert(1)>"}])
    app = create_app({"store": store_dir.root, "base_url": BASE_URL, "auto_refresh": False})
    body = app.test_client().get("/").data.decode()
    assert "<script>" not in body and "onerror" not in body and "<b>" not in body
