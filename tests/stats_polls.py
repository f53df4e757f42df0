"""A day of polls, as aggregators and readers make them, against a real server on 127.0.0.1 — and the
figures they must give. Each direct reader polls from its own loopback address (127.0.0.2, …: Linux
answers the whole of 127.0.0.0/8), so the server sees different addresses as it would from the world."""

from __future__ import annotations

import http.client
import subprocess

from .cli import feedsvc
from .stats_agents import AGGREGATORS, CRAWLERS, DIRECT

FEEDS = ["/rss.xml", "/sections/world-nation/rss.xml", "/sections/world-nation/atom.xml"]
NOT_COUNTED = ["/", "/feeds.opml", "/sections/world-nation/", "/sections/nowhere/rss.xml"]
FEEDLY_COUNTS = (455, 470, 462)  # one feed polled three times a day: the last count holds
READERS = DIRECT[:8]  # apps that poll one person at a time
REPORTING = [entry for entry in AGGREGATORS if entry[1] not in ("Feedly",)][:8]


def poll(
    port: int, path: str, user_agent: str, source: str = "127.0.0.1", headers: dict | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {"User-Agent": user_agent, **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def fetch_then_revalidate(port: int, path: str, user_agent: str, source: str, gzip: bool = False) -> list[int]:
    """A client's first poll (200) and its next one with the ETag it was sent (304)."""
    extra = {"Accept-Encoding": "gzip"} if gzip else {}
    status, headers, body = poll(port, path, user_agent, source, extra)
    again, _, _ = poll(port, path, user_agent, source, {**extra, "If-None-Match": headers["etag"]})
    return [status, again]


def a_day_of_polls(port: int, readers_from: int = 2) -> None:
    """Every feed polled by the aggregators (Feedly three times), each reader from two addresses (the
    second with gzip), a crawler, a HEAD — and requests that must not count (pages, OPML, a 404, POST)."""
    for path in FEEDS:
        for count in FEEDLY_COUNTS:
            ua = AGGREGATORS[0][0].replace("462", str(count))
            assert fetch_then_revalidate(port, path, ua, "127.0.0.1") == [200, 304]
        for user_agent, *_ in REPORTING:
            assert fetch_then_revalidate(port, path, user_agent, "127.0.0.1") == [200, 304]
        for number, (user_agent, _) in enumerate(READERS):
            for copy in range(2):
                source = f"127.0.{readers_from + copy}.{number + 1}"
                assert fetch_then_revalidate(port, path, user_agent, source, gzip=bool(copy)) == [200, 304]
        assert poll(port, path, CRAWLERS[0][0])[0] == 200
        assert poll(port, path, READERS[0][0], method="HEAD", source=f"127.0.{readers_from}.1")[0] == 200
    for path in NOT_COUNTED:
        poll(port, path, READERS[0][0])
    assert poll(port, FEEDS[0], READERS[0][0], method="POST")[0] == 405


def expected_subscribers(nodes: int = 1) -> int:
    """One feed's estimate after a_day_of_polls on `nodes` nodes, each with its own readers."""
    reported = sum(1 if count is None else count for _, _, count, _ in REPORTING)
    return FEEDLY_COUNTS[-1] + reported + nodes * 2 * len(READERS)


def expected_polls(nodes: int = 1) -> dict[str, int]:
    revalidating = len(FEEDLY_COUNTS) + len(REPORTING) + 2 * len(READERS)
    return {
        "polls": nodes * (2 * revalidating + 2),
        "ok": nodes * (revalidating + 2),
        "not_modified": nodes * revalidating,
    }


def stats_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return feedsvc("stats", *args, env=env)
