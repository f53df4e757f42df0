"""Absurd requests can't break the service: overlong request lines, absurd headers, unknown methods and
malformed request lines get a 4xx, never a 5xx, from Flask and from the production server; malformed
validators and content negotiation are ignored. HTTP-level checks go through the trapped store's
gunicorn (tests/conftest.py), shared with tests/test_requests.py.
"""

from __future__ import annotations

import gzip

import pytest

from .servers import raw, request

pytestmark = pytest.mark.xdist_group("requests")  # one trapped store and one gunicorn for the group, on one worker

FEED = "/sections/world-nation/atom.xml"


# ---- absurd requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 1025,
        FEED + "?" + "q" * 2049,
        FEED + "?" + "a=1&" * 600,
        "/sections/" + "x" * 5000 + "/rss.xml",
        "/media/" + "%2e" * 2000,
    ],
)
def test_overlong_paths_and_query_strings_get_a_4xx_in_process(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500, (len(path), response.status_code)


@pytest.mark.parametrize(
    "where, length",
    [("path", n) for n in (1_100, 2_100, 4_000, 4_100, 8_200, 70_000)]
    + [("query", n) for n in (2_100, 4_000, 4_100, 8_200, 70_000)],
)
def test_overlong_request_lines_get_a_4xx_from_gunicorn(trapped_server, where, length):
    """Over the service's limits (1,024-byte path, 2,048-byte query) or gunicorn's own (4,094-byte line)."""
    target = "/" + "a" * length if where == "path" else FEED + "?q=" + "b" * length
    reply = raw(
        trapped_server, f"GET {target} HTTP/1.1\r\nHost: feeds.example.com\r\nConnection: close\r\n\r\n".encode()
    )
    assert 400 <= reply.status < 500, (where, length, reply.status)


@pytest.mark.parametrize(
    "headers",
    [
        b"X-Long: " + b"a" * 9000 + b"\r\n",
        b"".join(b"X-Many-%d: 1\r\n" % i for i in range(150)),
        b"If-None-Match: " + b'"x", ' * 1600 + b"\r\n",
        b"Cookie: " + b"c=1; " * 1500 + b"\r\n",
        b"X-Bad\x00Name: 1\r\n",
        b"X-Folded: a\r\n b\r\n",
        b"Content-Length: -1\r\n",
        b"Content-Length: 99999999999999999999\r\n",
        b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    ],
)
def test_absurd_headers_get_a_4xx_or_are_ignored_by_gunicorn(trapped_server, headers):
    reply = raw(
        trapped_server,
        b"GET " + FEED.encode() + b" HTTP/1.1\r\nHost: feeds.example.com\r\n" + headers + b"Connection: close\r\n\r\n",
    )
    assert reply.status < 500, (headers[:60], reply.status)


@pytest.mark.parametrize(
    "method", ["POST", "PUT", "DELETE", "PATCH", "PROPFIND", "MKCOL", "TRACE", "BREW", "FOO", "M-SEARCH", "LINK"]
)
def test_unknown_methods_get_405_in_process_and_through_gunicorn(client, trapped_server, method):
    response = client.open(FEED, method=method, data=b"x=1")
    assert response.status_code == 405, method
    assert set(response.headers["Allow"].replace(" ", "").split(",")) <= {"GET", "HEAD", "OPTIONS"}
    reply = request(trapped_server, FEED, method=method)
    assert reply.status == 405, (method, reply.status)
    assert "GET" in reply.headers["allow"]


@pytest.mark.parametrize(
    "line",
    [
        b"get /rss.xml HTTP/1.1",
        b"GET /rss.xml HTTP/9.9",
        b"GET /rss.xml",
        b"GET\t/rss.xml HTTP/1.1",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"G\x00T /rss.xml HTTP/1.1",
        b"GET /rss.xml HTTP/1.1 extra",
        b"CONNECT evil.example:443 HTTP/1.1",
    ],
)
def test_malformed_request_lines_never_get_a_5xx_from_gunicorn(trapped_server, line):
    reply = raw(trapped_server, line + b"\r\nHost: feeds.example.com\r\nConnection: close\r\n\r\n")
    assert reply.status == 0 or reply.status < 500, (line, reply.status)


def test_options_lists_only_safe_methods(client):
    response = client.open(FEED, method="OPTIONS")
    assert response.status_code in (200, 204, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) <= {"GET", "HEAD", "OPTIONS"}
    assert len(response.data) < 100


# ---- malformed validators and negotiation ----------------------------------------------------------

MALFORMED = {
    "If-None-Match": [
        '"',
        "W/",
        'W/"',
        '"a',
        'a"',
        "*, *",
        ",,,,",
        '"a" "b"',
        'W/W/"a"',
        '"' + "x" * 6000 + '"',
        ", ".join(f'"{i}"' for i in range(1500)),
        "\t",
        '"\\"',
        "null",
        "W/*",
        '"é"',
    ],
    "If-Modified-Since": [
        "yesterday",
        "0",
        "-1",
        "99999999999",
        "Mon, 32 Jan 2013 00:00:00 GMT",
        "Mon, 01 Jan 0000 00:00:00 GMT",
        "Mon, 01 Jan 99999 00:00:00 GMT",
        "Mon, 01 Jan 1 00:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "2013-05-02T17:40:00Z",
        "Thu, 01 Jan 1970 00:00:00 +9999",
        "é",
    ],
    "If-Unmodified-Since": ["garbage", "Mon, 01 Jan 99999 00:00:00 GMT", "0"],
    "If-Match": ['"', "W/", ",,"],
    "If-Range": ['"', "Mon, 01 Jan 99999 00:00:00 GMT", 'W/"x"'],
    "Accept-Encoding": [
        "gzip;q=abc",
        "gzip;q=1e999",
        "gzip;q=nan",
        "gzip;q=-1",
        "gzip;q=",
        ";;;",
        "*;q=0",
        "identity;q=0, *;q=0",
        "gzip, " * 2000,
        "br;q=1.0, gzip;q=0.5, *;q=0.1",
        "GZIP",
        "x-gzip",
        "gzip;level=9;q=1",
        "\x7f",
    ],
    "Range": [
        "bytes=abc",
        "bytes=0-0",
        "bytes=-0",
        "bytes=99999999999999999999-",
        "bytes=5-1",
        ", ".join(f"{i}-{i}" for i in range(2000)).join(["bytes=", ""]),
        "items=0-1",
        "bytes=-",
        "bytes=0-,0-",
    ],
}
CASES = [(name, value) for name, values in MALFORMED.items() for value in values]


@pytest.mark.parametrize("name, value", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_malformed_validators_and_negotiation_never_error_in_process(client, name, value):
    plain = client.get(FEED).data
    response = client.get(FEED, headers={name: value})
    assert response.status_code in (200, 304, 406, 412, 416), (name, value[:80], response.status_code)
    if response.status_code == 200:
        body = gzip.decompress(response.data) if response.headers.get("Content-Encoding") == "gzip" else response.data
        assert body == plain, (name, value[:80])  # the whole feed, never a fragment
    if response.status_code == 304:
        assert response.data == b""


@pytest.mark.parametrize("name, value", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_malformed_validators_and_negotiation_never_error_through_gunicorn(trapped_server, name, value):
    header = f"{name}: {value}\r\n".encode()
    reply = raw(
        trapped_server,
        f"GET {FEED} HTTP/1.1\r\nHost: feeds.example.com\r\n".encode() + header + b"Connection: close\r\n\r\n",
    )
    assert 0 < reply.status < 500, (name, value[:80], reply.status)


@pytest.mark.parametrize("value", [b'\xff\xfe"a"', b'"\xc3\x28"', b'W/"\x80\x81"', b'"a"\x00'])
def test_non_ascii_validators_through_gunicorn(trapped_server, value):
    for name in (b"If-None-Match", b"If-Modified-Since", b"Accept-Encoding"):
        reply = raw(
            trapped_server,
            b"GET "
            + FEED.encode()
            + b" HTTP/1.1\r\nHost: feeds.example.com\r\n"
            + name
            + b": "
            + value
            + b"\r\nConnection: close\r\n\r\n",
        )
        assert 0 < reply.status < 500, (name, value, reply.status)
