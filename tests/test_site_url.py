"""The site file's `url` as an editor types it — an international domain, a path in another script, a
space — still gives subscribers feeds whose every link and id is a valid URI (RFC 3986; tag: URIs per
RFC 4151), with the host in punycode and the path percent-encoded, in RSS, Atom, JSON Feed, OPML and
the pages alike."""

from __future__ import annotations

import json
import re

import listparser
import pytest

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, SAMPLE_STORE, article
from .feeds import NS, parsed, xml
from .test_check_cli import check
from .test_pages import Page

# RFC 3986 §2: a URI is ASCII letters, digits, the reserved and unreserved marks, and %XX escapes.
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")
# RFC 4151 §2.1: tag:<DNS name or email>,<date>:<specific>.
TAG = re.compile(r"tag:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?,\d{4}(?:-\d{2}){0,2}:\S+")

URL_ATTRIBUTES = {"href", "url", "scheme", "domain", "uri"}
URL_ELEMENTS = {"link", "id", "guid", "uri", "logo", "icon", "url", "docs", "comments"}


def urls_in(root) -> list[str]:
    """Every URL-valued attribute and element text in an RSS or Atom document."""
    found = []
    for element in root.iter():
        name = etree_local(element.tag)
        found += [value for key, value in element.attrib.items() if etree_local(key) in URL_ATTRIBUTES]
        if name in URL_ELEMENTS and element.text and element.text.strip():
            found.append(element.text.strip())
    return found


def etree_local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def assert_uris(values: list[str]) -> None:
    assert values
    for value in values:
        assert URI.fullmatch(value), f"not a URI: {value!r}"
        if value.startswith("tag:"):
            assert TAG.fullmatch(value), f"not an RFC 4151 tag URI: {value!r}"


@pytest.fixture
def app_for(store_dir):
    def make(**site):
        store_dir.write_site(**site)
        store_dir.write(
            "world/grüße-aus-köln.md",
            article(
                title="A story whose file name needs escaping",
                tags=["Köln"],
                body="See [the archive](/archiv/ältere/) and [home](./).",
                related=[{"title": "Elsewhere", "url": "https://example.net/ä"}],
            ),
        )
        application = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False)
        application.testing = True
        return application.test_client()

    return make


FEEDS = ["rss.xml", "atom.xml", "sections/world/rss.xml", "sections/world/atom.xml"]


def feeds(client):
    for path in FEEDS:
        response = client.get("/" + path)
        assert response.status_code == 200, path
        yield path, response


def test_an_international_domain_is_punycode_in_every_id_and_link(app_for):
    client = app_for(url="https://bücher.example/", logo="https://bücher.example/bilder/logo groß.png")
    for path, response in feeds(client):
        assert_uris(urls_in(xml(response.data)))
        d = parsed(response.data, BASE_URL + path, response.headers["Content-Type"])
        assert d.feed.link.startswith("https://xn--bcher-kva.example/")
        (entry,) = d.entries
        assert entry.id.startswith("tag:xn--bcher-kva.example,2013-01-01:")
        assert entry.link == "https://xn--bcher-kva.example/world/gr%C3%BC%C3%9Fe-aus-k%C3%B6ln"
        logo = d.feed.image.href if path.endswith("rss.xml") else d.feed.logo
        assert logo == "https://xn--bcher-kva.example/bilder/logo%20gro%C3%9F.png"
    atom = xml(client.get("/atom.xml").data)
    assert atom.findtext("atom:id", namespaces=NS).startswith("tag:xn--bcher-kva.example,2013-01-01:feed:")


@pytest.mark.parametrize(
    "typed, published",
    [
        ("https://example.org/新闻/", "https://example.org/%E6%96%B0%E9%97%BB/"),
        ("https://example.org/a b", "https://example.org/a%20b/"),
        ("HTTPS://Example.ORG/100%/", "https://example.org/100%25/"),
    ],
)
def test_a_site_url_with_a_path_is_one_encoded_base_for_every_link(app_for, typed, published):
    client = app_for(url=typed)
    for path, response in feeds(client):
        assert_uris(urls_in(xml(response.data)))
        d = parsed(response.data, BASE_URL + path, response.headers["Content-Type"])
        assert d.feed.link == published + ("world/" if path.startswith("sections/") else "")
        (entry,) = d.entries
        assert entry.link == published + "world/gr%C3%BC%C3%9Fe-aus-k%C3%B6ln"
        assert entry.tags[0].scheme == published + "world/"
        content = entry.content[0].value
        # The body's relative links resolve against the story's (encoded) address, host-relative ones
        # against the host.
        assert 'href="https://example.org/archiv/%C3%A4ltere/"' in content
        assert f'href="{published}world/"' in content

    feed = json.loads(client.get("/sections/world/feed.json").data)
    assert feed["home_page_url"] == published + "world/"
    assert feed["items"][0]["url"] == published + "world/gr%C3%BC%C3%9Fe-aus-k%C3%B6ln"

    opml = listparser.parse(client.get("/feeds.opml").data.decode("utf-8"))
    assert not opml.bozo
    assert {feed.url for feed in opml.feeds} == {
        f"{BASE_URL}sections/world/rss.xml",
        f"{BASE_URL}sections/business/rss.xml",
    }
    html_urls = re.findall(r'htmlUrl="([^"]*)"', client.get("/feeds.opml").data.decode("utf-8"))
    assert html_urls == [published + "world/", published + "business/"]

    page = Page(client.get("/sections/world/").data.decode("utf-8"))
    assert published + "world/gr%C3%BC%C3%9Fe-aus-k%C3%B6ln" in page.anchors


