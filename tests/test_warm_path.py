"""The everyday poll is answered in front of Flask (feedsvc.serve.web.WarmPath): it must be the very answer
the Flask view gives — status, headers and bytes — for every document and every request it takes,
and it must leave every other request to Flask."""

from __future__ import annotations

import itertools

import pytest
from werkzeug.test import Client

from feedsvc.serve.app import create_app
from feedsvc.serve.web import WarmPath

from .conftest import BASE_URL, SAMPLE_STORE


@pytest.fixture(scope="module")
def apps():
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL}, auto_refresh=False)
    warm_path = app.wsgi_app
    assert isinstance(warm_path, WarmPath)
    return warm_path, warm_path.app, app.extensions["feedsvc"].publisher  # (front, Flask behind it)


ENCODINGS = [
    None,
    "gzip",
    "gzip, deflate, br",
    "GZIP",
    "br, gzip",
    "deflate",
    "*",
    "x-gzip",
    "gzip;q=0",
    "gzip;q=0.5, identity",
    "gzip , deflate",
    "",
    "Gzip;Q=1",
    "*;q=0",
    "br;q=1, *;q=0.1",
    "gzip;q=x",
    "identity;q=0, gzip;q=0",
]


def answer(wsgi, method: str, path: str, headers: dict[str, str]):
    """Status, headers and body — without Date, which Werkzeug adds to some conditional answers and
    which is the clock's, not the document's."""
    response = Client(wsgi).open(path, method=method, headers=headers)
    return (
        response.status,
        sorted(pair for pair in response.headers.to_wsgi_list() if pair[0] != "Date"),
        response.get_data(),
    )


def documents(publisher) -> list[str]:
    paths = ["/" + path for path in publisher.paths(archives=False) if not path.startswith("media/")]
    assert "/sections/world-nation/rss.xml" in paths and "/" in paths and "/feeds.opml" in paths
    return paths


def polls(front, flask, path: str, methods, encodings) -> int:
    """Every method × encoding × precondition a client may send for `path`: the warm path gives Flask's
    answer to each. Returns how many of them the warm path answered itself."""
    served = 0
    for method, encoding in itertools.product(methods, encodings):
        headers = {"Accept-Encoding": encoding} if encoding is not None else {}
        status, plain_headers, _ = answer(flask, "GET", path, headers)
        etag = dict(plain_headers)["ETag"]
        last_modified = dict(plain_headers).get("Last-Modified", "")
        for conditional in (
            {},
            {"If-None-Match": etag},
            {"If-None-Match": '"other"'},
            {"If-None-Match": f"W/{etag}"},
            {"If-None-Match": f'"x", {etag}'},
            {"If-None-Match": etag, "If-Modified-Since": last_modified},
            {"If-Modified-Since": last_modified},
            {"If-None-Match": etag, "If-Match": '"x"'},
            {"Range": "bytes=0-10"},
        ):
            request = {**headers, **conditional}
            served += (
                front._answer(Client(front).open(path, method=method, headers=request).request.environ) is not None
            )
            assert answer(front, method, path, request) == answer(flask, method, path, request), (method, path, request)
    return served


@pytest.mark.costly
def test_every_warm_document_gets_flasks_answer_for_every_kind_of_poll(apps):
    """Every precondition, with and without gzip, on every document; and every Accept-Encoding too on one
    document of each type (what the warm path does with it depends on nothing else of the document's)."""
    front, flask, publisher = apps
    paths = documents(publisher)
    one_of_each: dict[str, str] = {}
    for path in paths:
        one_of_each.setdefault(dict(answer(flask, "GET", path, {})[1])["Content-Type"], path)
    assert len(one_of_each) == 7, one_of_each  # RSS, Atom, JSON Feed, pages, OPML, the sitemap, robots.txt
    for path in one_of_each.values():
        polls(front, flask, path, ("GET", "HEAD"), ENCODINGS)
    served = sum(polls(front, flask, path, ("GET", "HEAD"), (None, "gzip")) for path in paths)
    # The plain GETs and exact-ETag revalidations, with or without gzip, took the warm path.
    assert served >= len(paths) * 2 * 2 * 2


@pytest.mark.slow  # make test-long: the test above, with every encoding on every document
def test_every_warm_document_gets_flasks_answer_for_every_encoding_of_every_poll(apps):
    front, flask, publisher = apps
    paths = documents(publisher)
    served = sum(polls(front, flask, path, ("GET", "HEAD"), ENCODINGS) for path in paths)
    assert served >= len(paths) * 2 * 6


def test_what_needs_more_than_a_lookup_goes_to_flask(apps):
    front, flask, _ = apps
    for method, path, headers in [
        ("GET", "/sections/nowhere/rss.xml", {}),
        ("POST", "/rss.xml", {}),
        ("GET", "/media/2013/port-cranes.jpg", {}),
        ("GET", "/" + "a" * 2000, {}),
        ("GET", "/rss.xml?" + "q" * 3000, {}),
        ("GET", "/rss.xml", {"If-Match": '"x"'}),
        ("GET", "/rss.xml", {"If-None-Match": '"x", "y"'}),
    ]:
        environ = Client(front).open(path, method=method, headers=headers).request.environ
        assert front._answer(environ) is None, (method, path, headers)
        assert answer(front, method, path, headers) == answer(flask, method, path, headers)


def test_an_exact_if_none_match_does_not_hide_a_failing_if_unmodified_since(apps):
    """RFC 9110 §13.2.2 evaluates If-Unmodified-Since before If-None-Match: a 412, not the warm 304."""
    front, flask, _ = apps
    etag = dict(answer(flask, "GET", "/rss.xml", {})[1])["ETag"]
    request = {"If-None-Match": etag, "If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}
    assert answer(front, "GET", "/rss.xml", request)[0].startswith("412")
    assert answer(front, "GET", "/rss.xml", request) == answer(flask, "GET", "/rss.xml", request)


def test_under_a_base_path_the_warm_path_answers_both_addresses_as_flask_does():
    """With base_url …/news/, a document is published at /news/<path> and a prefix-stripping proxy asks
    for /<path>: the warm path takes both, and gives Flask's answer."""
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL + "news/"}, auto_refresh=False)
    front = app.wsgi_app
    flask, publisher = front.app, app.extensions["feedsvc"].publisher
    documents = [path for path in publisher.paths(archives=False) if not path.startswith("media/")]
    served = 0
    for path in documents:
        for request_path in ("/news/" + path, "/" + path):
            etag = dict(answer(flask, "GET", request_path, {})[1])["ETag"]
            for request in ({}, {"Accept-Encoding": "gzip"}, {"If-None-Match": etag}, {"If-None-Match": '"x"'}):
                environ = Client(front).open(request_path, headers=request).request.environ
                served += front._answer(environ) is not None
                assert answer(front, "GET", request_path, request) == answer(flask, "GET", request_path, request)
    assert served >= len(documents) * 2 * 3
    for path in ("/news", "/news/nowhere.xml", "/news/sections/nowhere/rss.xml"):
        assert front._answer(Client(front).open(path).request.environ) is None
        assert answer(front, "GET", path, {}) == answer(flask, "GET", path, {})
