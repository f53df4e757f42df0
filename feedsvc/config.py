"""Configuration in layers — defaults, then a TOML file, then FEEDSVC_* environment variables, then
explicit overrides — shared by the service and the static build so one file drives both."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from .uri import base_url, http_url

ENV_PREFIX = "FEEDSVC_"
DEFAULT_CONFIG_FILE = "feedsvc.toml"
_TOKEN_HASH = re.compile(r"sha256:[0-9a-f]{64}")


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key and the source."""


@dataclass(frozen=True)
class Config:
    store: Path = Path("articles")
    base_url: str = "http://127.0.0.1:8000/"   # where feeds and media are served: self links, enclosures
    items_per_feed: int = 50
    items_per_page: int = 20                    # stories on the home and section pages
    max_age: int = 300                          # Cache-Control max-age for feeds, seconds
    stale_while_revalidate: int = 60
    stale_if_error: int = 86400
    media_max_age: int = 86400
    archive_max_age: int = 604800               # RFC 5005 archives: a week, marked immutable
    archives: bool = True                       # monthly archives once a section outgrows its feed
    tag_feeds: bool = True                      # a feed and page per tag (false: none, however many stories)
    tag_feed_min_stories: int = 3               # a tag gets them once this many published stories carry it
    webfeeds: bool = False                      # Feedly's webfeeds elements (the W3C validator warns of them)
    summary_length: int = 300
    max_article_bytes: int = 1 << 20
    max_photo_bytes: int = 20 << 20
    max_photo_pixels: int = 60_000_000
    max_feed_bytes: int = 2_000_000             # Google News' limit; items are dropped from the end
    gzip_level: int = 6
    refresh_seconds: float = 0.5                # how often the service applies store changes
    rescan_seconds: float = 30.0                # full stat scan, the safety net under file-system events
    watch: bool = True                          # use file-system events (watchdog) where available
    cache_dir: str = "auto"                     # parse cache: "auto" (~/.cache/feedsvc/…), a folder, or "off"
    hub_url: str | None = None                  # WebSub hub to notify of changed feeds
    stats: bool = True                          # count feed requests for `feedsvc stats` and /_stats/
    stats_db: str = "auto"                      # "auto" (SQLite in the state folder), a file, or postgresql://…
    stats_retention_days: int = 400             # daily figures older than this are deleted
    stats_flush_seconds: float = 5.0            # how often each worker writes what it counted
    stats_token_hash: str | None = None         # "sha256:<hex>" of the /_stats/ token; no page without it
    stats_trusted_proxies: str = "127.0.0.1, ::1"   # whose X-Forwarded-For names the client, for counting only

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", _base_url(self.base_url))
        if self.hub_url is not None:
            object.__setattr__(self, "hub_url", _hub_url(self.hub_url))
        for name in ("items_per_feed", "summary_length", "max_article_bytes", "max_feed_bytes", "tag_feed_min_stories"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name}: must be positive, got {getattr(self, name)!r}")
        if not 0 <= self.gzip_level <= 9:
            raise ConfigError(f"gzip_level: must be 0–9, got {self.gzip_level!r}")
        if self.stats_retention_days <= 0 or self.stats_flush_seconds <= 0:
            raise ConfigError("stats_retention_days and stats_flush_seconds: must be positive")
        if self.stats_token_hash is not None and not _TOKEN_HASH.fullmatch(self.stats_token_hash):
            raise ConfigError("stats_token_hash: must be \"sha256:\" and 64 hex digits, as "
                              "`feedsvc stats --new-token` prints it")

    @property
    def cache_path(self) -> Path | None:
        """Where the parse cache lives for this store, or None when it is off."""
        value = str(self.cache_dir).strip()
        if value.lower() in ("", "off", "none", "false", "0"):
            return None
        if value == "auto":
            return default_cache_dir(self.store)
        return Path(value)

    @property
    def stats_location(self) -> str | Path:
        """Where the subscriber statistics live: a postgresql:// URL, or a SQLite file (by default in the
        store's state folder — statistics are kept for a year, so not among the caches)."""
        value = str(self.stats_db).strip()
        if value.startswith(("postgresql://", "postgres://")):
            return value
        if value in ("", "auto"):
            return default_state_dir(self.store) / "stats.sqlite3"
        return Path(value)

    def replace(self, **changes: Any) -> "Config":
        return dataclasses.replace(self, **changes)


