"""Counting feed requests without making them wait: a request appends one tuple to an in-memory queue
(thread-safe, no lock held, no I/O); a background thread in each worker drains it every few seconds into
a `Tally` — the day's figures per feed — and writes that to the database.

A direct reader is known by a salted hash of its address and User-Agent. The salt is new each UTC day
and is never written anywhere: it is derived from random bytes made when the service starts (in
gunicorn's master, so the workers forked from it share it and count a reader once), and the address
and User-Agent themselves never leave this process's memory.
"""

from __future__ import annotations

import atexit
import hashlib
import ipaddress
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..paths import FeedKey, route
from ..words import plural
from .agents import AGGREGATOR, DIRECT, classify
from .settings import StatsSettings

if TYPE_CHECKING:
    from .db import Database

# One answer to a feed request as count() notes it: when, path, status, bytes, User-Agent, address,
# X-Forwarded-For.
Poll = tuple[float, str, int, int, str, str, "str | None"]

log = logging.getLogger(__name__)
MAX_PENDING = 1_000_000  # requests waiting for a flush; a stalled writer drops the oldest beyond this
COUNTED_STATUSES = (200, 304)


def counted(path: str) -> bool:
    """Whether requests for `path` (relative to the base URL) are counted: subscription feeds only —
    not archives, which a reader pages through once, nor pages, OPML or photos."""
    key = route(path)
    return isinstance(key, FeedKey) and key.month is None


def utc_day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


class DailySalt:
    """The key a direct reader's (address, User-Agent) is hashed with: one per UTC day, derived from
    32 random bytes that exist only in this process's memory (and its forked children's)."""

    def __init__(self) -> None:
        self._root = os.urandom(32)
        self._keys: dict[str, bytes] = {}

    def client(self, day: str, address: str, user_agent: str) -> str:
        key = self._keys.get(day)
        if key is None:
            if len(self._keys) > 3:
                self._keys.clear()
            key = self._keys[day] = hashlib.blake2b(day.encode(), key=self._root, digest_size=32).digest()
        text = f"{address}\n{user_agent}".encode("utf-8", "surrogateescape")
        return hashlib.blake2b(text, key=key, digest_size=16).hexdigest()


