"""Reading access logs in the combined format as nginx and Apache write them: their escapes, times in
any offset, the base URL's path, gzipped and rotated files — and importing only what was not imported."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from feedsvc.stats.db import open_database
from feedsvc.stats.logs import import_log, open_log, parse_line
from feedsvc.stats.report import report

FEEDLY = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )"
NGINX = [  # what nginx's `combined` writes: a quote in a header as \x22
    f'203.0.113.9 - - [29/Nov/2026:23:59:59 -0800] "GET /feeds/rss.xml HTTP/1.1" 200 34881 "-" "{FEEDLY}"',
    '198.51.100.7 - - [30/Nov/2026:09:00:00 +0100] "GET /feeds/sections/world/rss.xml?utm=x HTTP/2.0" 304 0 "-" '
    '"Reader \\x22quoted\\x22 (RSS Reader)"',
    '198.51.100.7 - - [30/Nov/2026:09:00:01 +0100] "HEAD /rss.xml HTTP/1.1" 200 0 "-" "NetNewsWire (RSS Reader; '
    'https://netnewswire.com/)"',
    '198.51.100.8 - - [30/Nov/2026:09:00:02 +0000] "GET /feeds/sections/world/archive/2013-05/rss.xml HTTP/1.1" '
    '200 900 "-" "NetNewsWire (RSS Reader; https://netnewswire.com/)"',
    '198.51.100.8 - - [30/Nov/2026:09:00:03 +0000] "GET /feeds/feeds.opml HTTP/1.1" 200 900 "-" "x"',
    '198.51.100.8 - - [30/Nov/2026:09:00:04 +0000] "GET /feeds/nothing.xml HTTP/1.1" 404 153 "-" "x"',
    '198.51.100.8 - - [30/Nov/2026:09:00:05 +0000] "POST /feeds/rss.xml HTTP/1.1" 405 0 "-" "x"',
    '198.51.100.8 - - [30/Nov/2026:09:00:06 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"',
    "not a log line at all",
]


def test_a_line_as_nginx_and_apache_write_it():
    feedly = parse_line(NGINX[0])
    assert (feedly.address, feedly.method, feedly.path, feedly.status, feedly.nbytes, feedly.user_agent) == (
        "203.0.113.9",
        "GET",
        "/feeds/rss.xml",
        200,
        34881,
        FEEDLY,
    )
    assert feedly.when == 1796025599.0  # 2026-11-30 07:59:59 UTC
    assert parse_line(NGINX[1]).user_agent == 'Reader "quoted" (RSS Reader)'
    assert parse_line(NGINX[1]).path == "/feeds/sections/world/rss.xml"
    apache = parse_line(
        '192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] "GET http://x.example/rss.xml HTTP/1.0" '
        '304 - "http://x.example/" "Mozilla/5.0 (compatible; \\"x\\")"'
    )
    assert (apache.path, apache.nbytes, apache.user_agent) == ("/rss.xml", 0, 'Mozilla/5.0 (compatible; "x")')
    assert parse_line(NGINX[-1]) is None and parse_line(NGINX[-2]).method == "\x16\x03\x01"


def test_only_feed_polls_answered_200_or_304_count_under_the_base_path_or_not(tmp_path):
    database = open_database(tmp_path / "stats.sqlite3")
    done = import_log(NGINX, database, prefix="feeds/", name="access.log")
    assert (done.lines, done.counted, done.unreadable) == (len(NGINX), 3, 1)
    figures = {f.feed: f for f in report(database, date(2026, 11, 30), days=2).feeds}
    assert sorted(figures) == ["rss.xml", "sections/world/rss.xml"]
    assert (figures["rss.xml"].polls, figures["rss.xml"].bytes, figures["rss.xml"].subscribers) == (2, 34881, 463)
    assert figures["rss.xml"].history == {"2026-11-30": 463}  # 23:59 in California is UTC's 30th


def test_a_log_imported_again_grown_or_rotated_and_gzipped_adds_only_new_lines(tmp_path):
    database = open_database(tmp_path / "stats.sqlite3")
    log = tmp_path / "access.log"
    log.write_text("\n".join(NGINX[:2]) + "\n")
    with open_log(str(log)) as lines:
        assert import_log(lines, database, "feeds/").counted == 2
    with open_log(str(log)) as lines:
        assert (import_log(lines, database, "feeds/").counted,) == (0,)
    rotated = tmp_path / "access.log.1.gz"
    with gzip.open(rotated, "wt", encoding="latin-1") as out:
        out.write("\n".join(NGINX[:3]) + "\n")  # it grew, then was rotated
    with open_log(str(rotated)) as lines:
        again = import_log(lines, database, "feeds/")
    assert (again.skipped, again.lines, again.counted) == (2, 1, 1)
    assert report(database, date(2026, 11, 30), days=2).total.polls == 3


@pytest.mark.parametrize("stamp", ["31/Feb/2026:00:00:00 +0000", "30/Nop/2026:00:00:00 +0000", "30/Nov/2026 00:00"])
def test_an_impossible_time_is_not_a_line(stamp):
    assert parse_line(f'1.2.3.4 - - [{stamp}] "GET /rss.xml HTTP/1.1" 200 1 "-" "x"') is None
