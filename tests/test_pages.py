"""Pages for people: the home page and each section's page show the latest stories with their photos,
and make subscribing obvious — and every piece of store text on them is escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import lxml.html
import pytest

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, article

SECTIONS = ("world-nation", "business", "science", "local")


class Page(HTMLParser):
    """What a browser (and a feed reader's discovery) would pick out of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.alternates, self.anchors, self.images, self.inputs, self.text = [], [], [], [], []
        self.buttons: list[tuple[str, str]] = []  # (href, label) of each a.button
        self.addresses: list[str] = []  # the text of each address to copy (code.address)
        self.root: dict[str, str | None] = {}  # the <html> element's attributes
        self.outlines = []
        self._open: tuple[str, str | None] | None = None  # ("button", href) or ("address", None) being read
        self._read: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "html":
            self.root = attrs
        if tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append((attrs["type"], attrs["href"], attrs["title"]))
        if tag == "link" and attrs.get("rel") == "outline":
            self.outlines.append(attrs["href"])
        if tag == "a":
            self.anchors.append(attrs.get("href"))
            if "button" in classes:
                self._open, self._read = ("button", attrs.get("href")), []
        if tag == "code" and "address" in classes:
            self._open, self._read = ("address", None), []
        if tag == "img":
            self.images.append(attrs)
        if tag == "input":
            self.inputs.append(attrs)

    def handle_endtag(self, tag):
        if self._open and tag == {"button": "a", "address": "code"}[self._open[0]]:
            text = "".join(self._read)
            if self._open[0] == "button":
                self.buttons.append((self._open[1], text))
            else:
                self.addresses.append(text)
            self._open = None

    def handle_data(self, data):
        self.text.append(data)
        if self._open:
            self._read.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def feeds_of(section: str | None) -> set[str]:
    base = BASE_URL if section is None else f"{BASE_URL}sections/{section}/"
    return {base + name for name in ("rss.xml", "atom.xml", "feed.json")}


def test_the_home_page_lets_readers_discover_and_subscribe_to_every_feed(client):
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = Page(response.data.decode())
    every_feed = feeds_of(None).union(*(feeds_of(s) for s in SECTIONS))
    assert {href for _, href, _ in page.alternates} == every_feed
    assert {kind for kind, _, _ in page.alternates} == {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
    }
    assert "The Sample Times — World & Nation (RSS)" in {title for _, _, title in page.alternates}
    # The buttons lead to the subscribe page, not to a wall of markup; so does each section's link.
    assert page.buttons == [(BASE_URL + "subscribe/", label) for label in ("RSS", "Atom", "JSON Feed")]
    assert not every_feed & set(page.anchors)
    assert {f"{BASE_URL}sections/{s}/subscribe/" for s in SECTIONS} <= set(page.anchors)
    assert page.addresses == [BASE_URL + "rss.xml"]
    lists = [BASE_URL + name for name in ("feeds.opml", "authors.opml", "tags.opml")]
    assert page.outlines == lists and set(lists) <= set(page.anchors)


def test_the_home_page_makes_one_clear_offer_for_the_combined_feed_and_one_for_the_opml_list(client):
    box = lxml.html.fromstring(client.get("/").data).xpath("//section[@class='subscribe']")[0]
    assert box.xpath("h2")[0].text_content() == "Subscribe to The Sample Times"
    assert box.xpath("p")[0].text_content() == "One feed with the newest stories from every section."
    opml = [p for p in box.xpath("p") if p.xpath(f"a[@href='{BASE_URL}feeds.opml']")]
    assert len(opml) == 1 and "also" in opml[0].get("class").split()  # a separate offer, set apart
    assert (
        opml[0]
        .text_content()
        .startswith(
            "Rather follow each section on its own? Import the list of every section’s feed (OPML) into your reader."
        )
    )
    assert "at once" not in box.text_content()  # no second "every section at once" to tell apart


def test_the_home_page_shows_the_latest_stories_with_photo_caption_credit_and_related(client):
    page = Page(client.get("/").data.decode())
    assert "Obama meets privately with Mexican President Peña Nieto" in page.words
    assert "Time capsule" not in page.words  # scheduled
    photo = next(img for img in page.images if img["src"].endswith("obama-pena-nieto.jpg"))
    assert photo["src"] == BASE_URL + "media/2013/obama-pena-nieto.jpg"
    assert photo["alt"].startswith("The U.S. and Mexican presidents")
    assert "(Pablo Martinez Monsivais / Associated Press)" in page.words
    assert "https://news.example.com/world-nation/somalia-famine-report" in page.anchors  # related, by id
    assert "May 2, 2013, 5:40 p.m. PDT" in page.words


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_has_its_own_page_and_feeds(client, section):
    response = client.get(f"/sections/{section}/")
    assert response.status_code == 200
    page = Page(response.data.decode())
    assert {href for _, href, _ in page.alternates} == feeds_of(section)
    assert {href for href, _ in page.buttons} == {f"{BASE_URL}sections/{section}/subscribe/"}
    assert [label for _, label in page.buttons] == ["RSS", "Atom", "JSON Feed"]
    assert page.addresses == [f"{BASE_URL}sections/{section}/rss.xml"]
    story_links = [a for a in page.anchors if a and a.startswith("https://news.example.com/")]
    assert story_links and all(
        f"/{section}/" in link or "related" in link or "world-nation" in link for link in story_links[:1]
    )


def test_an_unknown_section_page_is_404(client):
    assert client.get("/sections/sports/").status_code == 404


@pytest.mark.parametrize("page", ["sections/world-nation", "subscribe", "sections/business/subscribe"])
def test_a_page_asked_for_without_its_slash_is_redirected_to_it(client, page):
    """As a static host serving the build (nginx) answers a folder without its slash: a person who
    types the address without it reaches the page, at the configured URL whatever the Host says."""
    for method in ("GET", "HEAD"):
        response = client.open("/" + page, method=method, headers={"Host": "evil.example"})
        assert response.status_code == 301, (method, page)
        assert response.headers["Location"] == BASE_URL + page + "/"
    assert client.get("/" + page + "/").status_code == 200
    assert client.get("/sections/sports").status_code == 404  # no such page: nothing to lead to
    tagged = client.get("/" + page, query_string="utm_source=news%20letter&x=1")
    assert tagged.headers["Location"] == BASE_URL + page + "/?utm_source=news%20letter&x=1"  # the query kept


def test_the_query_a_redirect_keeps_is_sent_on_as_a_valid_uri(client):
    """A "%" that starts no escape, brackets and non-ASCII bytes in the query of a link to a page without
    its slash come back escaped (RFC 3986 §2.4, §3.4) in the Location, as a valid URI; escapes already
    made stay as sent, and non-ASCII stays the bytes that were sent, whatever their charset."""
    queries = {
        "a=100%&b=%20": "a=100%25&b=%20",
        "list[]=1&d=%zz": "list%5B%5D=1&d=%25zz",
        "q=caf\xc3\xa9&l=caf\xe9": "q=caf%C3%A9&l=caf%E9",  # as WSGI gives the bytes: UTF-8, then Latin-1
    }
    for sent, kept in queries.items():
        response = client.get("/subscribe", environ_overrides={"QUERY_STRING": sent})
        assert response.status_code == 301
        assert response.headers["Location"] == f"{BASE_URL}subscribe/?{kept}", sent


def test_pages_have_caching_headers_and_answer_304(client):
    first = client.get("/sections/science/")
    assert first.headers["Cache-Control"].startswith("public, max-age=300")
    assert client.get("/sections/science/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_pages_escape_store_text(store_dir):
    store_dir.write_site(
        title="<script>alert(1)</script>Times",
        sections=[{"slug": "world", "title": 'World <b>&</b> "Nation"', "description": "<img src=x onerror=alert(1)>"}],
    )
    store_dir.write(
        "world/a.md",
        article(
            title="Headline </h2><script>alert(2)</script>",
            photo={
                "src": 'https://images.example.com/a.jpg" onerror="alert(3)',
                "caption": "<svg onload=alert(4)>",
                "credit": "<i>x</i>",
            },
            related=[{"title": "<script>alert(5)</script>", "url": "javascript:alert(6)"}],
            body="<script>alert(7)</script> Hello",
        ),
    )
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    for path in ("/", "/sections/world/"):
        body = app.test_client().get(path).data.decode()
        assert "Headline" in body, path  # published: its bad parts are left out with warnings
        page = lxml.html.fromstring(body)
        assert not page.xpath("//script | //svg | //b"), path
        assert not [a for a in page.xpath("//@*") if a.attrname.startswith("on")], (
            path
        )  # "onerror=" inside a URL is text
        assert "<script" not in body and "javascript:" not in body, path


@pytest.mark.parametrize(
    ("language", "direction"), [("ar", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"), ("en-us", "ltr"), ("ja", "ltr")]
)
def test_a_page_in_a_right_to_left_language_says_so(store_dir, language, direction):
    store_dir.write_site(language=language)
    store_dir.write("world/a.md", article(title="عنوان الخبر الرئيسي لهذا اليوم"))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
    for path in ("/", "/sections/world/"):
        page = Page(app.test_client().get(path).data.decode())
        assert page.root == {"lang": language.lower(), "dir": direction}, path


@pytest.mark.parametrize(
    ("base_url", "home", "icons"),
    [
        (BASE_URL, "/", ["data:,"]),  # the host's root: nothing publishes /favicon.ico, so no 404 is asked for
        ("https://news.example.com/feeds/", "/feeds/", []),  # part of a site: its own /favicon.ico shows
    ],
)
def test_a_page_without_a_site_icon_asks_no_server_for_one_only_at_the_root(store_dir, base_url, home, icons):
    store_dir.write("world/a.md", article())
    app = create_app({"store": store_dir.root, "base_url": base_url}, auto_refresh=False)
    for path in (home, home + "subscribe/"):
        response = app.test_client().get(path)
        assert response.status_code == 200, path
        assert lxml.html.fromstring(response.data).xpath('//link[@rel="icon"]/@href') == icons, path