@pytest.mark.parametrize(
    "url, complaint",
    [
        ("https://exa mple.org/", "must be an absolute http(s) URL"),
        ("news.example.com", "must be an absolute http(s) URL"),
        ("https://news.example.com/?edition=us", "must not have a query or fragment"),
        ("http://[2001:db8::1]/", "must name its host by a domain name"),
    ],
)
def test_an_unusable_site_url_is_named_by_check(store_dir, url, complaint):
    store_dir.write_site(url=url)
    store_dir.write("world/a.md", article())
    result = check(str(store_dir.root))
    assert result.returncode == 1
    assert f"_site.yml: url: {url!r} {complaint}" in result.stdout, result.stdout


def test_an_article_url_with_a_bare_percent_or_a_space_in_its_host(store_dir):
    store_dir.write("world/sale.md", article(url="https://news.example.com/world/100%-off"))
    store_dir.write("world/bad-host.md", article(url="https://news example.com/world/x"))
    client = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False).test_client()
    response = client.get("/rss.xml")
    d = parsed(response.data, BASE_URL + "rss.xml", response.headers["Content-Type"])
    assert [entry.link for entry in d.entries] == ["https://news.example.com/world/100%25-off"]
    result = check(str(store_dir.root))
    assert "bad-host.md: url: 'https://news example.com/world/x' must be an absolute http(s) URL" in result.stdout


def test_a_base_url_typed_with_an_international_domain_gives_uri_self_links_and_enclosures():
    from .conftest import SAMPLE_STORE

    client = create_app(
        {"store": SAMPLE_STORE, "base_url": "https://bücher.example/flux"}, auto_refresh=False
    ).test_client()
    base = "https://xn--bcher-kva.example/flux/"
    for path in ["rss.xml", "atom.xml", "sections/world-nation/rss.xml"]:
        response = client.get("/" + path)
        values = urls_in(xml(response.data))
        assert_uris(values)
        assert base + path in values  # rel="self"
        assert any(v.startswith(base + "media/") and v.endswith(".jpg") for v in values)  # the enclosure
    opml = listparser.parse(client.get("/feeds.opml").data.decode("utf-8"))
    assert {feed.url for feed in opml.feeds} >= {base + "sections/world-nation/rss.xml"}
    assert json.loads(client.get("/feed.json").data)["feed_url"] == base + "feed.json"


@pytest.mark.parametrize(
    "value, complaint",
    [
        ("feeds.example.com", "must be an absolute http(s) URL"),
        ("https://feeds example.com/", "must be an absolute http(s) URL"),
        ("https://feeds.example.com/?v=2", "must not have a query or fragment"),
    ],
)
def test_a_base_url_that_cannot_be_a_uri_is_a_config_error_naming_it(value, complaint):
    from feedsvc.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=rf"^base_url: {re.escape(complaint)}.*{re.escape(repr(value))}"):
        load_config(env={"FEEDSVC_BASE_URL": value})


def test_a_hub_typed_with_an_international_domain_is_announced_as_a_uri():
    """The hub's address goes into every feed's rel="hub" link and Link header, where an IRI is invalid."""
    from feedsvc.serve.app import create_app

    app = create_app(
        {"store": SAMPLE_STORE, "base_url": BASE_URL, "hub_url": "https://hüb.example/push hub"}, auto_refresh=False
    )
    response = app.test_client().get("/rss.xml")
    assert response.headers["Link"].startswith('<https://xn--hb-xka.example/push%20hub>; rel="hub"')
    hubs = [link.get("href") for link in xml(response.data).findall("channel/atom:link[@rel='hub']", NS)]
    assert hubs == ["https://xn--hb-xka.example/push%20hub"]


@pytest.mark.parametrize("value", ["not a url", "ftp://hub.example/", "https://hub example/"])
def test_a_hub_that_cannot_be_a_uri_is_a_config_error_naming_it(value):
    from feedsvc.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=rf"^hub_url: must be an absolute http\(s\) URL.*{re.escape(repr(value))}"):
        load_config(env={"FEEDSVC_HUB_URL": value})
