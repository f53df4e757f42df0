"""Subscriber statistics, from a User-Agent to the stored daily figures: who each real client is, what
one day's polls add up to (an aggregator's latest count, not the sum of its polls; a direct reader once),
what is kept (no address, no User-Agent, no unsalted hash), closing days and the retention period, and
the report's table and changes over 7 and 30 days — on SQLite, with several writers at once."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest

from feedsvc.stats.agents import AGGREGATOR, CRAWLER, DIRECT, classify
from feedsvc.stats.counter import Counter, DailySalt, Tally, TrustedProxies, counted
from feedsvc.stats.db import open_database
from feedsvc.stats.report import report

from .stats_agents import AGGREGATORS, CRAWLERS
from .stats_agents import DIRECT as DIRECT_READERS

FEEDLY = AGGREGATORS[0][0]
INOREADER = AGGREGATORS[1][0]
NETNEWSWIRE = DIRECT_READERS[0][0]
TODAY = date(2026, 11, 30)


def at(day: date, hour: int = 12, minute: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).timestamp()


@pytest.mark.parametrize("user_agent, name, subscribers, feed_id", AGGREGATORS)
def test_each_aggregator_is_read_in_its_own_format(user_agent, name, subscribers, feed_id):
    agent = classify(user_agent)
    assert (agent.kind, agent.name, agent.subscribers, agent.feed_id) == (AGGREGATOR, name, subscribers, feed_id)


@pytest.mark.parametrize("user_agent, what", DIRECT_READERS)
def test_desktop_phone_and_self_hosted_readers_are_direct_clients(user_agent, what):
    assert classify(user_agent).kind == DIRECT, what


@pytest.mark.parametrize("user_agent, name", CRAWLERS)
def test_crawlers_are_neither(user_agent, name):
    assert (classify(user_agent).kind, classify(user_agent).name) == (CRAWLER, name)


def test_an_absurd_count_is_capped_and_a_spoofed_name_cannot_carry_markup():
    agent = classify("<b>Evil</b> (+x; 99999999999999 subscribers)")
    assert agent.subscribers == 1_000_000_000 and agent.name == "other"


@pytest.mark.parametrize(
    "path, is_counted",
    [
        ("rss.xml", True),
        ("atom.xml", True),
        ("feed.json", True),
        ("sections/world/rss.xml", True),
        ("sections/world/archive/2013-05/rss.xml", False),
        ("", False),
        ("sections/world/", False),
        ("feeds.opml", False),
        ("media/a.jpg", False),
        ("_stats/", False),
    ],
)
def test_only_subscription_feeds_are_counted(path, is_counted):
    assert counted(path) is is_counted


def test_a_day_of_polls_adds_up_as_the_issue_says():
    """An aggregator's count is the one it reported last that day, not the sum of its polls; one feed id
    of an aggregator adds to another; a direct reader (address and User-Agent) is counted once."""
    tally = Tally(DailySalt())
    day = TODAY
    for minute, count in ((0, 460), (30, 463), (20, 999)):  # the 12:20 poll arrives last
        tally.add(at(day, 12, minute), "rss.xml", 200, 1000, FEEDLY.replace("462", str(count)), "10.0.0.1")
    tally.add(at(day, 9), "rss.xml", 304, 0, "Feedbin feed-id:1 - 10 subscribers", "10.0.0.2")
    tally.add(at(day, 9), "rss.xml", 304, 0, "Feedbin feed-id:2 - 5 subscribers", "10.0.0.2")
    for _ in range(3):
        tally.add(at(day, 10), "rss.xml", 304, 0, NETNEWSWIRE, "192.0.2.7")
    tally.add(at(day, 10), "rss.xml", 200, 1000, NETNEWSWIRE, "192.0.2.8")  # another person
    tally.add(at(day, 10), "rss.xml", 200, 1000, DIRECT_READERS[4][0], "192.0.2.7")  # another app, same house
    tally.add(at(day, 11), "rss.xml", 200, 1000, CRAWLERS[0][0], "66.249.66.1")
    key = (day.isoformat(), "rss.xml")
    assert tally.totals[key] == [11, 6, 5, 6000]
    assert tally.reported[(*key, "Feedly", "")][0] == 463
    assert {k[3]: v[0] for k, v in tally.reported.items() if k[2] == "Feedbin"} == {"1": 10, "2": 5}
    assert len(tally.clients) == 3


def test_a_direct_reader_is_a_salted_hash_that_changes_every_day():
    salt = DailySalt()
    ua, address = NETNEWSWIRE, "203.0.113.9"
    today, tomorrow = salt.client("2026-11-30", address, ua), salt.client("2026-12-01", address, ua)
    assert today == salt.client("2026-11-30", address, ua) and today != tomorrow
    assert today != DailySalt().client("2026-11-30", address, ua)  # another service: another salt
    unsalted = {
        hashlib.new(name, f"{address}{sep}{ua}".encode()).hexdigest()[:32]
        for name in ("md5", "sha1", "sha256")
        for sep in ("", "\n", " ")
    }
    assert today not in unsalted and address not in today


def test_what_is_stored_holds_no_address_no_user_agent_and_only_two_days_of_hashes(tmp_path):
    database = open_database(tmp_path / "stats.sqlite3")
    tally = Tally(DailySalt())
    for offset in range(5):
        tally.add(at(TODAY - timedelta(days=offset)), "rss.xml", 200, 100, NETNEWSWIRE, "203.0.113.9")
    tally.add(at(TODAY), "rss.xml", 200, 100, INOREADER, "198.51.100.4")
    database.write(tally)
    database.maintain(TODAY, retention_days=400)
    database.close()
    raw = sqlite3.connect(tmp_path / "stats.sqlite3")
    dump = "\n".join(raw.iterdump())
    for private in ("203.0.113.9", "198.51.100.4", "NetNewsWire", "inoreader.com"):
        assert private not in dump
    assert sorted(day for (day,) in raw.execute("SELECT day FROM stats_clients")) == ["2026-11-29", "2026-11-30"]
    assert [row for row in raw.execute("SELECT day, direct FROM stats_daily ORDER BY day")] == [
        ("2026-11-26", 1),
        ("2026-11-27", 1),
        ("2026-11-28", 1),
        ("2026-11-29", 0),
        ("2026-11-30", 0),
    ]
    assert raw.execute("SELECT aggregator, subscribers FROM stats_reported").fetchall() == [("Inoreader", 114)]


def test_a_day_closed_twice_is_counted_once_and_old_days_go_after_the_retention_period(tmp_path):
    database = open_database(tmp_path / "stats.sqlite3")
    tally = Tally(DailySalt())
    for reader in range(4):
        tally.add(at(TODAY - timedelta(days=3)), "rss.xml", 304, 0, NETNEWSWIRE, f"192.0.2.{reader}")
    tally.add(at(TODAY - timedelta(days=20)), "rss.xml", 200, 5, FEEDLY, "10.0.0.1")
    database.write(tally)
    database.maintain(TODAY, retention_days=400)
    database.maintain(TODAY, retention_days=400)
    figures = database.figures("2026-01-01", TODAY.isoformat())
    assert [(row[0], row[-1]) for row in sorted(figures["daily"])] == [("2026-11-10", 0), ("2026-11-27", 4)]
    database.maintain(TODAY, retention_days=10)
    assert [row[0] for row in database.figures("2026-01-01", TODAY.isoformat())["daily"]] == ["2026-11-27"]
    assert database.figures("2026-01-01", TODAY.isoformat())["reported"] == []


def _gunicorn_worker(paths: list, number: int, rounds: int, start, results) -> None:
    """One worker process, started on each file in turn with the others: its own Counter and connection,
    counting two polls and flushing them at once, `rounds` times. Puts how many requests each flush wrote."""
    written = []
    for path in paths:
        start.wait(timeout=60)
        counter = Counter(partial(open_database, path), interval=3600, clock=lambda: at(TODAY))
        for round_ in range(rounds):
            for status, agent, address in ((200, FEEDLY, "10.0.0.1"), (304, NETNEWSWIRE, f"10.{number}.{round_}.1")):
                counter.count(
                    "rss.xml",
                    status,
                    10 if status == 200 else 0,
                    {"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address},
                    _now=lambda: at(TODAY),
                )
            written.append(counter.flush())
        counter.close()
    results.put(written)


WORKERS, ROUNDS, FILES = 12, 2, 120


@pytest.mark.costly
def test_several_writers_at_once_lose_nothing(tmp_path):
    """Worker processes starting together on a new file, each flushing as soon as it counted: every flush
    is written (none left for a later one, none lost) and the figures add up, on every file.

    A new file once failed a flush now and then with "database is locked" (the next test says why): the
    workers start together on FILES new files in turn, so that moment comes round."""
    context = multiprocessing.get_context("fork")
    paths = [tmp_path / f"stats-{n}.sqlite3" for n in range(FILES)]
    start, results = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(target=_gunicorn_worker, args=(paths, n, ROUNDS, start, results)) for n in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    written = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    failed = sum(count != 2 for flushes in written for count in flushes)
    assert failed == 0, f"{failed} of {WORKERS * ROUNDS * FILES} flushes were not written at once"
    for path in paths:
        figures = report(open_database(path), TODAY, days=1).feeds[0]
        assert (figures.polls, figures.ok, figures.not_modified, figures.bytes) == (
            2 * WORKERS * ROUNDS,
            WORKERS * ROUNDS,
            WORKERS * ROUNDS,
            10 * WORKERS * ROUNDS,
        ), path.name
        assert figures.aggregators == {"Feedly": 462} and figures.direct == WORKERS * ROUNDS, path.name


def test_a_worker_opening_a_new_file_while_another_writes_to_it_waits_for_its_turn(tmp_path):
    """A new file is not yet in WAL mode, and switching it reads then writes: SQLite answers "database is
    locked" at once, busy timeout or not, while another connection holds the write lock (a worker that
    opened the file an instant earlier, switching it or writing its first counts)."""
    path = tmp_path / "stats.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE early (worker INTEGER)")
    done = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    done.start()
    try:
        database = open_database(path)
    finally:
        done.join()
        other.close()
    assert database.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    tally = Tally(DailySalt())
    tally.add(at(TODAY), "rss.xml", 200, 10, FEEDLY, "10.0.0.1")
    database.write(tally)
    assert report(database, TODAY, days=1).feeds[0].polls == 1


def test_the_report_estimates_subscribers_and_their_change_over_7_and_30_days(tmp_path):
    database = open_database(tmp_path / "stats.sqlite3")
    tally = Tally(DailySalt())
    for offset, feedly in ((30, 400), (7, 450), (1, 455), (0, 462)):
        day = TODAY - timedelta(days=offset)
        tally.add(at(day), "sections/world/rss.xml", 200, 2000, FEEDLY.replace("462", str(feedly)), "10.0.0.1")
        for reader in range(offset % 5 + 1):
            tally.add(at(day), "sections/world/rss.xml", 304, 0, NETNEWSWIRE, f"192.0.2.{reader}")
    tally.add(at(TODAY), "rss.xml", 304, 0, INOREADER, "10.0.0.9")
    database.write(tally)
    database.maintain(TODAY, retention_days=400)
    result = report(database, TODAY, days=30)
    world, everything = {f.feed: f for f in result.feeds}["sections/world/rss.xml"], result.total
    assert (world.day, world.subscribers, world.aggregators, world.direct) == ("2026-11-30", 463, {"Feedly": 462}, 1)
    assert world.change_7 == 463 - (450 + 3) and world.change_30 == 463 - (400 + 1)
    assert (world.polls, world.ok, world.not_modified, world.bytes) == (3 + 6, 3, 6, 6000)  # the day 30 ago
    assert world.history == {"2026-11-23": 453, "2026-11-29": 457, "2026-11-30": 463}  # is outside
    assert everything.subscribers == 463 + 114 and result.shares() == {
        "Feedly": 462,
        "Inoreader": 114,
        "direct readers": 1,
    }
    lines = result.table().splitlines()
    assert lines[1].split() == ["feed", "subscribers", "7", "days", "30", "days", "polls", "304s", "bytes"]
    assert lines[-1].split() == ["all", "feeds", "577", "+124", "+176", "10", "70%", "6.0", "kB"]
    assert report(database, TODAY, days=30, feed="rss.xml").total.subscribers == 114


def test_the_counter_flushes_off_the_request_path_and_keeps_what_it_could_not_write(tmp_path):
    path = tmp_path / "stats.sqlite3"
    broken = {"yes": True}

    def opener():
        if broken["yes"]:
            raise OSError("database away")
        return open_database(path)

    counter = Counter(opener, interval=3600)
    environ = {"HTTP_USER_AGENT": FEEDLY, "REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    counter.count("rss.xml", 200, 100, environ)
    assert counter.flush() == 0  # kept for the next flush
    counter.count("rss.xml", 304, 0, {"HTTP_USER_AGENT": NETNEWSWIRE, "REMOTE_ADDR": "198.51.100.1"})
    broken["yes"] = False
    assert counter.flush() == 2
    counter.count("rss.xml", 304, 0, {"HTTP_USER_AGENT": NETNEWSWIRE, "REMOTE_ADDR": "198.51.100.1"})
    assert counter.flush() == 1
    counter.close()
    figures = report(open_database(path), datetime.now(UTC).date(), days=1).feeds[0]
    assert (figures.polls, figures.subscribers) == (3, 462 + 1)


def test_a_trusted_proxy_passes_the_readers_address_and_nobody_else_can():
    proxies = TrustedProxies("127.0.0.1, ::1, 10.1.0.0/16")
    assert proxies.client("127.0.0.1", "203.0.113.5") == "203.0.113.5"
    assert proxies.client("127.0.0.1", "203.0.113.5, 10.1.2.3") == "203.0.113.5"  # two of our proxies
    assert proxies.client("127.0.0.1", "6.6.6.6, 203.0.113.5") == "203.0.113.5"  # a forged first hop
    assert proxies.client("198.51.100.1", "203.0.113.5") == "198.51.100.1"  # not a proxy of ours
    assert proxies.client("127.0.0.1", None) == "127.0.0.1"


def test_the_statistics_load_no_door_no_store_and_no_renderer():
    """stats may import paths, model and words; serve and cli import it, never the reverse."""
    from .test_layers import modules_loaded_by

    loaded = modules_loaded_by(
        "import feedsvc.stats.counter, feedsvc.stats.db, feedsvc.stats.logs, "
        "feedsvc.stats.report, feedsvc.stats.page, feedsvc.stats.access"
    )
    ours = {name for name in loaded if name.startswith("feedsvc.")}
    assert ours - {"feedsvc.paths", "feedsvc.config", "feedsvc.model", "feedsvc.uri", "feedsvc.words"} == {
        f"feedsvc.stats.{name}" for name in ("agents", "counter", "db", "logs", "report", "page", "access", "settings")
    } | {"feedsvc.stats"}
    assert not loaded & {"flask", "werkzeug", "feedgen", "jinja2", "psycopg"}
