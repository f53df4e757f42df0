"""Stories' prepared HTML kept on disk beside the parse cache, by a digest of all it is made of, so a
new process — a one-off `feedsvc build` after an edit — does not turn the Markdown of the hundreds of
stories around the edit into HTML again (docs/PERFORMANCE.md).

One SQLite file, written in one transaction at the end of a build (a killed build leaves the last
one's); a damaged or foreign file counts as empty and is replaced. Only the process that opened it
uses it: the processes a first build forks to render never touch it.
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


class PreparedFiles:
    """Prepared HTML by key (see `PreparedCache.key`): `get` one, `put` many, `save` them at the end."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / FILE_NAME
        self._pid = os.getpid()
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._replaced = False
        self._new: dict[str, Prepared] = {}

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken or os.getpid() != self._pid:
            return None
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # As private as the parse cache beside it: it holds the HTML of scheduled stories too.
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
                self._db = sqlite3.connect(self.path, timeout=2.0)
                self._db.execute("CREATE TABLE IF NOT EXISTS prepared (key TEXT PRIMARY KEY, body TEXT, summary TEXT)")
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
        return self._db

    def _give_up(self, exc: Exception) -> None:
        """A damaged file is worth nothing: removed, and a new one started (once); anything else (a
        locked file, a folder that cannot be written) leaves this process without one."""
        log.warning("%s: ignoring the prepared HTML kept there (%s)", self.path, exc)
        if self._db is not None:
            self._db.close()
            self._db = None
        damaged = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
        if damaged and not self._replaced:
            self._replaced = True
            self.path.unlink(missing_ok=True)
        else:
            self._broken = True

    def get(self, key: str) -> Prepared | None:
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT body, summary FROM prepared WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        if row is None or not isinstance(row[0], str) or not isinstance(row[1], str):
            return None
        return Prepared(row[0], row[1])

    def put(self, key: str, prepared: Prepared) -> None:
        if os.getpid() == self._pid and not self._broken:
            self._new[key] = prepared

    def save(self) -> None:
        """Write what was put since the last save, in one transaction, keeping the newest LIMIT."""
        db = self._connect() if self._new else None
        if db is None:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO prepared VALUES (?, ?, ?)",
                    [(key, p.body_html, p.summary) for key, p in self._new.items()],
                )
                db.execute("DELETE FROM prepared WHERE rowid <= (SELECT MAX(rowid) FROM prepared) - ?", (LIMIT,))
            self._new = {}
        except sqlite3.Error as exc:
            self._give_up(exc)
