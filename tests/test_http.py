"""HTTP as aggregators see it: types, validators, 304s, gzip, errors — through the Flask test client."""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.http import parse_date

from feedsvc.serve.app import create_app

from .conftest import BASE_URL, SAMPLE_STORE, article
from .feeds import parsed

FEED = "/sections/world-nation/rss.xml"


def test_feeds_have_their_media_types_with_charset(client):
    assert client.get("/rss.xml").headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert client.get("/atom.xml").headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert client.get("/sections/business/atom.xml").headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert client.get("/").headers["Content-Type"] == "text/html; charset=utf-8"
    assert client.get("/media/2013/port-cranes.jpg").headers["Content-Type"] == "image/jpeg"


def test_head_answers_like_get_without_a_body(client):
    get, head = client.get(FEED), client.head(FEED)
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control", "Vary"):
        assert head.headers[name] == get.headers[name]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "PROPFIND"])
def test_other_methods_get_405_with_allow(client, method):
    response = client.open(FEED, method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    assert response.mimetype == "text/plain"


@pytest.mark.parametrize(
    "path",
    [
        "/sections/sports/rss.xml",
        "/sections/world-nation/feed.rss",
        "/nothing",
        "/rss.xml/",
        "/sections/",
        "/media/2013/nope.jpg",
    ],
)
def test_unknown_paths_get_a_short_plain_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/plain" and len(response.data) < 100


def test_validators_and_caching_headers(client):
    response = client.get(FEED)
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    d = parsed(response.data, BASE_URL + FEED[1:], response.headers["Content-Type"])
    newest = max(datetime(*e.updated_parsed[:6], tzinfo=UTC) for e in d.entries)
    # The newest `updated`, or a later time a file was saved (tests/test_last_modified.py has the rule).
    assert newest <= parse_date(response.headers["Last-Modified"]) <= datetime.now(UTC)
    assert response.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60, stale-if-error=86400"
    assert response.headers["Vary"] == "Accept-Encoding"


def test_max_age_is_configurable():
    app = create_app({"store": SAMPLE_STORE, "base_url": BASE_URL, "max_age": 60}, auto_refresh=False)
    assert app.test_client().get(FEED).headers["Cache-Control"].startswith("public, max-age=60,")


@pytest.mark.parametrize("if_none_match", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_answers_304_with_the_same_validators_and_no_body(client, if_none_match):
    first = client.get(FEED)
    response = client.get(FEED, headers={"If-None-Match": if_none_match.format(etag=first.headers["ETag"])})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == first.headers["ETag"]
    assert response.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert response.headers["Cache-Control"] == first.headers["Cache-Control"]


@pytest.mark.parametrize("value", ['"not-it"', "garbage without quotes", 'W/""', ",,,", "\x7f"])
def test_a_non_matching_or_malformed_if_none_match_gets_the_feed(client, value):
    response = client.get(FEED, headers={"If-None-Match": value})
    assert response.status_code == 200 and response.data


def test_if_modified_since(client):
    last_modified = parse_date(client.get(FEED).headers["Last-Modified"])

    def status(when):
        return client.get(FEED, headers={"If-Modified-Since": when}).status_code

    assert status(client.get(FEED).headers["Last-Modified"]) == 304
    assert status((last_modified + timedelta(days=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")) == 304
    assert status((last_modified - timedelta(seconds=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")) == 200
    assert status("the day before yesterday") == 200  # malformed: ignored


def test_if_none_match_wins_over_if_modified_since(client):
    first = client.get(FEED)
    response = client.get(
        FEED, headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert response.status_code == 200  # RFC 9110 §13.1.3


def test_gzip_is_served_when_accepted_with_its_own_strong_etag(client):
    plain = client.get(FEED)
    zipped = client.get(FEED, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"] and not zipped.headers["ETag"].startswith("W/")
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert zipped.headers["Last-Modified"] == plain.headers["Last-Modified"]
    assert "Content-Encoding" not in plain.headers
    assert client.get(FEED, headers={"Accept-Encoding": "gzip;q=0"}).data == plain.data


def test_conditional_requests_work_for_either_representation(client):
    plain = client.get(FEED)
    zipped = client.get(FEED, headers={"Accept-Encoding": "gzip"})
    assert (
        client.get(FEED, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}).status_code
        == 304
    )
    assert client.get(FEED, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    # A cached identity copy is not the gzip representation (RFC 9110 §8.8.3): send the selected one.
    switched = client.get(FEED, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]})
    assert switched.status_code == 200 and switched.headers["ETag"] == zipped.headers["ETag"]


def test_the_host_and_forwarded_headers_change_no_url(client):
    honest = client.get(FEED).data
    for headers in (
        {"Host": "evil.example"},
        {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"},
        {"Forwarded": "host=evil.example;proto=http", "X-Forwarded-Prefix": "/x"},
    ):
        assert client.get(FEED, headers=headers).data == honest


@pytest.mark.parametrize(
    "accept", ["gzip", "GZIP", "x-gzip", "*", "Gzip;Q=1", "br;q=1, *;q=0.1", "deflate, gzip;q=0.2"]
)
def test_every_spelling_of_accepting_gzip_gets_gzip(client, accept):
    """Codings are case-insensitive, x-gzip is gzip, and `*` covers it (RFC 9110 §8.4.1, §12.5.3)."""
    response = client.get(FEED, headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == "gzip", accept
    assert gzip.decompress(response.data) == client.get(FEED).data


@pytest.mark.parametrize("accept", ["identity", "gzip;q=0", "*;q=0", "GZIP;q=0, br", "deflate", "gzip;q=nonsense"])
def test_refusing_gzip_or_not_naming_it_gets_the_plain_feed(client, accept):
    response = client.get(FEED, headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in response.headers, accept
    assert response.data.startswith(b"<?xml")


def test_preconditions_are_evaluated_in_the_order_rfc_9110_sets(client):
    """§13.2.2: If-Match (strong), else If-Unmodified-Since; then If-None-Match (weak), else If-Modified-Since."""
    plain = client.get(FEED)
    etag, modified = plain.headers["ETag"], plain.headers["Last-Modified"]
    earlier = "Sat, 01 Jan 2000 00:00:00 GMT"

    def status(**headers):
        return client.get(FEED, headers={k.replace("_", "-"): v for k, v in headers.items()}).status_code

    assert status(If_Match="*") == 200  # any current representation matches
    assert status(If_Match=etag) == 200
    assert status(If_Match=f'"nope", {etag}') == 200
    assert status(If_Match=f"W/{etag}") == 412  # strong comparison
    assert status(If_Match='"nope"') == 412
    assert status(If_Unmodified_Since=earlier) == 412
    assert status(If_Unmodified_Since=modified) == 200
    assert status(If_Unmodified_Since="yesterday-ish") == 200  # not a date: ignored
    assert status(If_Match=etag, If_Unmodified_Since=earlier) == 200  # If-Match decides; IUS is not asked
    assert status(If_Match=etag, If_None_Match=etag) == 304  # a passing If-Match hides nothing
    assert status(If_Match=etag, If_Modified_Since=modified) == 304
    assert status(If_Match="*", If_None_Match="*") == 304
    failed = client.get(FEED, headers={"If-Match": '"nope"'})
    assert failed.mimetype == "text/plain" and b"Precondition Failed" in failed.data
    assert "Cache-Control" not in failed.headers and "ETag" not in failed.headers  # nothing for a cache to keep


def test_overlong_paths_and_query_strings_get_414(client):
    assert client.get("/" + "a" * 5000).status_code == 414
    assert client.get(FEED + "?" + "q=1&" * 1000).status_code == 414
    assert client.get(FEED + "?utm_source=reader").status_code == 200


# ---- a store that changes under the service -----------------------------------------------------


def saved(path, when: datetime) -> None:
    """Give a store file the time it was saved: Last-Modified counts it (publish/dating.py)."""
    os.utime(path, (when.timestamp(), when.timestamp()))


@pytest.fixture
def live(store_dir):
    store_dir.write("world/old.md", article(title="An older story in the world section", published="2013-05-01"))
    store_dir.write("world/new.md", article(title="The newest story in the world section", published="2013-05-02"))
    clock = {"now": datetime(2020, 1, 1, tzinfo=UTC)}
    for path in store_dir.root.rglob("*.*"):
        saved(path, clock["now"] - timedelta(days=1))
    app = create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False, clock=lambda: clock["now"])
    service = app.extensions["feedsvc"]
    return app.test_client(), service, store_dir, clock


def revalidations(client, path, before) -> tuple[int, int]:
    """The statuses a client holding `before` gets, revalidating by ETag and by date alone."""
    return (
        client.get(path, headers={"If-None-Match": before.headers["ETag"]}).status_code,
        client.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]}).status_code,
    )


@pytest.mark.parametrize("change", ["add a backdated story", "correct a body, leaving updated", "rename the site"])
def test_every_change_reaches_clients_revalidating_by_etag_or_by_date_alone(live, change):
    """Last-Modified is not only the stories' dates: it must still move forward whenever the bytes
    change (RFC 9110 §8.8.2), or a client sending only If-Modified-Since is told 304 and keeps the old
    feed. The times the files were saved count too."""
    client, service, store_dir, clock = live
    path = "/sections/world/atom.xml"
    before = client.get(path)
    assert revalidations(client, path, before) == (304, 304)
    clock["now"] += timedelta(minutes=5)
    if change == "add a backdated story":
        changed = store_dir.write(
            "world/late.md", article(title="A story filed late, dated last week", published="2013-04-25")
        )
    elif change == "correct a body, leaving updated":
        changed = store_dir.write(
            "world/new.md",
            article(
                title="The newest story in the world section",
                published="2013-05-02",
                body="A figure in the second paragraph was corrected.",
            ),
        )
    else:
        changed = store_dir.write_site(title="The Renamed Times")
    saved(changed, clock["now"] - timedelta(minutes=1))
    service.store.refresh()
    after = client.get(path)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parse_date(after.headers["Last-Modified"]) > parse_date(before.headers["Last-Modified"])
    assert parse_date(after.headers["Last-Modified"]) <= clock["now"]
    assert revalidations(client, path, before) == (200, 200)
    assert revalidations(client, path, after) == (304, 304)
    unchanged = client.get(path)  # and it stays put while the bytes do
    assert unchanged.headers["Last-Modified"] == after.headers["Last-Modified"]


@pytest.mark.parametrize("story", ["old", "new"])
def test_a_deleted_story_reaches_clients_revalidating_by_etag(live, story):
    """A deletion leaves no file whose time could date it (README, "HTTP behaviour"): the ETag changes,
    and Last-Modified is that of what is left — never after Date, the same on every node."""
    client, service, store_dir, clock = live
    path = "/sections/world/atom.xml"
    before = client.get(path)
    clock["now"] += timedelta(minutes=5)
    store_dir.delete(f"world/{story}.md")
    service.store.refresh()
    after = client.get(path)
    assert revalidations(client, path, before)[0] == 200
    assert parse_date(after.headers["Last-Modified"]) <= clock["now"]
    restarted = (
        create_app({"store": store_dir.root, "base_url": BASE_URL}, auto_refresh=False, clock=lambda: clock["now"])
        .test_client()
        .get(path)
    )
    assert (restarted.headers["ETag"], restarted.headers["Last-Modified"]) == (
        after.headers["ETag"],
        after.headers["Last-Modified"],
    )


def test_last_modified_is_never_later_than_the_response_date(live):
    """An `updated` typed two centuries ahead must not become a Last-Modified in the future (RFC 9110
    §8.8.2.1): clients would send it back and be told 304 for every later change."""
    client, service, store_dir, clock = live
    store_dir.write(
        "world/typo.md",
        article(
            title="A story whose update time has a typo in its year", published="2013-05-03", updated="2204-01-01 11:00"
        ),
    )
    service.store.refresh()
    response = client.get("/sections/world/rss.xml")
    assert parse_date(response.headers["Last-Modified"]) <= clock["now"]


def test_editing_a_body_without_touching_dates_changes_the_etag(live):
    client, service, store_dir, _ = live
    before = client.get("/sections/world/rss.xml").headers["ETag"]
    store_dir.write(
        "world/old.md",
        article(title="An older story in the world section", published="2013-05-01", body="A sentence was fixed."),
    )
    service.store.refresh()
    assert client.get("/sections/world/rss.xml").headers["ETag"] != before


def test_an_unaffected_feed_keeps_its_etag_and_its_rendering(live):
    client, service, store_dir, _ = live
    business = client.get("/sections/business/rss.xml").headers["ETag"]
    rendered = service.publisher.document("sections/business/rss.xml")
    store_dir.write("world/third.md", article(title="A third world story", published="2013-05-03"))
    service.store.refresh()
    assert client.get("/sections/business/rss.xml").headers["ETag"] == business
    assert service.publisher.document("sections/business/rss.xml") is rendered


def test_a_warm_request_renders_nothing(live, monkeypatch):
    client, service, _, _ = live
    client.get("/sections/world/rss.xml")
    import feedsvc.publish.documents
    import feedsvc.publish.prepared

    for fmt in list(feedsvc.publish.documents.RENDERERS):
        monkeypatch.setitem(
            feedsvc.publish.documents.RENDERERS, fmt, lambda *a: pytest.fail("rendered on a warm request")
        )
    monkeypatch.setattr(feedsvc.publish.prepared, "prepare", lambda *a: pytest.fail("rendered on a warm request"))
    assert client.get("/sections/world/rss.xml").status_code == 200


def test_a_scheduled_story_appears_when_its_time_comes(live):
    client, service, store_dir, clock = live
    store_dir.write("world/embargoed.md", article(title="Embargoed until noon", published="2020-01-01T12:00:00Z"))
    service.store.refresh()
    clock["now"] = datetime(2020, 1, 1, 11, 58, tzinfo=UTC)
    early = client.get("/sections/world/rss.xml")
    assert b"Embargoed until noon" not in early.data
    assert early.headers["Cache-Control"] == "public, max-age=120, stale-if-error=86400"  # none may outlive noon
    clock["now"] = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
    on_time = client.get("/sections/world/rss.xml", headers={"If-None-Match": early.headers["ETag"]})
    assert on_time.status_code == 200 and b"Embargoed until noon" in on_time.data
    assert "max-age=300," in on_time.headers["Cache-Control"]


def test_a_story_whose_file_breaks_stays_published_with_its_last_good_body(live):
    client, service, store_dir, _ = live
    assert b"A body with enough words to summarise." in client.get("/sections/world/rss.xml").data
    store_dir.write("world/new.md", "---\ntitle: [broken\n---\n")
    service.store.refresh()
    response = client.get("/sections/world/rss.xml")
    entries = parsed(response.data, BASE_URL + "sections/world/rss.xml", response.headers["Content-Type"]).entries
    assert [e.title for e in entries] == [
        "The newest story in the world section",
        "An older story in the world section",
    ]
    assert all("A body with enough words to summarise." in e.content[0].value for e in entries)


def test_gzip_is_made_once_per_rendered_feed_and_never_for_a_plain_request(live, monkeypatch):
    """On-the-fly gzip of a large feed costs more than rendering it: a feed is compressed once, when
    the refresher re-renders it after a change or when a request first accepts gzip — never again,
    and never for a request that does not want it."""
    import feedsvc.render.document

    client, service, store_dir, _ = live
    made = []
    real = feedsvc.render.document.gzip_ng.compress
    monkeypatch.setattr(
        feedsvc.render.document.gzip_ng,
        "compress",
        lambda data, *args, **kwargs: made.append(len(data)) or real(data, *args, **kwargs),
    )
    path = "/sections/world/rss.xml"
    store_dir.write(
        "world/new.md", article(title="The newest story in the world section, corrected", published="2013-05-02")
    )
    service.store.refresh()
    plain = client.get(path)
    titles = [entry.title for entry in parsed(plain.data, BASE_URL + path[1:], plain.content_type).entries]
    assert "The newest story in the world section, corrected" in titles and made == []
    one, two = (client.get(path, headers={"Accept-Encoding": "gzip"}) for _ in range(2))
    assert made == [len(plain.data)] and one.data == two.data and gzip.decompress(one.data) == plain.data

    store_dir.write(
        "world/old.md", article(title="An older story in the world section, corrected", published="2013-05-01")
    )
    service.store.refresh()
    made.clear()
    assert service.publisher.warm() == len(made) > 0  # what the refresher does on a change
    made.clear()
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    feed = parsed(gzip.decompress(zipped.data), BASE_URL + path[1:], zipped.content_type)
    assert "An older story in the world section, corrected" in [entry.title for entry in feed.entries]
    assert made == []
