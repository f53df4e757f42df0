"""Where the daily figures are kept: a SQLite file (the default: one service, several workers) or
PostgreSQL (several service nodes adding to one count) — the same four tables and the same SQL.

    stats_daily     day, feed → polls, 200s, 304s, bytes, direct readers of days that are over
    stats_reported  day, feed, aggregator, its feed id → the count it reported last, and when
    stats_clients   day, feed, hashed reader — today's and yesterday's only, so workers and nodes count
                    a reader once; older days become a number in stats_daily.direct
    stats_imports   a log file (by a digest of its first line) → how many of its lines were imported

Every writer adds to rows with upserts (`ON CONFLICT … DO UPDATE`), so workers and nodes never lose
each other's counts; an aggregator's count replaces an older one and never adds to it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections import Counter as Counts
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .counter import Tally

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS stats_daily (
        day TEXT NOT NULL, feed TEXT NOT NULL, polls BIGINT NOT NULL DEFAULT 0, ok BIGINT NOT NULL DEFAULT 0,
        not_modified BIGINT NOT NULL DEFAULT 0, bytes BIGINT NOT NULL DEFAULT 0, direct BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (day, feed))""",
    """CREATE TABLE IF NOT EXISTS stats_reported (
        day TEXT NOT NULL, feed TEXT NOT NULL, aggregator TEXT NOT NULL, feed_id TEXT NOT NULL,
        subscribers BIGINT, seen_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (day, feed, aggregator, feed_id))""",
    """CREATE TABLE IF NOT EXISTS stats_clients (
        day TEXT NOT NULL, feed TEXT NOT NULL, client TEXT NOT NULL, PRIMARY KEY (day, feed, client))""",
    """CREATE TABLE IF NOT EXISTS stats_imports (source TEXT PRIMARY KEY, lines BIGINT NOT NULL)""",
)
ADD_TOTALS = """INSERT INTO stats_daily (day, feed, polls, ok, not_modified, bytes, direct) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (day, feed) DO UPDATE SET polls = stats_daily.polls + excluded.polls,
    ok = stats_daily.ok + excluded.ok, not_modified = stats_daily.not_modified + excluded.not_modified,
    bytes = stats_daily.bytes + excluded.bytes, direct = stats_daily.direct + excluded.direct"""
REPORTED = """INSERT INTO stats_reported (day, feed, aggregator, feed_id, subscribers, seen_at)
    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (day, feed, aggregator, feed_id)
    DO UPDATE SET subscribers = excluded.subscribers, seen_at = excluded.seen_at
    WHERE excluded.seen_at >= stats_reported.seen_at"""
CLIENT = "INSERT INTO stats_clients (day, feed, client) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
IMPORTED = """INSERT INTO stats_imports (source, lines) VALUES (?, ?)
    ON CONFLICT (source) DO UPDATE SET lines = excluded.lines"""


