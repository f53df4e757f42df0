"""The statistics page as a person sees it: the real service (gunicorn, the sample store, counting on,
a token configured) with ten days of stored figures and today's live polls, opened in headless
Chromium (Debian's, driven by Playwright) on a laptop and on a phone. The charts are drawn and visible,
their points and bars carry the right numbers, the table says them, the page fits the screen; without
the token, or with a wrong one, the browser gets 401 and no figure.

Chromium comes from `scripts/install-system-deps` (which `make test` runs); if it is missing these
tests fail, they are not skipped.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from feedsvc.stats import access
from feedsvc.stats.counter import DailySalt, Tally
from feedsvc.stats.db import open_database

from .browser import new_context, serve_sample_store
from .stats_agents import AGGREGATORS, DIRECT
from .stats_polls import poll

pytestmark = pytest.mark.xdist_group("browser")  # one Chromium for both browser modules, on one worker

TOKEN, TOKEN_HASH = access.new_token()
FEEDLY, INOREADER, NETNEWSWIRE = AGGREGATORS[0][0], AGGREGATORS[1][0], DIRECT[0][0]
HISTORY = 10  # days of figures before today
FEED = "sections/world-nation/rss.xml"


def history(path) -> None:
    """Ten past days: Feedly's count growing by 5 a day from 400, Inoreader's 114, 2 readers a day."""
    database = open_database(path)
    tally = Tally(DailySalt())
    now = datetime.now(UTC)
    for back in range(HISTORY, 0, -1):
        when = (now - timedelta(days=back)).timestamp()
        tally.add(when, FEED, 200, 1000, FEEDLY.replace("462", str(400 + 5 * (HISTORY - back))), "10.0.0.1")
        tally.add(when, FEED, 304, 0, INOREADER, "10.0.0.2")
        for reader in range(2):
            tally.add(when, FEED, 304, 0, NETNEWSWIRE, f"192.0.2.{reader}")
    database.write(tally)
    database.maintain(now.date(), 400)
    database.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """Today: Feedly says 462, Inoreader 114, and three readers poll (one twice); figures written."""
    database = tmp_path_factory.mktemp("stats") / "stats.sqlite3"
    history(database)
    settings = {
        "FEEDSVC_STATS": "true",
        "FEEDSVC_STATS_DB": str(database),
        "FEEDSVC_STATS_FLUSH_SECONDS": "0.2",
        "FEEDSVC_STATS_TOKEN_HASH": TOKEN_HASH,
    }
    with serve_sample_store(settings=settings) as base_url:
        port = int(base_url.rsplit(":", 1)[1].strip("/"))
        for user_agent, source in (
            (FEEDLY, "127.0.0.1"),
            (INOREADER, "127.0.0.1"),
            (NETNEWSWIRE, "127.0.1.1"),
            (NETNEWSWIRE, "127.0.1.2"),
            (NETNEWSWIRE, "127.0.1.3"),
            (NETNEWSWIRE, "127.0.1.3"),
        ):
            assert poll(port, "/" + FEED, user_agent, source)[0] == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the workers write every 0.2 s
            status, _, body = poll(port, "/_stats/stats.json", "test", headers={"Authorization": f"Bearer {TOKEN}"})
            if status == 200 and json.loads(body)["total"]["polls"] >= 6 + 4 * HISTORY:
                break
            time.sleep(0.1)
        yield base_url


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_person_with_the_token_sees_the_charts_and_the_numbers(browser, service, tmp_path, device):
    context = new_context(
        browser, device, javascript=True, http_credentials={"username": "newsroom", "password": TOKEN}
    )
    try:
        page = context.new_page()
        response = page.goto(service + "_stats/", wait_until="load")
        assert response.status == 200 and response.headers["cache-control"] == "private, no-store"
        assert page.locator("script").count() == 0
        assert page.get_by_role("heading", level=1).inner_text() == "Subscribers"
        width = page.evaluate("innerWidth")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width

        # Subscribers per day: a drawn line and one point per day, today's the sum of what was said.
        chart = page.locator("svg.over-time")
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert chart.is_visible() and box["width"] >= min(300, width - 40) and box["height"] > 100
        points = chart.locator("circle.point")
        assert points.count() == HISTORY + 1
        assert chart.locator("polyline.line").is_visible()
        values = [int(points.nth(i).get_attribute("data-value")) for i in range(points.count())]
        assert values[0] == 400 + 114 + 2 and values[-2] == 445 + 114 + 2 and values[-1] == 462 + 114 + 3
        heights = [points.nth(i).bounding_box()["y"] for i in range(points.count())]
        assert heights == sorted(heights, reverse=True)  # more subscribers is higher up the chart

        # Who they read through: a bar each, as long as its share.
        shares = page.locator("svg.shares")
        shares.scroll_into_view_if_needed()
        assert shares.is_visible()
        bars = {
            shares.locator("rect").nth(i).get_attribute("data-name"): shares.locator("rect").nth(i)
            for i in range(shares.locator("rect").count())
        }
        assert {name: int(bar.get_attribute("data-value")) for name, bar in bars.items()} == {
            "Feedly": 462,
            "Inoreader": 114,
            "direct readers": 3,
        }
        lengths = {name: bar.bounding_box()["width"] for name, bar in bars.items()}
        assert lengths["Feedly"] == pytest.approx(lengths["Inoreader"] * 462 / 114, rel=0.02)
        words = shares.text_content()
        assert all(label in words for label in ("Feedly", "462 (80%)", "Inoreader", "114 (20%)", "direct readers"))

        # The table: the feed's numbers as `feedsvc stats` gives them.
        row = page.locator(f'tr[data-feed="{FEED}"] td')
        row.first.scroll_into_view_if_needed()
        cells = [row.nth(i).inner_text() for i in range(7)]
        assert cells[:6] == [
            FEED,
            f"{462 + 114 + 3}",
            f"+{579 - (415 + 114 + 2)}",
            "—",
            f"{6 + 4 * HISTORY}",
            f"{3 * HISTORY / (6 + 4 * HISTORY):.0%}",
        ]
        assert cells[6].endswith(" kB")
        assert row.nth(7).locator("svg polyline").is_visible()

        shot = tmp_path / f"stats-{device}.png"
        page.screenshot(path=shot, full_page=True, animations="disabled")
        with Image.open(shot) as image:
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 24)) > 50, "the screenshot is (nearly) blank"
    finally:
        context.close()


@pytest.mark.parametrize(
    "credentials",
    [None, {"username": "newsroom", "password": "wrong"}, {"username": "newsroom", "password": TOKEN_HASH}],
)
def test_without_the_token_the_browser_gets_401_and_no_figure(browser, service, credentials):
    """Headless Chromium cannot ask for a password: it shows its own error page after the 401."""
    from playwright.sync_api import Error

    options = {"http_credentials": credentials} if credentials else {}
    context = new_context(browser, "desktop", javascript=True, **options)
    try:
        page = context.new_page()
        with page.expect_response(service + "_stats/") as answered:
            try:
                page.goto(service + "_stats/", wait_until="load")
            except Error as exc:
                assert "ERR_INVALID_AUTH_CREDENTIALS" in str(exc)
        response = answered.value
        assert response.status == 401 and response.headers["cache-control"] == "private, no-store"
        assert response.headers["www-authenticate"].startswith("Basic ")
        assert "462" not in response.text() and "462" not in page.content()
        assert page.locator("svg.chart").count() == 0
    finally:
        context.close()
