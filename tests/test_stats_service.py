"""The service counts feed polls, on the warm path and in the Flask view alike, without changing a
byte of any answer; `stats = false` counts nothing. The statistics page is private: no page without a
configured token, 401 without the token or with a wrong one, never cached, and never named by anything
public — the static build, the feeds, the OPML file, the pages."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from lxml import html
from werkzeug.test import Client

from feedsvc.config import load_config
from feedsvc.serve.app import create_app
from feedsvc.static.build import build
from feedsvc.stats import access
from feedsvc.stats.db import open_database
from feedsvc.stats.report import report

from .conftest import BASE_URL, SAMPLE_STORE
from .stats_agents import AGGREGATORS, DIRECT

TOKEN, TOKEN_HASH = access.new_token()


@pytest.fixture
def counting(tmp_path):
    """The sample store served with counting on, into a database of this test's own."""
    made = []

    def make(**settings):
        settings = {
            "store": SAMPLE_STORE,
            "base_url": BASE_URL,
            "stats": True,
            "stats_db": str(tmp_path / "stats.sqlite3"),
            "stats_flush_seconds": 3600,
            **settings,
        }
        app = create_app(settings, auto_refresh=False)
        made.append(app.extensions["feedsvc"])
        return app

    yield make
    for service in made:
        service.close()


def figures(app):
    service = app.extensions["feedsvc"]
    service.counter.flush()
    return report(open_database(service.config.stats_location), datetime.now(UTC).date(), days=1)


def basic(password: str, user: str = "newsroom") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_the_warm_path_and_the_flask_view_answer_alike_and_count_alike(counting):
    app = counting()
    front, view = app.wsgi_app, app.wsgi_app.app
    polls = [
        ("GET", {}),
        ("GET", {"Accept-Encoding": "gzip"}),
        ("HEAD", {}),
        ("GET", "etag"),
        ("GET", {"If-Modified-Since": "Wed, 01 Jan 2099 00:00:00 GMT"}),
    ]
    answers = {}
    for name, wsgi in (("front", front), ("view", view)):
        client = Client(wsgi)
        etag = client.get("/sections/world-nation/rss.xml").headers["ETag"]
        seen = []
        for method, headers in polls:
            headers = {"If-None-Match": etag} if headers == "etag" else headers
            response = client.open(
                "/sections/world-nation/rss.xml",
                method=method,
                headers={"User-Agent": DIRECT[0][0], **headers},
                environ_base={"REMOTE_ADDR": f"192.0.2.{len(seen)}"},
            )
            seen.append(
                (response.status, sorted((k, v) for k, v in response.headers if k != "Date"), response.get_data())
            )
        client.get("/sections/world-nation/", headers={"User-Agent": DIRECT[0][0]})  # a page: not counted
        client.get("/feeds.opml")
        answers[name] = seen
    assert answers["front"] == answers["view"]
    world = {f.feed: f for f in figures(app).feeds}
    assert list(world) == ["sections/world-nation/rss.xml"]
    feed = world["sections/world-nation/rss.xml"]
    plain, gzipped = (len(answers["view"][0][2]), len(answers["view"][1][2]))
    assert (feed.polls, feed.ok, feed.not_modified) == (2 * 6, 2 * 4, 2 * 2)  # each run: the first GET too
    assert feed.bytes == 2 * (2 * plain + gzipped)  # HEAD sends no body
    assert feed.direct == 5 + 1  # five addresses, and the test client's own, counted once a day


def test_counting_switched_off_counts_nothing(tmp_path):
    app = create_app(
        {"store": SAMPLE_STORE, "base_url": BASE_URL, "stats": False, "stats_db": str(tmp_path / "stats.sqlite3")},
        auto_refresh=False,
    )
    assert app.extensions["feedsvc"].counter is None
    assert Client(app).get("/rss.xml", headers={"User-Agent": AGGREGATORS[0][0]}).status_code == 200
    assert not (tmp_path / "stats.sqlite3").exists()


