"""The site file's `url` as an editor types it — an international domain, a path in another script, a
space — still gives subscribers feeds whose every link and id is a valid URI (RFC 3986; tag: URIs per
RFC 4151), with the host in punycode and the path percent-encoded, in RSS, Atom, JSON Feed, OPML and
the pages alike."""
from __future__ import annotations

from feedsvc.app import create_app

from .conftest import BASE_URL, article
from .feeds import parsed
from .test_check_cli import check


def test_an_article_url_with_a_bare_percent_or_a_space_in_its_host(store_dir):
    store_dir.write("world/sale.md", article(url="https://news.example.com/world/100%-off"))
    store_dir.write("world/bad-host.md", article(url="https://news example.com/world/x"))
    client = create_app({"store": store_dir.root, "base_url": BASE_URL, "auto_refresh": False}).test_client()
    response = client.get("/rss.xml")
    d = parsed(response.data, BASE_URL + "rss.xml", response.headers["Content-Type"])
    assert [entry.link for entry in d.entries] == ["https://news.example.com/world/100%25-off"]
    result = check(str(store_dir.root))
    assert "bad-host.md: url: 'https://news example.com/world/x' must be an absolute http(s) URL" in result.stdout