class Database:
    """One connection to the statistics, for one thread: write a Tally, close days, read figures back."""

    placeholder = "?"

    def __init__(self, connection: Any) -> None:  # a DB-API connection: sqlite3's or psycopg's
        self.connection = connection
        with self.transaction(exclusive=True) as cursor:
            for statement in SCHEMA:
                cursor.execute(statement)

    def sql(self, statement: str) -> str:
        return statement if self.placeholder == "?" else statement.replace("?", self.placeholder)

    @contextlib.contextmanager
    def transaction(self, exclusive: bool = False, read: bool = False) -> Iterator[Any]:
        """A cursor in one transaction; `exclusive`: one such at a time across every worker and node."""
        raise NotImplementedError

    def write(self, tally: Tally, imported: tuple[str, int] | None = None) -> None:
        """Add a Tally's figures (and, for a log file, how many of its lines are now imported) at once.
        Rows are written in key order, so two writers never wait for each other in a circle."""
        with self.transaction() as cursor:
            cursor.executemany(self.sql(ADD_TOTALS), [(*key, *row, 0) for key, row in sorted(tally.totals.items())])
            if tally.reported:
                cursor.executemany(self.sql(REPORTED), [(*key, *seen) for key, seen in sorted(tally.reported.items())])
            if tally.clients:
                cursor.executemany(self.sql(CLIENT), sorted(tally.clients))
            if imported is not None:
                cursor.execute(self.sql(IMPORTED), imported)

    def maintain(self, today: date, retention_days: int) -> None:
        """Close the days before yesterday — their hashed readers become a count, and are deleted — and
        delete every figure older than the retention period."""
        closed = (today - timedelta(days=1)).isoformat()
        oldest = (today - timedelta(days=retention_days)).isoformat()
        with self.transaction(exclusive=True) as cursor:
            # DELETE … RETURNING: a reader counted here is one this statement removed, so two nodes
            # closing the same day at once cannot both count it.
            cursor.execute(self.sql("DELETE FROM stats_clients WHERE day < ? RETURNING day, feed"), (closed,))
            readers = Counts((day, feed) for day, feed in cursor.fetchall())
            cursor.executemany(
                self.sql(ADD_TOTALS), [(day, feed, 0, 0, 0, 0, count) for (day, feed), count in sorted(readers.items())]
            )
            for table in ("stats_daily", "stats_reported", "stats_clients"):
                cursor.execute(self.sql(f"DELETE FROM {table} WHERE day < ?"), (oldest,))

    def imported_lines(self, source: str) -> int:
        with self.transaction(read=True) as cursor:
            cursor.execute(self.sql("SELECT lines FROM stats_imports WHERE source = ?"), (source,))
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def figures(self, first: str, last: str, feed: str | None = None) -> dict[str, list[tuple[Any, ...]]]:
        """Every stored row for the days first…last (ISO dates, inclusive), of one feed or all:
        "daily" (day, feed, polls, ok, not_modified, bytes, direct readers — closed and open days alike)
        and "reported" (day, feed, aggregator, subscribers summed over its feed ids, a silent one as 1)."""
        where, arguments = "day >= ? AND day <= ?", [first, last]
        if feed is not None:
            where, arguments = where + " AND feed = ?", arguments + [feed]
        with self.transaction(read=True) as cursor:
            cursor.execute(
                self.sql(f"SELECT day, feed, polls, ok, not_modified, bytes, direct FROM stats_daily WHERE {where}"),
                arguments,
            )
            daily = cursor.fetchall()
            cursor.execute(
                self.sql(f"SELECT day, feed, count(*) FROM stats_clients WHERE {where} GROUP BY day, feed"), arguments
            )
            open_days = {(day, name): count for day, name, count in cursor.fetchall()}
            cursor.execute(
                self.sql(
                    f"SELECT day, feed, aggregator, sum(coalesce(subscribers, 1)) FROM stats_reported "
                    f"WHERE {where} GROUP BY day, feed, aggregator"
                ),
                arguments,
            )
            reported = [(day, name, aggregator, int(count)) for day, name, aggregator, count in cursor.fetchall()]
        daily = [
            (day, name, *map(int, row), int(direct) + open_days.get((day, name), 0))
            for day, name, *row, direct in daily
        ]
        return {"daily": daily, "reported": reported}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.close()


class SQLiteDatabase(Database):
    """A file shared by the workers of one service: WAL, so readers never wait for the writer, and
    BEGIN IMMEDIATE, so writers take turns (for up to BUSY_SECONDS) instead of failing on a lock
    taken half-way."""

    BUSY_SECONDS = 30.0

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # only its owner reads the figures
        os.close(descriptor)
        connection = sqlite3.connect(path, timeout=self.BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            self._switch_to_wal(connection)
        except BaseException:
            connection.close()
            raise
        connection.execute("PRAGMA synchronous=NORMAL")
        super().__init__(connection)

    def _switch_to_wal(self, connection: sqlite3.Connection) -> None:
        """Put the file in WAL mode (it stays so: later switches change nothing and take no lock).

        Switching a new file reads it and then writes it, and SQLite will not let such a statement wait
        for another connection's write lock (the two could wait for each other for ever): it answers
        "database is locked" at once, whatever the busy timeout. Workers opening a new file together
        met that. The other writer's lock lasts an instant, so the switch is tried again until the
        busy timeout, as any other statement would wait.
        """
        deadline = time.monotonic() + self.BUSY_SECONDS
        pause = 0.001
        while True:
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    @contextlib.contextmanager
    def transaction(self, exclusive: bool = False, read: bool = False) -> Iterator[Any]:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN" if read else "BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")


class PostgresDatabase(Database):
    """A PostgreSQL database shared by several service nodes (psycopg 3). Creating the tables and
    closing days take a transaction-scoped advisory lock, so two nodes starting together don't collide."""

    placeholder = "%s"
    LOCK = 0x66656564737663  # "feedsvc": the advisory lock's key

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise RuntimeError(
                "stats_db is a PostgreSQL URL but psycopg is not installed: pip install 'feedsvc[postgresql]'"
            ) from None
        super().__init__(psycopg.connect(url, autocommit=True, connect_timeout=10))

    @contextlib.contextmanager
    def transaction(self, exclusive: bool = False, read: bool = False) -> Iterator[Any]:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            if exclusive:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (self.LOCK,))
            yield cursor


def open_database(location: str | Path) -> Database:
    """The statistics at `location`: a postgresql:// URL, or a SQLite file (made, with its folder, if need be)."""
    if isinstance(location, str) and location.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(location)
    return SQLiteDatabase(Path(location))