def test_no_token_configured_no_page(counting):
    client = Client(counting())
    for path in ("/_stats/", "/_stats/stats.json", "/_stats"):
        response = client.get(path, headers=basic("anything"))
        assert (response.status_code, response.get_data(as_text=True)) == (404, "Not found\n")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("wrong"),
        basic(TOKEN[:-1]),
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Digest {TOKEN}"},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Basic " + base64.b64encode(TOKEN.encode()).decode()},
    ],
)
def test_without_the_token_401_and_nothing_else(counting, headers):
    client = Client(counting(stats_token_hash=TOKEN_HASH))
    Client(client.application).get("/rss.xml", headers={"User-Agent": AGGREGATORS[0][0]})
    for path in ("/_stats/", "/_stats/stats.json"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith('Basic realm="feedsvc statistics"')
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "Feedly" not in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", [basic(TOKEN), basic(TOKEN, user=""), {"Authorization": f"Bearer {TOKEN}"}])
def test_with_the_token_the_figures_privately(counting, headers):
    app = counting(stats_token_hash=TOKEN_HASH)
    client = Client(app)
    client.get("/rss.xml", headers={"User-Agent": AGGREGATORS[0][0]})
    app.extensions["feedsvc"].counter.flush()
    page = client.get("/_stats/", headers=headers)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'none': no script at all
    tree = html.fromstring(page.get_data())
    assert not tree.xpath("//script") and not tree.xpath("//*[@src]") and not tree.xpath("//link[@href]")
    row = tree.xpath('//tr[@data-feed="rss.xml"]/td/text()')
    assert row[:2] == ["rss.xml", "462"]
    data = client.get("/_stats/stats.json", headers=headers)
    assert data.headers["Cache-Control"] == "private, no-store"
    assert json.loads(data.get_data())["total"]["aggregators"] == {"Feedly": 462}


def test_under_the_base_urls_path_too(counting):
    client = Client(counting(stats_token_hash=TOKEN_HASH, base_url="https://news.example.com/feeds/"))
    assert client.get("/feeds/_stats/", headers=basic(TOKEN)).status_code == 200
    assert client.get("/feeds/_stats/").status_code == 401


def test_the_page_without_its_slash_moves_to_the_configured_url_whatever_the_host(counting):
    """The 301 is made from base_url, never from Host: a forged Host cannot send the newsroom, or a
    cache, elsewhere. Its query goes along, and it is not stored either."""
    client = Client(counting(stats_token_hash=TOKEN_HASH, base_url="https://news.example.com/feeds/"))
    for path in ("/_stats", "/feeds/_stats"):
        moved = client.get(path + "?days=7", headers={"Host": "evil.example"})
        assert moved.status_code == 301
        assert moved.headers["Location"] == "https://news.example.com/feeds/_stats/?days=7"
        assert moved.headers["Cache-Control"] == "private, no-store"


def test_nothing_public_names_the_statistics(counting, tmp_path):
    """The build output, every feed, the OPML file and the pages: no `_stats`, no token, no hash."""
    app = counting(stats_token_hash=TOKEN_HASH)
    client = Client(app)
    publisher = app.extensions["feedsvc"].publisher
    served = [client.get("/" + path).get_data() for path in publisher.paths() if not path.startswith("media/")]
    assert len(served) > 10
    out = tmp_path / "public"
    config = load_config(overrides={"store": SAMPLE_STORE, "base_url": BASE_URL, "stats_token_hash": TOKEN_HASH})
    build(config, out)
    files = [path for path in out.rglob("*") if path.is_file()]
    assert not [path for path in files if "stats" in str(path.relative_to(out))]
    for data in served + [path.read_bytes() for path in files]:
        for secret in (b"_stats", TOKEN.encode(), TOKEN_HASH.encode(), TOKEN_HASH[7:].encode()):
            assert secret not in data
