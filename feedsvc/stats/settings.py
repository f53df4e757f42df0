"""What subscriber counting is told: whether to count, where the figures live, and for how long.

A frozen value the configuration fills in from the flat `stats*` keys users write (config.py names
each field's key in its metadata).
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _key(name: str) -> dict[str, str]:
    return {"key": name}


@dataclass(frozen=True)
class StatsSettings:
    # count feed requests for `feedsvc stats` and /_stats/
    enabled: bool = field(default=True, metadata=_key("stats"))
    # "auto" (SQLite in the store's state folder), a file, or postgresql://…
    db: str = field(default="auto", metadata=_key("stats_db"))
    # daily figures older than this are deleted
    retention_days: int = field(default=400, metadata=_key("stats_retention_days"))
    # how often each worker writes what it counted
    flush_seconds: float = field(default=5.0, metadata=_key("stats_flush_seconds"))
    # "sha256:<hex>" of the /_stats/ token; no page without it
    token_hash: str | None = field(default=None, metadata=_key("stats_token_hash"))
    # whose X-Forwarded-For names the client, for counting only
    trusted_proxies: str = field(default="127.0.0.1, ::1", metadata=_key("stats_trusted_proxies"))