class Tally:
    """Counted polls by UTC day and feed: what one flush (or one log file) adds to the stored figures.

    Per (day, feed): polls, 200s, 304s, bytes; per aggregator and its own feed id, the count it reported
    last (a later poll replaces it, never adds to it); the hashed direct readers, a set.
    """

    def __init__(self, salt: DailySalt) -> None:
        self.salt = salt
        self.totals: dict[tuple[str, str], list[int]] = {}
        self.reported: dict[tuple[str, str, str, str], tuple[int | None, float]] = {}
        self.clients: set[tuple[str, str, str]] = set()
        self._days: dict[int, str] = {}

    def __bool__(self) -> bool:
        return bool(self.totals)

    def day(self, when: float) -> str:
        index = int(when // 86400)
        day = self._days.get(index)
        if day is None:
            day = self._days[index] = utc_day(when)
        return day

    def add(
        self, when: float, feed: str, status: int, nbytes: int, user_agent: str, address: str, times: int = 1
    ) -> None:
        """A 200 or 304 answer to a poll of `feed` (`times` alike, the last at `when`)."""
        day = self.day(when)
        row = self.totals.get((day, feed))
        if row is None:
            row = self.totals[day, feed] = [0, 0, 0, 0]
        row[0] += times
        row[1 if status == 200 else 2] += times
        row[3] += nbytes * times
        agent = classify(user_agent)
        if agent.kind == AGGREGATOR:
            key = (day, feed, agent.name or "", agent.feed_id)
            seen = self.reported.get(key)
            if seen is None or when >= seen[1]:
                self.reported[key] = (agent.subscribers, when)
        elif agent.kind == DIRECT:
            self.clients.add((day, feed, self.salt.client(day, address, user_agent)))

    def merge(self, other: Tally) -> None:
        """Add `other`'s figures (a flush that could not be written is kept and tried again with the next)."""
        for key, row in other.totals.items():
            mine = self.totals.setdefault(key, [0, 0, 0, 0])
            for index, value in enumerate(row):
                mine[index] += value
        for reader, seen in other.reported.items():
            if reader not in self.reported or seen[1] >= self.reported[reader][1]:
                self.reported[reader] = seen
        self.clients |= other.clients


class TrustedProxies:
    """Which connecting addresses are our own proxies, whose X-Forwarded-For names the reader. Used for
    counting only: no URL is ever made from a request's headers."""

    def __init__(self, spec: str) -> None:
        self.networks = tuple(
            ipaddress.ip_network(part, strict=False) for part in spec.replace(",", " ").split() if part
        )
        self.trusted = lru_cache(maxsize=1024)(self._trusted)

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client(self, remote: str, forwarded: str | None) -> str:
        """The connection's address or — when that is a trusted proxy — the last address in X-Forwarded-For
        that is not one (each proxy appends the address it was reached from)."""
        if not forwarded or not self.trusted(remote):
            return remote
        for hop in reversed(forwarded.split(",")):
            hop = hop.strip()
            if hop and not self.trusted(hop):
                return hop
        return remote


class Counter:
    """One worker's counting: `count()` on the request path; `start()` (after a fork, as threads don't
    survive one) runs the thread that writes every `interval` seconds; `close()` writes what is left."""

    def __init__(
        self,
        open_database: Callable[[], Database],
        interval: float = 5.0,
        retention_days: int = 400,
        trusted_proxies: str = "127.0.0.1, ::1",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.open_database, self.interval, self.retention_days = open_database, interval, retention_days
        self.proxies = TrustedProxies(trusted_proxies)
        self.clock = clock
        self.salt = DailySalt()
        self._pending: deque[Poll] = deque(maxlen=MAX_PENDING)
        self._append = self._pending.append
        self._unwritten: Tally | None = None
        self._written: set[tuple[str, str, str]] = set()  # readers already stored, so not sent again
        self._database: Database | None = None
        self._maintained: str | None = None
        self._lock = threading.Lock()  # one flush at a time (the thread, close())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        atexit.register(self.close)

    @classmethod
    def open(cls, location: str | Path, settings: StatsSettings) -> Counter:
        """A counter writing to the statistics at `location` (a postgresql:// URL or a SQLite file)."""
        from .db import open_database

        return cls(
            lambda: open_database(location), settings.flush_seconds, settings.retention_days, settings.trusted_proxies
        )

    def count(
        self, path: str, status: int, nbytes: int, environ: Mapping[str, Any], _now: Callable[[], float] = time.time
    ) -> None:
        """Note one answer to a feed request. Called on the request path: one append, nothing more."""
        self._append(
            (
                _now(),
                path,
                status,
                nbytes,
                environ.get("HTTP_USER_AGENT", ""),
                environ.get("REMOTE_ADDR", ""),
                environ.get("HTTP_X_FORWARDED_FOR"),
            )
        )

    def start(self) -> Counter:
        """Start the writing thread in this process (again after a fork: the parent's did not come along)."""
        self._stop, self._lock = threading.Event(), threading.Lock()  # not the parent's, held or not
        self._thread = threading.Thread(target=self._run, name="feedsvc-stats", daemon=True)
        self._database = None  # a connection must not be shared with the parent
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def flush(self) -> int:
        """Write what was counted since the last flush; the number of requests written (0 if it failed:
        they are kept for the next one)."""
        with self._lock:
            tally = self._unwritten or Tally(self.salt)
            self._unwritten = None
            # Polls alike but for their moment (one reader polling all day, a load test) are added once,
            # with how many they were: the drain costs a dictionary lookup per request.
            alike: dict[tuple[int, str, int, int, str, str, str | None], list[float]] = {}  # → [last, how many]
            pending = self._pending
            while True:
                try:
                    poll = pending.popleft()
                except IndexError:
                    break
                key = (int(poll[0] // 86400), *poll[1:])
                seen = alike.get(key)
                if seen is None:
                    alike[key] = [poll[0], 1]
                else:
                    seen[0] = max(seen[0], poll[0])
                    seen[1] += 1
            for (_, path, status, nbytes, agent, remote, forwarded), (when, times) in alike.items():
                tally.add(when, path, status, nbytes, agent, self.proxies.client(remote, forwarded), int(times))
            if not tally:
                return 0
            today = utc_day(self.clock())
            tally.clients -= self._written
            try:
                database = self._database = self._database or self.open_database()
                database.write(tally)
                if self._maintained != today:
                    database.maintain(date.fromisoformat(today), self.retention_days)
                    self._maintained = today
            except Exception as exc:  # noqa: BLE001 — the database may be away; counting goes on
                log.warning(
                    "stats: could not write %s, will try again: %s",
                    plural(sum(row[0] for row in tally.totals.values()), "counted request"),
                    exc,
                )
                self._unwritten, self._database = tally, None
                return 0
            yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
            self._written = {key for key in self._written | tally.clients if key[0] >= yesterday}
            return sum(row[0] for row in tally.totals.values())

    def close(self) -> None:
        """Stop the thread and write what is left (at a worker's exit)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.interval + 30)
        if self._pending or self._unwritten:
            self.flush()
        database, self._database = self._database, None
        if database is not None:
            database.close()
