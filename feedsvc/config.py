"""Configuration in layers — defaults, then a TOML file, then FEEDSVC_* environment variables, then
explicit overrides — shared by the service and the static build so one file drives both.

Users write flat keys (README's table); `Config` groups them into the small frozen settings each
layer defines for itself, and the wiring (serve/app.py, static/build.py, cli.py) hands each layer its
group alone. This module imports only those settings modules: naming a folder loads no store."""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .publish.settings import FeedSettings, MemorySettings
from .render.document import CachePolicy
from .stats.settings import StatsSettings
from .store.settings import ReadLimits, RefreshSettings
from .uri import base_url, http_url

ENV_PREFIX = "FEEDSVC_"
DEFAULT_CONFIG_FILE = "feedsvc.toml"
_TOKEN_HASH = re.compile(r"sha256:[0-9a-f]{64}")


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key and the source."""


@dataclass(frozen=True)
class Config:
    """The flat keys users write, grouped by the layer that uses them; each layer is handed its group
    alone (the store `read`, the publication `feeds`, `cache_policy` and `memory`, the refresher `refresh`,
    the counter `stats`), so a build's fingerprint can cover exactly what shapes output bytes."""

    store: Path = Path("articles")
    cache_dir: str = "auto"  # parse cache: "auto" (~/.cache/feedsvc/…), a folder, or "off"
    read: ReadLimits = ReadLimits()
    feeds: FeedSettings = FeedSettings()
    cache_policy: CachePolicy = CachePolicy()
    memory: MemorySettings = MemorySettings()
    refresh: RefreshSettings = RefreshSettings()
    stats: StatsSettings = StatsSettings()
    # The keys a file, the environment or the caller gave (the rest are defaults): `serve` links to its
    # own address and `build` warns when no base_url was given. Not a setting itself.
    given: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        feeds = self.feeds
        hub_url = None if feeds.hub_url is None else _hub_url(feeds.hub_url)
        object.__setattr__(self, "feeds", replace(feeds, base_url=_base_url(feeds.base_url), hub_url=hub_url))
        for name in ("items_per_feed", "summary_length", "max_feed_bytes", "tag_feed_min_stories"):
            _positive(name, getattr(feeds, name))
        _positive("max_article_bytes", self.read.max_article_bytes)
        if self.memory.cold_cache_mb < 0:
            raise ConfigError(f"cold_cache_mb: must be 0 or more, got {self.memory.cold_cache_mb!r}")
        if not 0 <= feeds.gzip_level <= 9:
            raise ConfigError(f"gzip_level: must be 0–9, got {feeds.gzip_level!r}")
        if self.stats.retention_days <= 0 or self.stats.flush_seconds <= 0:
            raise ConfigError("stats_retention_days and stats_flush_seconds: must be positive")
        if self.stats.token_hash is not None and not _TOKEN_HASH.fullmatch(self.stats.token_hash):
            raise ConfigError(
                'stats_token_hash: must be "sha256:" and 64 hex digits, as `feedsvc stats --new-token` prints it'
            )

    @classmethod
    def of(cls, **settings: Any) -> Config:
        """A configuration from flat keys, as users write them (`items_per_feed=3`); the rest default."""
        top: dict[str, Any] = {}
        grouped: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
        for key, value in settings.items():
            if key not in KEYS:
                raise ConfigError(f"unknown setting {key!r}")
            group, name = KEYS[key][0], KEYS[key][1].name
            (top if group is None else grouped[group])[name] = value
        return cls(
            **top, **{group: GROUPS[group](**values) for group, values in grouped.items()}, given=frozenset(settings)
        )

    @property
    def base_url_given(self) -> bool:
        """Was a base URL configured? Without one, every link points at the default, 127.0.0.1:8000."""
        return "base_url" in self.given

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
        value = str(self.stats.db).strip()
        if value.startswith(("postgresql://", "postgres://")):
            return value
        if value in ("", "auto"):
            return default_state_dir(self.store) / "stats.sqlite3"
        return Path(value)


# Each group's type, by its attribute on Config.
GROUPS: dict[str, type[Any]] = {
    "read": ReadLimits,
    "feeds": FeedSettings,
    "cache_policy": CachePolicy,
    "memory": MemorySettings,
    "refresh": RefreshSettings,
    "stats": StatsSettings,
}


def _keys() -> dict[str, tuple[str | None, Field[Any]]]:
    """Every flat key users may write → (its group on Config, None for the top level; its field)."""
    keys: dict[str, tuple[str | None, Field[Any]]] = {
        f.name: (None, f) for f in fields(Config) if f.name not in GROUPS and f.name != "given"
    }
    for group, kind in GROUPS.items():
        for f in fields(kind):
            keys[f.metadata.get("key", f.name)] = (group, f)
    return keys


KEYS = _keys()


def _positive(name: str, value: int) -> None:
    if value <= 0:
        raise ConfigError(f"{name}: must be positive, got {value!r}")


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
        raise ConfigError(f"base_url: must be an absolute http(s) URL, like https://feeds.example.com/, got {value!r}")
    if not usable:
        raise ConfigError(
            f"base_url: must not have a query or fragment (feed addresses are made by adding "
            f"paths to it), got {value!r}"
        )
    return url


def _hub_url(value: str) -> str:
    """The WebSub hub as a valid URI: it goes into every feed's rel="hub" link and Link header."""
    url = http_url(value)
    if url is None:
        raise ConfigError(
            f"hub_url: must be an absolute http(s) URL, like https://pubsubhubbub.appspot.com/, got {value!r}"
        )
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


def load_config(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Build the configuration; `path` (or FEEDSVC_CONFIG, or ./feedsvc.toml if present) is TOML."""
    env = os.environ if env is None else env
    known = {key: f.type for key, (_, f) in KEYS.items()}
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
    return Config.of(**values)
