"""Stories' prepared HTML kept on disk beside the parse cache, by a digest of all it is made of, so a
new process — a one-off `feedsvc build` after an edit — does not turn the Markdown of the hundreds of
stories around the edit into HTML again (docs/PERFORMANCE.md).

One SQLite file (write-ahead log, a busy timeout): each process writes what it prepared in one
transaction — the build at its end, each process a first build forks to render at the end of each
chunk it renders, so what a first build prepared is there for the one-off after it. Every entry is
complete on its own, so a killed build leaves the entries of the transactions it finished beside the
older ones; a damaged or foreign file counts as empty and is replaced.

Feed items (`render.items`) are kept there too, by the process that opened the file only: a first
build's rendering processes would write tens of thousands, of which a one-off reads a few hundred
(they neither look items up nor keep them: `static.build`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from ..render.feedmodel import Prepared

log = logging.getLogger(__name__)

FILE_NAME = "prepared.sqlite3"
LIMIT = 50_000  # entries kept at most: the newest, by when they were written
ITEM_LIMIT = 10_000  # items kept at most (about 8 KB each: 80 MB), the newest; a one-off reads about 2,300
BUSY_SECONDS = 30.0  # how long a process waits for another's transaction (two rendering processes saving)
SAVE_EVERY = 2_000  # entries or items put before they are saved: a process holds no more than this in memory
WAL_LIMIT = 8 << 20  # bytes of write-ahead log kept between checkpoints (SQLite lets it grow to the largest save)


class PreparedFiles:
    """Prepared HTML by key (see `PreparedCache.key`) and feed items by digest (`render.items`): `get`
    one, `put` many, `save` them. A process forked after `close` opens the file anew and saves what
    it prepared itself."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / FILE_NAME
        self._pid = self._opener = os.getpid()
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._replaced = False
        self._new: dict[str, Prepared] = {}
        self._new_items: dict[str, bytes] = {}

    def _own(self) -> None:
        """In a process forked from the one that opened the file: forget its connection, never used
        across a fork (SQLite's rule), and what it put, which it saves itself."""
        if os.getpid() != self._pid:
            self._pid, self._db, self._new, self._new_items = os.getpid(), None, {}, {}

    def _connect(self) -> sqlite3.Connection | None:
        self._own()
        if self._broken:
            return None
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # As private as the parse cache beside it: it holds the HTML of scheduled stories too
                # (SQLite makes its -wal and -shm files with the same mode).
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
                self._db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
                self._db.execute("PRAGMA journal_mode=WAL")  # readers and one writer at once
                self._db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
                self._db.execute("CREATE TABLE IF NOT EXISTS prepared (key TEXT PRIMARY KEY, body TEXT, summary TEXT)")
                self._db.execute("CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, text BLOB)")
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
        return self._db

    def _give_up(self, exc: Exception) -> None:
        """A damaged file is worth nothing: removed, and a new one started (once, by the process that
        opened it: the processes it forked go without, rather than each delete the files the others
        have open); anything else (a locked file, a folder that cannot be written) leaves this process
        without one."""
        log.warning("%s: ignoring the prepared HTML kept there (%s)", self.path, exc)
        if self._db is not None:
            self._db.close()
            self._db = None
        damaged = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
        if damaged and not self._replaced and self._pid == self._opener:
            self._replaced = True
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            self._broken = True

    def close(self) -> None:
        """Save, then close this process's connection: the last connection to close checkpoints the
        write-ahead log into the file and removes it. A process about to fork calls it, as SQLite
        asks (no connection is used across a fork)."""
        if self._connect() is not None:
            self.save()
        if self._db is not None:
            self._db.close()
            self._db = None

    def _row(self, query: str, key: str) -> tuple[object, ...] | None:
        """The row `query` finds for `key`; None when there is none or the file cannot be read."""
        db = self._connect()
        if db is None:
            return None
        try:
            row: tuple[object, ...] | None = db.execute(query, (key,)).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        return row

    def get(self, key: str) -> Prepared | None:
        row = self._row("SELECT body, summary FROM prepared WHERE key = ?", key)
        if row is None or not isinstance(row[0], str) or not isinstance(row[1], str):
            return None
        return Prepared(row[0], row[1])

    def get_item(self, key: str) -> bytes | None:
        """A feed item's bytes by its digest (`render.items`), if an earlier process kept them."""
        row = self._row("SELECT text FROM items WHERE key = ?", key)
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def put_item(self, key: str, text: bytes) -> None:
        self._own()
        if not self._broken and self._pid == self._opener:
            self._new_items[key] = text
            if len(self._new_items) >= SAVE_EVERY:  # a build in one process (one core) renders every item
                self.save()

    def put(self, key: str, prepared: Prepared) -> None:
        self._own()
        if not self._broken:
            self._new[key] = prepared
            if len(self._new) >= SAVE_EVERY:
                self.save()

    def save(self) -> None:
        """Write what this process put since its last save, in one transaction, keeping the newest LIMIT."""
        db = self._connect() if self._new or self._new_items else None
        if db is None:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO prepared VALUES (?, ?, ?)",
                    [(key, p.body_html, p.summary) for key, p in self._new.items()],
                )
                db.execute("DELETE FROM prepared WHERE rowid <= (SELECT MAX(rowid) FROM prepared) - ?", (LIMIT,))
                db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?)", list(self._new_items.items()))
                db.execute("DELETE FROM items WHERE rowid <= (SELECT MAX(rowid) FROM items) - ?", (ITEM_LIMIT,))
            self._new, self._new_items = {}, {}
        except sqlite3.Error as exc:
            self._give_up(exc)
