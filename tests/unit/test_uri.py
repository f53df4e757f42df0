"""URLs made valid URIs, row by row against RFC 3986 (what a URI may hold), RFC 3987 §3.1 (an IRI
becomes a URI by percent-encoding its UTF-8) and IDNA (RFC 5891: a host in punycode). Feeds must
carry URIs, not IRIs (Atom §3.3; the W3C validator's UriNotIri)."""

from __future__ import annotations

import pytest

from feedsvc.uri import is_dns_name, normalize_url


@pytest.mark.parametrize(
    "url, uri",
    [
        pytest.param(
            "https://news.example.com/world/story", "https://news.example.com/world/story", id="already a URI"
        ),
        pytest.param(
            "https://news.example.com/?q=1&r=2#top",
            "https://news.example.com/?q=1&r=2#top",
            id="query and fragment kept",
        ),
        pytest.param("https://example.com:8080/x", "https://example.com:8080/x", id="a port kept"),
        pytest.param("https://[2001:db8::1]/x", "https://[2001:db8::1]/x", id="an IPv6 literal kept (3.2.2)"),
        pytest.param(
            "HTTPS://News.Example.COM/Path",
            "https://news.example.com/Path",
            id="scheme and host are case-insensitive, the path is not (6.2.2.1)",
        ),
        pytest.param("https://bücher.example/flux", "https://xn--bcher-kva.example/flux", id="an IDN host in punycode"),
        pytest.param(
            "https://example.com/café", "https://example.com/caf%C3%A9", id="non-ASCII as UTF-8 escapes (3987 3.1)"
        ),
        pytest.param("https://example.com/a b", "https://example.com/a%20b", id="a space is escaped (2)"),
        pytest.param(
            'https://example.com/?q="a"<b>',
            "https://example.com/?q=%22a%22%3Cb%3E",
            id="quotes and angle brackets are escaped (2)",
        ),
        pytest.param("https://example.com/#frag ment", "https://example.com/#frag%20ment", id="in the fragment too"),
        pytest.param(
            "https://example.com/a%20b", "https://example.com/a%20b", id="an escape already made is kept (2.4)"
        ),
        pytest.param(
            "https://example.com/100%",
            "https://example.com/100%25",
            id="a % that starts no escape is escaped itself (2.4)",
        ),
        pytest.param("https://example.com/%zz", "https://example.com/%25zz", id="so is a % before non-hex digits"),
        pytest.param(
            "https://news.example.com/]]%3E[click]",
            "https://news.example.com/%5D%5D%3E%5Bclick%5D",
            id="brackets outside an IPv6 host are escaped (3.2.2, 3.3)",
        ),
        pytest.param("https://example.com/?a[]=1", "https://example.com/?a%5B%5D=1", id="in the query too (3.4)"),
        pytest.param("https://example.com/?a?b#c?d", "https://example.com/?a?b#c?d", id="'?' may stand in both"),
        pytest.param("https://example.com/#a#b", "https://example.com/#a%23b", id="a second '#' is escaped (3.5)"),
        pytest.param(
            "  https://example.com/  ",
            "https://example.com/",
            id="surrounding whitespace is not part of a URI (appendix C)",
        ),
        pytest.param(
            "tag:news.example.com,2013:world/a",
            "tag:news.example.com,2013:world/a",
            id="another scheme's valid URI kept (RFC 4151 tag)",
        ),
    ],
)
def test_a_url_becomes_a_valid_uri(url, uri):
    assert normalize_url(url) == uri


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://user:secret@example.com/", id="userinfo: refused, never published"),
        pytest.param("https://user@example.com/", id="a user name alone"),
        pytest.param("https:///no-host", id="http(s) without a host"),
        pytest.param("https://exa mple.com/", id="a space in the host"),
        pytest.param("https://exa<mple.com/", id="markup in the host"),
        pytest.param("https://[2001:db8::1/x", id="an unclosed IPv6 bracket"),
    ],
)
def test_what_no_uri_can_say_is_refused(url):
    assert normalize_url(url) is None


@pytest.mark.parametrize(
    "host, allowed",
    [
        pytest.param("news.example.com", True, id="a domain name"),
        pytest.param("example", True, id="one label"),
        pytest.param("a-b.example", True, id="inner hyphen"),
        pytest.param("-ab.example", False, id="a label starting with a hyphen (RFC 1035 2.3.1)"),
        pytest.param("ab-.example", False, id="a label ending with a hyphen (RFC 1035 2.3.1)"),
        pytest.param("under_score.example", False, id="an underscore (RFC 4151 2.1 DNSname)"),
        pytest.param("example.com.", False, id="a final dot"),
        pytest.param("[2001:db8::1]", False, id="an IPv6 literal cannot name a tag: authority"),
        pytest.param("", False, id="empty"),
    ],
)
def test_what_may_be_a_tag_uri_authority(host, allowed):
    assert is_dns_name(host) is allowed


@pytest.mark.parametrize(
    "href, absolute",
    [
        pytest.param(
            "https://news.example.com/archive/12", "https://news.example.com/archive/12", id="plain absolute: as is"
        ),
        pytest.param(
            "https://news.example.com/a/../b",
            "https://news.example.com/a/../b",
            id="dot segments of an absolute URL kept, as urljoin keeps them",
        ),
        pytest.param("https://news.example.com/a;", "https://news.example.com/a", id="an empty ';' parameter dropped"),
        pytest.param("https://news.example.com/a?", "https://news.example.com/a", id="an empty query dropped"),
        pytest.param("/archive/12", "https://news.example.com/archive/12", id="a path: resolved against the story"),
        pytest.param("HTTPS://News.Example.com/x", "https://news.example.com/x", id="case normalised"),
        pytest.param("https://news.example.com/ü", "https://news.example.com/%C3%BC", id="an IRI made a URI"),
        pytest.param("javascript:alert(1)", None, id="another scheme: refused"),
    ],
)
def test_a_body_link_becomes_an_absolute_uri(href, absolute):
    """Links in a story's body, as the sanitiser rewrites them (render.html.safe_url): a plain absolute
    URL is taken as it is, anything else goes through resolution and normalisation."""
    from feedsvc.render.html import safe_url

    assert safe_url(href, "https://news.example.com/world/story") == absolute