def default_cache_dir(store_root: Path) -> Path:
    """~/.cache/feedsvc/<store>-<hash of its absolute path>: the store's parse cache and WebSub ledger."""
    return _per_store(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"), store_root)


def default_state_dir(store_root: Path) -> Path:
    """~/.local/state/feedsvc/<store>-<hash>: what must outlive a cleared cache (subscriber statistics)."""
    return _per_store(Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"), store_root)


def _per_store(base: Path, store_root: Path) -> Path:
    absolute = str(Path(store_root).resolve())
    return base / "feedsvc" / f"{Path(absolute).name}-{hashlib.sha1(absolute.encode()).hexdigest()[:12]}"


def _base_url(value: str) -> str:
    """The base URL as a valid URI (IDNA host, percent-encoded path) ending in "/", since every self
    link, enclosure and page link is made by appending a path to it."""
    url, usable = base_url(value)
    if url is None:
        raise ConfigError(f"base_url: must be an absolute http(s) URL, like https://feeds.example.com/, "
                          f"got {value!r}")
    if not usable:
        raise ConfigError(f"base_url: must not have a query or fragment (feed addresses are made by adding "
                          f"paths to it), got {value!r}")
    return url


def _hub_url(value: str) -> str:
    """The WebSub hub as a valid URI: it goes into every feed's rel="hub" link and Link header."""
    url = http_url(value)
    if url is None:
        raise ConfigError(f"hub_url: must be an absolute http(s) URL, like https://pubsubhubbub.appspot.com/, "
                          f"got {value!r}")
    return url


def _coerce(name: str, kind: Any, value: Any, source: str) -> Any:
    """Turn a file or environment value into the field's type, naming the key when it can't."""
    kind = str(kind)
    try:
        if value is None or (isinstance(value, str) and value == "" and "None" in kind):
            return None
        if "Path" in kind:
            return Path(value)
        if "bool" in kind:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if "int" in kind:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if "float" in kind:
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: {name}: {value!r} is not a valid {kind}") from None


def load_config(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None,
                overrides: Mapping[str, Any] | None = None) -> Config:
    """Build the configuration; `path` (or FEEDSVC_CONFIG, or ./feedsvc.toml if present) is TOML."""
    env = os.environ if env is None else env
    known = {f.name: f.type for f in fields(Config)}
    values: dict[str, Any] = {}

    config_file = path or env.get(ENV_PREFIX + "CONFIG")
    if config_file is None and Path(DEFAULT_CONFIG_FILE).is_file():
        config_file = DEFAULT_CONFIG_FILE
    if config_file is not None:
        try:
            with open(config_file, "rb") as fh:
                data = tomllib.load(fh)
        except OSError as exc:
            raise ConfigError(f"{config_file}: cannot read: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_file}: not valid TOML: {exc}") from None
        section = data.get("feedsvc", data)
        for key, value in section.items():
            if key not in known:
                raise ConfigError(f"{config_file}: unknown setting {key!r}; known: {', '.join(known)}")
            values[key] = _coerce(key, known[key], value, str(config_file))
        if "store" in values and not values["store"].is_absolute():
            values["store"] = Path(config_file).parent / values["store"]

    for key, kind in known.items():
        env_key = ENV_PREFIX + key.upper()
        if env_key in env:
            values[key] = _coerce(key, kind, env[env_key], env_key)

    for key, value in (overrides or {}).items():
        if key not in known:
            raise ConfigError(f"unknown setting {key!r}")
        if value is not None:
            values[key] = value
    return Config(**values)
